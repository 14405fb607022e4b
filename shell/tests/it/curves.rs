//! /v2 curve routes over the known dataset.

use std::collections::HashSet;

use serde_json::Value;

use crate::helpers::{CURVES, DATES, DERIVED_ROWS, MONTHLY_ROWS, price, row_key, spawn_app};

#[tokio::test]
async fn walking_next_cursor_visits_every_row_exactly_once_in_order() {
    let app = spawn_app().await;
    let pages = app.walk("/v2/curves?iso=PJM&limit=7").await;
    let rows: Vec<Value> = pages.into_iter().flatten().collect();
    // Two PJM curves × 4 dates × (12 months + Calendar + 4 quarters).
    assert_eq!(rows.len(), 2 * 4 * 17);
    let keys: HashSet<_> = rows.iter().map(row_key).collect();
    assert_eq!(keys.len(), rows.len(), "no row repeats");
    let dates: Vec<&str> = rows
        .iter()
        .map(|r| r["asof_date"].as_str().unwrap())
        .collect();
    let mut sorted = dates.clone();
    sorted.sort_by(|a, b| b.cmp(a));
    assert_eq!(dates, sorted, "newest pricing date first");
    assert!(rows.iter().all(|r| r["iso"] == "PJM"));
}

#[tokio::test]
async fn prev_cursor_returns_exactly_the_previous_page() {
    let app = spawn_app().await;
    let (_, first) = app.get_json("/v2/curves?asset_class=power&limit=5").await;
    assert!(
        first["meta"].get("prev_cursor").is_none(),
        "the first page has no prev_cursor"
    );
    let next = first["meta"]["next_cursor"].as_str().unwrap();
    let (_, second) = app
        .get_json(&format!(
            "/v2/curves?asset_class=power&limit=5&cursor={next}"
        ))
        .await;
    let prev = second["meta"]["prev_cursor"]
        .as_str()
        .expect("page two has a prev_cursor");
    let (_, back) = app
        .get_json(&format!(
            "/v2/curves?asset_class=power&limit=5&cursor={prev}"
        ))
        .await;
    assert_eq!(back["data"], first["data"]);
    assert!(
        back["meta"].get("prev_cursor").is_none(),
        "back on the first page"
    );
    assert_ne!(second["data"], first["data"]);
    assert!(
        second["links"]["prev"]
            .as_str()
            .unwrap()
            .starts_with("http://127.0.0.1:")
    );
}

#[tokio::test]
async fn a_cursor_reused_with_other_filters_is_rejected() {
    let app = spawn_app().await;
    let (_, first) = app.get_json("/v2/curves?iso=PJM&limit=5").await;
    let next = first["meta"]["next_cursor"].as_str().unwrap();
    let (status, problem) = app
        .get_json(&format!("/v2/curves?iso=NYMEX&limit=5&cursor={next}"))
        .await;
    assert_eq!(status, 400);
    assert_eq!(problem["type"], "/problems/invalid-cursor");
    assert!(
        problem["detail"]
            .as_str()
            .unwrap()
            .contains("different query")
    );
}

#[tokio::test]
async fn a_tampered_cursor_is_rejected() {
    let app = spawn_app().await;
    let (_, first) = app.get_json("/v2/curves?iso=PJM&limit=5").await;
    let next = first["meta"]["next_cursor"].as_str().unwrap().to_owned();
    let mut bytes = next.into_bytes();
    bytes[3] = if bytes[3] == b'A' { b'B' } else { b'A' };
    let tampered = String::from_utf8(bytes).unwrap();
    let (status, problem) = app
        .get_json(&format!("/v2/curves?iso=PJM&limit=5&cursor={tampered}"))
        .await;
    assert_eq!(status, 400);
    assert_eq!(problem["type"], "/problems/invalid-cursor");
    let (status, _) = app
        .get_json(&format!("/v2/curves?iso=PJM&cursor={}", "x".repeat(1001)))
        .await;
    assert_eq!(status, 400);
}

#[tokio::test]
async fn diff_reports_the_change_of_mid_between_two_dates() {
    let app = spawn_app().await;
    let (status, body) = app
        .get_json("/v2/curves/diff?asof_a=2026-11-17&asof_b=2026-11-20&block=ON_PEAK&tenor_type=MONTHLY&limit=100")
        .await;
    assert_eq!(status, 200, "{body}");
    let rows = body["data"].as_array().unwrap();
    assert_eq!(rows.len(), 12);
    let jan = rows.iter().find(|r| r["tenor_label"] == "2027-01").unwrap();
    // DATES[3] is 2026-11-17 (a), DATES[0] is 2026-11-20 (b).
    let (a, b) = (price(0, 3, 1), price(0, 0, 1));
    assert!((jan["mid_a"].as_f64().unwrap() - a).abs() < 1e-9);
    assert!((jan["mid_b"].as_f64().unwrap() - b).abs() < 1e-9);
    assert!((jan["diff_abs"].as_f64().unwrap() - (b - a)).abs() < 1e-9);
    assert!((jan["diff_pct"].as_f64().unwrap() - (b - a) / a).abs() < 1e-12);
}

#[tokio::test]
async fn diff_guardrails_say_what_to_change() {
    let app = spawn_app().await;
    let (status, p) = app
        .get_json("/v2/curves/diff?asof_a=2026-11-17&asof_b=2026-11-17&iso=PJM")
        .await;
    assert_eq!(status, 400);
    assert!(p["detail"].as_str().unwrap().contains("different"));
    let (status, p) = app
        .get_json("/v2/curves/diff?asof_a=2024-01-01&asof_b=2026-11-17&iso=PJM")
        .await;
    assert_eq!(status, 400);
    assert!(p["detail"].as_str().unwrap().contains("365"));
    let (status, p) = app
        .get_json("/v2/curves/diff?asof_a=2026-11-17&asof_b=2026-11-20")
        .await;
    assert_eq!(status, 400);
    assert_eq!(p["errors"][0]["parameter"], "curve_key");
}

#[tokio::test]
async fn strips_are_derived_only_from_complete_periods() {
    let app = spawn_app().await;
    let (status, body) = app
        .get_json("/v2/curves/strips?type=CALENDAR&asof=2026-11-20&limit=50")
        .await;
    assert_eq!(status, 200, "{body}");
    let rows = body["data"].as_array().unwrap();
    assert_eq!(rows.len(), CURVES.len());
    for row in rows {
        let c = CURVES.iter().position(|c| c.4 == row["block"]).unwrap();
        let mean = (1..=12).map(|m| price(c, 0, m)).sum::<f64>() / 12.0;
        assert!((row["mid"].as_f64().unwrap() - mean).abs() < 1e-9, "{row}");
        assert_eq!(row["tenor_label"], "Calendar 2027");
        assert_eq!(row["contract_month"], "2027-01-01");
    }
    let (_, q) = app
        .get_json("/v2/curves/strips?type=QUARTER&asof=2026-11-20&iso=PJM")
        .await;
    assert_eq!(q["data"].as_array().unwrap().len(), 2 * 4);
}

#[tokio::test]
async fn history_lists_one_tenor_newest_first() {
    let app = spawn_app().await;
    let (_, page) = app
        .get_json("/v2/curves?block=OFF_PEAK&tenor_type=MONTHLY&limit=1")
        .await;
    let key = page["data"][0]["curve_key"].as_str().unwrap().to_owned();
    let (status, body) = app
        .get_json(&format!(
            "/v2/curves/{key}/history?tenor_label=2027-03&limit=3"
        ))
        .await;
    assert_eq!(status, 200, "{body}");
    let rows = body["data"].as_array().unwrap();
    let dates: Vec<&str> = rows
        .iter()
        .map(|r| r["asof_date"].as_str().unwrap())
        .collect();
    assert_eq!(dates, DATES[..3].to_vec());
    assert!((rows[0]["value"].as_f64().unwrap() - price(1, 0, 3)).abs() < 1e-9);
    let next = body["meta"]["next_cursor"].as_str().unwrap();
    let (_, rest) = app
        .get_json(&format!(
            "/v2/curves/{key}/history?tenor_label=2027-03&limit=3&cursor={next}"
        ))
        .await;
    assert_eq!(rest["data"].as_array().unwrap().len(), 1);
    assert!(rest["meta"].get("next_cursor").is_none());
}

#[tokio::test]
async fn dimensions_count_rows_per_value_under_the_other_filters() {
    let app = spawn_app().await;
    let (status, body) = app.get_json("/v2/metadata/dimensions?iso=PJM").await;
    assert_eq!(status, 200, "{body}");
    let per_curve = ((MONTHLY_ROWS + DERIVED_ROWS) / CURVES.len()) as u64;
    // The iso facet ignores the iso filter itself.
    let isos = body["data"]["iso"].as_array().unwrap();
    assert_eq!(isos.len(), 2);
    assert_eq!(isos[0]["value"], "PJM");
    assert_eq!(isos[0]["count"].as_u64().unwrap(), 2 * per_curve);
    assert_eq!(isos[1]["count"].as_u64().unwrap(), per_curve);
    // Other facets apply it: only the two PJM blocks remain.
    let blocks: Vec<&str> = body["data"]["block"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["value"].as_str().unwrap())
        .collect();
    assert_eq!(blocks, ["OFF_PEAK", "ON_PEAK"]);
    let (_, pre) = app.get_json("/v2/metadata/dimensions?prefix=of").await;
    assert_eq!(pre["data"]["block"][0]["value"], "OFF_PEAK");
    assert!(pre["data"]["iso"].as_array().unwrap().is_empty());
}

#[tokio::test]
async fn export_streams_every_matching_row_as_csv_and_ndjson() {
    let app = spawn_app().await;
    let res = app.get("/v2/curves/export").await;
    assert_eq!(res.status(), 200);
    assert!(
        res.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/csv")
    );
    let text = res.text().await.unwrap();
    assert_eq!(text.lines().count(), 1 + MONTHLY_ROWS + DERIVED_ROWS);
    assert!(text.starts_with("curve_key,asof_date,"));
    let res = app.get("/v2/curves/export?format=ndjson&iso=NYMEX").await;
    let text = res.text().await.unwrap();
    assert_eq!(text.lines().count(), (MONTHLY_ROWS + DERIVED_ROWS) / 3);
    for line in text.lines() {
        let v: Value = serde_json::from_str(line).unwrap();
        assert_eq!(v["iso"], "NYMEX");
    }
}

#[tokio::test]
async fn csv_escapes_formula_cells_and_keeps_negative_numbers() {
    let app = spawn_app().await;
    let res = app.get("/v2/curves?iso=NYMEX&limit=2&format=csv").await;
    assert_eq!(res.status(), 200);
    let cursor = res.headers().get("x-next-cursor").cloned();
    assert!(
        res.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .contains("attachment")
    );
    let text = res.text().await.unwrap();
    assert!(text.contains("\"'=HENRY HUB\""), "{text}");
    assert!(cursor.is_some(), "the cursor travels in X-Next-Cursor");
    assert_eq!(text.lines().count(), 3);
}

#[tokio::test]
async fn bad_parameters_are_all_named_in_one_problem() {
    let app = spawn_app().await;
    let (status, p) = app
        .get_json("/v2/curves?limit=0&asof=yesterday&asset_class=coal")
        .await;
    assert_eq!(status, 400);
    assert_eq!(p["type"], "/problems/invalid-parameter");
    let params: HashSet<&str> = p["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["parameter"].as_str().unwrap())
        .collect();
    assert_eq!(params, HashSet::from(["limit", "asof", "asset_class"]));
    let (status, p) = app.get_json("/v2/curves?limit=501").await;
    assert_eq!(status, 400);
    assert!(p["detail"].as_str().unwrap().contains("dimension filter"));
    let (status, _) = app.get_json("/v2/curves?limit=501&iso=PJM").await;
    assert_eq!(status, 200);
    assert_eq!(DATES.len(), 4);
}
