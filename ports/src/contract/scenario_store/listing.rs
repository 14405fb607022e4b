//! Scenario lists: each filter alone and combined, tenant isolation, and keyset paging newest
//! first in both directions.

use super::super::ScenarioBackend;
use super::super::scenario_fixtures::{scenario, scenario_tagged, tenant, ts};
use super::super::scenario_support::{check_walks, create, ok};
use crate::page::PageRequest;
use crate::scenario::{Scenario, ScenarioStatus};
use crate::scenario_store::{CreatedKeyset, ScenarioFilter};

fn keyset(s: &Scenario) -> CreatedKeyset {
    CreatedKeyset {
        at: s.created_at,
        id: s.id.to_string(),
    }
}

/// Newest first, id (text) descending on ties.
fn newest_first(mut rows: Vec<Scenario>) -> Vec<Scenario> {
    rows.sort_by_key(|s| std::cmp::Reverse((s.created_at, s.id.to_string())));
    rows
}

async fn restatus(b: &ScenarioBackend, s: &Scenario, status: ScenarioStatus) -> Scenario {
    let mut next = s.clone();
    next.status = status;
    next.version += 1;
    assert!(ok("update", b.scenarios.update(&next, s.version).await));
    next
}

#[expect(clippy::too_many_lines, reason = "one table of filter cases")]
pub(super) async fn list_filters(b: &ScenarioBackend) {
    let (a, other) = (tenant("acme"), tenant("globex"));
    let s1 = scenario_tagged(&a, "Alpha Wind", &["wind", "eu"], ts(100));
    let s2 = scenario_tagged(&a, "Beta Solar", &["solar"], ts(200));
    let s3 = scenario_tagged(&a, "gamma WIND farm", &["wind"], ts(300));
    let s4 = scenario_tagged(&a, "Delta", &[], ts(400));
    let s5 = scenario_tagged(&a, "Windy Ridge", &["eu"], ts(500));
    let foreign = scenario_tagged(&other, "Alpha Wind elsewhere", &["wind", "eu"], ts(150));
    for s in [&s1, &s2, &s3, &s4, &s5, &foreign] {
        create(b, s, "create").await;
    }
    let s2 = restatus(b, &s2, ScenarioStatus::Active).await;
    let s3 = restatus(b, &s3, ScenarioStatus::Archived).await;
    let s5 = restatus(b, &s5, ScenarioStatus::Active).await;

    let cases: Vec<(&str, ScenarioFilter, Vec<&Scenario>)> = vec![
        (
            "no filter",
            ScenarioFilter::default(),
            vec![&s5, &s4, &s3, &s2, &s1],
        ),
        (
            "status",
            ScenarioFilter {
                status: Some(ScenarioStatus::Active),
                ..ScenarioFilter::default()
            },
            vec![&s5, &s2],
        ),
        (
            "name substring, case-insensitive",
            ScenarioFilter {
                name: Some("wind".to_owned()),
                ..ScenarioFilter::default()
            },
            vec![&s5, &s3, &s1],
        ),
        (
            "name substring with a space",
            ScenarioFilter {
                name: Some("WIND F".to_owned()),
                ..ScenarioFilter::default()
            },
            vec![&s3],
        ),
        (
            "tag",
            ScenarioFilter {
                tag: Some("eu".to_owned()),
                ..ScenarioFilter::default()
            },
            vec![&s5, &s1],
        ),
        (
            "created_after is inclusive",
            ScenarioFilter {
                created_after: Some(ts(200)),
                ..ScenarioFilter::default()
            },
            vec![&s5, &s4, &s3, &s2],
        ),
        (
            "created_before is exclusive",
            ScenarioFilter {
                created_before: Some(ts(300)),
                ..ScenarioFilter::default()
            },
            vec![&s2, &s1],
        ),
        (
            "combined",
            ScenarioFilter {
                status: None,
                name: Some("Wind".to_owned()),
                tag: Some("eu".to_owned()),
                created_after: Some(ts(100)),
                created_before: Some(ts(500)),
            },
            vec![&s1],
        ),
        (
            "no match",
            ScenarioFilter {
                tag: Some("nope".to_owned()),
                ..ScenarioFilter::default()
            },
            vec![],
        ),
    ];
    for (name, filter, expected) in cases {
        let page = ok(
            name,
            b.scenarios
                .list(&a, &filter, &PageRequest::first(100))
                .await,
        );
        let expected: Vec<Scenario> = expected.into_iter().cloned().collect();
        assert_eq!(
            page.items, expected,
            "list MUST return exactly the tenant's matching scenarios, newest first ({name}: {filter:?})"
        );
        assert!(
            !page.has_more,
            "list has_more MUST be false on the last page ({name})"
        );
    }
    let clause = "list MUST never show another tenant's scenarios";
    let page = ok(
        clause,
        b.scenarios
            .list(&other, &ScenarioFilter::default(), &PageRequest::first(100))
            .await,
    );
    assert_eq!(page.items, vec![foreign], "{clause}");
    let page = ok(
        clause,
        b.scenarios
            .list(
                &tenant("initech"),
                &ScenarioFilter::default(),
                &PageRequest::first(100),
            )
            .await,
    );
    assert!(page.items.is_empty() && !page.has_more, "{clause}");
}

pub(super) async fn list_pages_newest_first(b: &ScenarioBackend) {
    let (a, other) = (tenant("acme"), tenant("globex"));
    let times = [10, 20, 20, 20, 30, 40, 40, 50, 60];
    let mut mine = Vec::new();
    for (i, t) in times.into_iter().enumerate() {
        let tags: &[&str] = if i % 2 == 0 { &["even"] } else { &["odd"] };
        let s = scenario_tagged(&a, &format!("Paged {i}"), tags, ts(t));
        create(b, &s, "create").await;
        mine.push(s);
    }
    create(b, &scenario(&other, "Paged 0", ts(25)), "create").await;
    let expected = newest_first(mine.clone());
    let filter = ScenarioFilter::default();
    check_walks(
        "list MUST page newest first, each row once",
        &expected,
        keyset,
        |s| s.id.to_string(),
        async |req| ok("list", b.scenarios.list(&a, &filter, &req).await),
    )
    .await;
    let even = ScenarioFilter {
        tag: Some("even".to_owned()),
        ..ScenarioFilter::default()
    };
    let expected_even: Vec<Scenario> = expected
        .iter()
        .filter(|s| s.tags.iter().any(|t| t == "even"))
        .cloned()
        .collect();
    check_walks(
        "filtered list MUST page newest first, each matching row once",
        &expected_even,
        keyset,
        |s| s.id.to_string(),
        async |req| ok("list", b.scenarios.list(&a, &even, &req).await),
    )
    .await;
}
