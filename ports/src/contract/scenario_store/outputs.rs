//! Output rows: the latest succeeded run by default, each filter, keyset paging, tenant
//! isolation, and the latest metric per (metric, tenor label, curve).

use super::super::ScenarioBackend;
use super::super::scenario_fixtures::{date, output, outputs, run, scenario, tenant, ts};
use super::super::scenario_support::{check_walks, claim, create, ok, secs, submit, succeed};
use crate::curve::TenorType;
use crate::page::PageRequest;
use crate::run_queue::FailOutcome;
use crate::scenario::{Priority, Run, ScenarioOutput};
use crate::scenario_store::{OutputFilter, OutputKeyset};

fn keyset(o: &ScenarioOutput) -> OutputKeyset {
    OutputKeyset {
        run_id: o.run_id.to_string(),
        curve_key: o.curve_key.as_str().to_owned(),
        tenor_type: o.tenor_type.as_str().to_owned(),
        tenor_label: o.tenor_label.clone(),
        metric: o.metric.clone(),
    }
}

fn sort_key(o: &ScenarioOutput) -> (String, String, String, String, String) {
    let k = keyset(o);
    (k.run_id, k.curve_key, k.tenor_type, k.tenor_label, k.metric)
}

/// Two curves × three tenors × two metrics of `r`, valued from `base`.
fn grid(r: &Run, base: f64, at: i64) -> Vec<ScenarioOutput> {
    let mut rows = Vec::new();
    let mut value = base;
    for curve in ["C2", "C1"] {
        for (tt, label) in [
            (TenorType::Quarter, "Q1 2025"),
            (TenorType::Monthly, "2025-01"),
            (TenorType::Calendar, "Calendar 2025"),
        ] {
            for metric in ["p90", "mid"] {
                rows.push(output(
                    r,
                    date(2025, 1, 15),
                    curve,
                    tt,
                    label,
                    metric,
                    value,
                    ts(at),
                ));
                value += 1.5;
            }
        }
    }
    rows
}

#[expect(clippy::too_many_lines, reason = "one table of filter cases")]
pub(super) async fn outputs_filters_and_paging(b: &ScenarioBackend) {
    let (a, other) = (tenant("acme"), tenant("globex"));
    let s = scenario(&a, "Outputs", ts(1));
    create(b, &s, "create").await;
    let r1 = run(&s, Priority::Normal, ts(10));
    let rows1 = grid(&r1, 10.0, 10);
    succeed(b, &r1, rows1.clone(), "seed").await;
    let r2 = run(&s, Priority::Normal, ts(20));
    let rows2 = grid(&r2, 100.0, 20);
    succeed(b, &r2, rows2.clone(), "seed").await;
    // A later run that fails leaves the latest succeeded run the default.
    let r3 = run(&s, Priority::Normal, ts(30));
    submit(b, &r3, None, "seed").await;
    claim(b, "w", ts(30), secs(60), "seed").await;
    assert!(ok(
        "fail",
        b.queue
            .fail(r3.id, "w", ts(31), "boom", FailOutcome::Failed, None)
            .await
    ));

    let sorted = |rows: &[ScenarioOutput], keep: &dyn Fn(&ScenarioOutput) -> bool| {
        let mut v: Vec<ScenarioOutput> = rows.iter().filter(|o| keep(o)).cloned().collect();
        v.sort_by_key(sort_key);
        v
    };
    let cases: Vec<(&str, OutputFilter, Vec<ScenarioOutput>)> = vec![
        (
            "default: the latest succeeded run",
            OutputFilter::default(),
            sorted(&rows2, &|_| true),
        ),
        (
            "run_id",
            OutputFilter {
                run_id: Some(r1.id),
                ..OutputFilter::default()
            },
            sorted(&rows1, &|_| true),
        ),
        (
            "metric",
            OutputFilter {
                metric: Some("p90".to_owned()),
                ..OutputFilter::default()
            },
            sorted(&rows2, &|o| o.metric == "p90"),
        ),
        (
            "tenor_type",
            OutputFilter {
                tenor_type: Some("QUARTER".to_owned()),
                ..OutputFilter::default()
            },
            sorted(&rows2, &|o| o.tenor_type == TenorType::Quarter),
        ),
        (
            "curve_key",
            OutputFilter {
                curve_key: Some("C2".to_owned()),
                ..OutputFilter::default()
            },
            sorted(&rows2, &|o| o.curve_key.as_str() == "C2"),
        ),
        (
            "combined",
            OutputFilter {
                run_id: Some(r1.id),
                metric: Some("mid".to_owned()),
                tenor_type: Some("MONTHLY".to_owned()),
                curve_key: Some("C1".to_owned()),
            },
            sorted(&rows1, &|o| {
                o.metric == "mid"
                    && o.tenor_type == TenorType::Monthly
                    && o.curve_key.as_str() == "C1"
            }),
        ),
        (
            "a run without outputs",
            OutputFilter {
                run_id: Some(r3.id),
                ..OutputFilter::default()
            },
            Vec::new(),
        ),
    ];
    for (name, filter, expected) in cases {
        let page = ok(
            name,
            b.scenarios
                .outputs(&a, s.id, &filter, &PageRequest::first(100))
                .await,
        );
        assert_eq!(
            page.items, expected,
            "outputs MUST return the matching rows in key order ({name})"
        );
        assert!(!page.has_more, "outputs has_more MUST be exact ({name})");
    }
    let filter = OutputFilter {
        run_id: Some(r1.id),
        ..OutputFilter::default()
    };
    check_walks(
        "outputs MUST page by key, each row once",
        &sorted(&rows1, &|_| true),
        keyset,
        |o| format!("{:?}", sort_key(o)),
        async |req| {
            ok(
                "outputs",
                b.scenarios.outputs(&a, s.id, &filter, &req).await,
            )
        },
    )
    .await;
    let clause = "outputs MUST never show another tenant's rows";
    for filter in [OutputFilter::default(), filter] {
        let page = ok(
            clause,
            b.scenarios
                .outputs(&other, s.id, &filter, &PageRequest::first(100))
                .await,
        );
        assert!(page.items.is_empty(), "{clause}");
    }
}

fn by_metric_key(mut rows: Vec<ScenarioOutput>) -> Vec<ScenarioOutput> {
    rows.sort_by(|x, y| {
        (&x.metric, &x.tenor_label, x.curve_key.as_str()).cmp(&(
            &y.metric,
            &y.tenor_label,
            y.curve_key.as_str(),
        ))
    });
    rows
}

pub(super) async fn latest_metrics(b: &ScenarioBackend) {
    let (a, other) = (tenant("acme"), tenant("globex"));
    let s = scenario(&a, "Metrics", ts(1));
    create(b, &s, "create").await;
    let (d1, d2) = (date(2025, 1, 15), date(2025, 2, 10));
    let r1 = run(&s, Priority::Normal, ts(10));
    let rows1 = outputs(&r1, d1, "C1", 50.0, ts(10));
    succeed(b, &r1, rows1.clone(), "seed").await;
    let r2 = run(&s, Priority::Normal, ts(20));
    let rows2 = outputs(&r2, d2, "C1", 60.0, ts(20));
    succeed(b, &r2, rows2.clone(), "seed").await;
    let r3 = run(&s, Priority::Normal, ts(30));
    let rows3 = outputs(&r3, d2, "C9", 70.0, ts(30));
    succeed(b, &r3, rows3.clone(), "seed").await;

    let clause = "latest_metrics MUST return per (metric, tenor_label, curve_key) the newest value";
    let got = by_metric_key(ok(clause, b.scenarios.latest_metrics(&a, s.id, None).await));
    let expected = by_metric_key(rows2.iter().chain(&rows3).cloned().collect());
    assert_eq!(got, expected, "{clause}");
    let clause = "latest_metrics MUST honour asof";
    let got = by_metric_key(ok(
        clause,
        b.scenarios.latest_metrics(&a, s.id, Some(d1)).await,
    ));
    assert_eq!(got, by_metric_key(rows1), "{clause} ({d1})");
    let got = by_metric_key(ok(
        clause,
        b.scenarios.latest_metrics(&a, s.id, Some(d2)).await,
    ));
    assert_eq!(got, expected, "{clause} ({d2})");
    let got = ok(
        clause,
        b.scenarios
            .latest_metrics(&a, s.id, Some(date(2024, 12, 31)))
            .await,
    );
    assert!(
        got.is_empty(),
        "{clause}: nothing before the first run's date"
    );
    let clause = "latest_metrics MUST never show another tenant's rows";
    assert!(
        ok(clause, b.scenarios.latest_metrics(&other, s.id, None).await).is_empty(),
        "{clause}"
    );
}
