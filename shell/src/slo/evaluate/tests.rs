//! Expected values are computed by hand in the comments, never by the code under test.

use super::*;
use crate::slo::exposition::parse;

const INF: f64 = f64::INFINITY;

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() < 1e-9
}

fn value(q: Quantile) -> f64 {
    match q {
        Quantile::Value(v) => v,
        other => panic!("expected a value, got {other:?}"),
    }
}

fn by_name<'a>(results: &'a [SloResult], name: &str) -> &'a SloResult {
    results.iter().find(|r| r.name == name).unwrap()
}

#[test]
fn histogram_quantile_interpolates_linearly_within_the_bucket_holding_the_rank() {
    let b = [(0.1, 50.0), (0.25, 90.0), (0.5, 100.0), (INF, 100.0)];
    // q=0.99: rank 99 falls in (0.25, 0.5] which holds 100-90 = 10; 99-90 = 9 of them:
    // 0.25 + 0.25 * 9/10 = 0.475.
    assert!(close(value(histogram_quantile(0.99, &b)), 0.475));
    // q=0.5: rank 50 is reached by the first bucket (lower bound 0): 0 + 0.1 * 50/50 = 0.1.
    assert!(close(value(histogram_quantile(0.5, &b)), 0.1));
    // q=0.7: rank 70 in (0.1, 0.25] holding 40; 70-50 = 20: 0.1 + 0.15 * 20/40 = 0.175.
    assert!(close(value(histogram_quantile(0.7, &b)), 0.175));
}

#[test]
fn histogram_quantile_sorts_merges_and_repairs_buckets_like_promql() {
    // The same histogram, unsorted and with the 0.25 bucket split in two series (40 + 50).
    let b = [
        (INF, 100.0),
        (0.25, 40.0),
        (0.1, 50.0),
        (0.5, 100.0),
        (0.25, 50.0),
    ];
    assert!(close(value(histogram_quantile(0.99, &b)), 0.475));
    // Non-monotonic counts are raised to the running maximum: (0.2, 4) becomes (0.2, 5).
    // q=0.5: rank 5 is reached by the first bucket: 0.1 * 5/5 = 0.1.
    let b = [(0.1, 5.0), (0.2, 4.0), (INF, 10.0)];
    assert!(close(value(histogram_quantile(0.5, &b)), 0.1));
    // A first bucket with a non-positive bound answers its bound.
    let b = [(0.0, 10.0), (1.0, 10.0), (INF, 10.0)];
    assert!(close(value(histogram_quantile(0.5, &b)), 0.0));
}

#[test]
fn histogram_quantile_reports_ranks_in_the_inf_bucket_and_missing_data() {
    // rank 9.9 > 1 observation at or below 0.1: above the highest finite bucket.
    let b = [(0.1, 1.0), (INF, 10.0)];
    assert_eq!(
        histogram_quantile(0.99, &b),
        Quantile::AboveHighestBucket(0.1)
    );
    assert_eq!(histogram_quantile(0.99, &[]), Quantile::NoData);
    assert_eq!(histogram_quantile(0.99, &[(INF, 5.0)]), Quantile::NoData);
    assert_eq!(
        histogram_quantile(0.99, &[(0.1, 1.0), (1.0, 5.0)]),
        Quantile::NoData,
        "no +Inf bucket"
    );
    assert_eq!(
        histogram_quantile(0.99, &[(0.1, 0.0), (INF, 0.0)]),
        Quantile::NoData
    );
}

/// A scrape on which the embedded SLOs give known verdicts (see each test).
const SCRAPE: &str = r#"
# TYPE http_server_requests_total counter
http_server_requests_total{http_request_method="GET",http_route="/v2/curves",http_response_status_code="200"} 997
http_server_requests_total{http_request_method="GET",http_route="/v2/curves",http_response_status_code="503"} 1
http_server_requests_total{http_request_method="POST",http_route="/v2/scenarios/{id}/runs",http_response_status_code="500"} 1
http_server_requests_total{http_request_method="GET",http_route="/v2/curves",http_response_status_code="404"} 1
http_server_requests_total{http_request_method="GET",http_route="/ready",http_response_status_code="503"} 50
http_server_requests_total{http_request_method="GET",http_route="/metrics",http_response_status_code="200"} 500
# TYPE http_server_request_duration_seconds histogram
http_server_request_duration_seconds_bucket{http_request_method="GET",http_route="/v2/curves",http_response_status_code="200",le="0.1"} 60
http_server_request_duration_seconds_bucket{http_request_method="GET",http_route="/v2/curves",http_response_status_code="200",le="0.25"} 70
http_server_request_duration_seconds_bucket{http_request_method="GET",http_route="/v2/curves",http_response_status_code="200",le="0.5"} 70
http_server_request_duration_seconds_bucket{http_request_method="GET",http_route="/v2/curves",http_response_status_code="200",le="+Inf"} 70
http_server_request_duration_seconds_sum{http_request_method="GET",http_route="/v2/curves",http_response_status_code="200"} 5
http_server_request_duration_seconds_count{http_request_method="GET",http_route="/v2/curves",http_response_status_code="200"} 70
http_server_request_duration_seconds_bucket{http_request_method="GET",http_route="/v2/curves/{curve_key}/history",http_response_status_code="200",le="0.1"} 20
http_server_request_duration_seconds_bucket{http_request_method="GET",http_route="/v2/curves/{curve_key}/history",http_response_status_code="200",le="0.25"} 28
http_server_request_duration_seconds_bucket{http_request_method="GET",http_route="/v2/curves/{curve_key}/history",http_response_status_code="200",le="0.5"} 30
http_server_request_duration_seconds_bucket{http_request_method="GET",http_route="/v2/curves/{curve_key}/history",http_response_status_code="200",le="+Inf"} 30
http_server_request_duration_seconds_bucket{http_request_method="GET",http_route="/v2/curves",http_response_status_code="503",le="0.1"} 0
http_server_request_duration_seconds_bucket{http_request_method="GET",http_route="/v2/curves",http_response_status_code="503",le="0.25"} 0
http_server_request_duration_seconds_bucket{http_request_method="GET",http_route="/v2/curves",http_response_status_code="503",le="0.5"} 0
http_server_request_duration_seconds_bucket{http_request_method="GET",http_route="/v2/curves",http_response_status_code="503",le="+Inf"} 1000
http_server_request_duration_seconds_bucket{http_request_method="GET",http_route="/v2/metadata/dimensions",http_response_status_code="200",le="0.1"} 60
http_server_request_duration_seconds_bucket{http_request_method="GET",http_route="/v2/metadata/dimensions",http_response_status_code="200",le="0.25"} 70
http_server_request_duration_seconds_bucket{http_request_method="GET",http_route="/v2/metadata/dimensions",http_response_status_code="200",le="0.5"} 70
http_server_request_duration_seconds_bucket{http_request_method="GET",http_route="/v2/metadata/dimensions",http_response_status_code="200",le="+Inf"} 70
http_server_request_duration_seconds_bucket{http_request_method="GET",http_route="/health",http_response_status_code="200",le="0.1"} 0
http_server_request_duration_seconds_bucket{http_request_method="GET",http_route="/health",http_response_status_code="200",le="+Inf"} 9
# TYPE aurum_cache_requests_total counter
aurum_cache_requests_total{namespace="curves",result="hit"} 40
aurum_cache_requests_total{namespace="curves",result="miss"} 50
aurum_cache_requests_total{namespace="curves",result="error"} 10
aurum_cache_requests_total{namespace="dimensions",result="hit"} 5
aurum_cache_requests_total{namespace="dimensions",result="miss"} 5
# TYPE aurum_scenario_queue_wait_seconds histogram
aurum_scenario_queue_wait_seconds_bucket{le="1"} 90
aurum_scenario_queue_wait_seconds_bucket{le="5"} 99
aurum_scenario_queue_wait_seconds_bucket{le="10"} 100
aurum_scenario_queue_wait_seconds_bucket{le="+Inf"} 100
"#;

fn embedded_results(text: &str) -> Vec<SloResult> {
    evaluate(&Definition::embedded().unwrap(), &parse(text).unwrap())
}

#[test]
fn availability_counts_5xx_over_non_ops_routes() {
    let results = embedded_results(SCRAPE);
    let r = by_name(&results, "availability");
    // Non-ops requests: 997 + 1 + 1 + 1 = 1000 (/ready and /metrics excluded); errors: the 503
    // and the 500 = 2; good = 998/1000 = 0.998 < 0.999.
    assert!(close(r.events, 1000.0));
    assert!(close(r.observed.unwrap(), 0.998));
    assert_eq!(r.status, Status::Breach);
    assert_eq!(r.objective, "not 5xx >= 99.9%");
}

#[test]
fn availability_exactly_on_the_objective_passes() {
    // 998 + 1 (404) + 1 (503) = 1000 requests, 1 error: 999/1000 = 0.999, the objective.
    let text = r#"
http_server_requests_total{http_request_method="GET",http_route="/v2/curves",http_response_status_code="200"} 998
http_server_requests_total{http_request_method="GET",http_route="/v2/curves",http_response_status_code="404"} 1
http_server_requests_total{http_request_method="GET",http_route="/v2/curves",http_response_status_code="503"} 1
http_server_requests_total{http_request_method="GET",http_route="/readyz",http_response_status_code="503"} 7
"#;
    let results = embedded_results(text);
    let r = by_name(&results, "availability");
    assert!(close(r.observed.unwrap(), 0.999));
    assert_eq!(r.status, Status::Pass);
}

#[test]
fn latency_sums_the_groups_series_and_leaves_out_5xx_and_other_groups() {
    let results = embedded_results(SCRAPE);
    // Curves GET 200 series summed: le 0.1 -> 60+20 = 80, 0.25 -> 70+28 = 98,
    // 0.5 -> 70+30 = 100, +Inf -> 100 (the 503 series with 1000 in +Inf is left out).
    // rank 0.99 * 100 = 99 in (0.25, 0.5] holding 2; 99-98 = 1: 0.25 + 0.25 * 1/2 = 0.375.
    let r = by_name(&results, "curves-read-latency");
    assert!(close(r.events, 100.0));
    assert!(close(r.observed.unwrap(), 0.375));
    assert_eq!(r.status, Status::Breach);
    assert_eq!(r.objective, "p99 <= 250 ms");
    // Metadata: 60 / 70 / 70 / 70; rank 0.99 * 70 = 69.3 in (0.1, 0.25] holding 10;
    // 69.3-60 = 9.3: 0.1 + 0.15 * 0.93 = 0.2395 <= 0.25.
    let r = by_name(&results, "metadata-read-latency");
    assert!(close(r.observed.unwrap(), 0.2395));
    assert_eq!(r.status, Status::Pass);
    // No scenario request at all (the histogram is exposed, the group has no series).
    let r = by_name(&results, "scenarios-latency");
    assert_eq!(r.status, Status::NoData);
    assert_eq!(r.observed, None);
    assert!(close(r.events, 0.0));
}

#[test]
fn cache_hit_ratios_count_errors_as_misses_and_need_a_minimum_volume() {
    let results = embedded_results(SCRAPE);
    // curves: 40 hits of 40 + 50 + 10 = 100 requests: 0.4 < 0.5.
    let r = by_name(&results, "cache-hit-ratio-curves");
    assert!(close(r.events, 100.0));
    assert!(close(r.observed.unwrap(), 0.4));
    assert_eq!(r.status, Status::Breach);
    // dimensions: 10 requests < 100: no verdict.
    let r = by_name(&results, "cache-hit-ratio-metadata");
    assert_eq!(r.status, Status::NoData);
    assert!(close(r.events, 10.0));
    // scenario-outputs: nothing.
    let r = by_name(&results, "cache-hit-ratio-scenario-outputs");
    assert_eq!(r.status, Status::NoData);
}

#[test]
fn a_cache_group_spans_its_namespaces_and_ignores_bypasses() {
    // curves 40 hits / (40 + 50 + 10 oversize) = 100 lookups plus strips 20 hits / 20:
    // 60 / 120 = 0.5, exactly the floor; the 500 bypasses (caching off) are no lookups.
    let text = r#"
aurum_cache_requests_total{namespace="curves",result="hit"} 40
aurum_cache_requests_total{namespace="curves",result="miss"} 50
aurum_cache_requests_total{namespace="curves",result="oversize"} 10
aurum_cache_requests_total{namespace="curves",result="bypass"} 500
aurum_cache_requests_total{namespace="strips",result="hit"} 20
aurum_cache_requests_total{namespace="dimensions",result="miss"} 1000
"#;
    let results = embedded_results(text);
    let r = by_name(&results, "cache-hit-ratio-curves");
    assert!(close(r.events, 120.0));
    assert!(close(r.observed.unwrap(), 0.5));
    assert_eq!(r.status, Status::Pass);
}

#[test]
fn queue_wait_is_judged_on_its_histogram() {
    // 90 / 99 / 100 / 100: rank 99 is reached exactly at le=5: 1 + 4 * 9/9 = 5 <= 5.
    let results = embedded_results(SCRAPE);
    let r = by_name(&results, "scenario-queue-wait");
    assert!(close(r.observed.unwrap(), 5.0));
    assert_eq!(r.status, Status::Pass);
    // 90 / 98 / 100 / 100: rank 99 in (5, 10] holding 2; 99-98 = 1: 5 + 5 * 1/2 = 7.5 > 5.
    let slow = SCRAPE.replace(
        "aurum_scenario_queue_wait_seconds_bucket{le=\"5\"} 99",
        "aurum_scenario_queue_wait_seconds_bucket{le=\"5\"} 98",
    );
    let results = embedded_results(&slow);
    let r = by_name(&results, "scenario-queue-wait");
    assert!(close(r.observed.unwrap(), 7.5));
    assert_eq!(r.status, Status::Breach);
}

#[test]
fn a_quantile_beyond_the_highest_bucket_is_a_breach_and_a_missing_histogram_is_no_data() {
    // 3 runs, all slower than 10 s: the rank is in +Inf; PromQL would say 10 s.
    let text = "aurum_scenario_queue_wait_seconds_bucket{le=\"10\"} 0\n\
                aurum_scenario_queue_wait_seconds_bucket{le=\"+Inf\"} 3\n";
    let results = embedded_results(text);
    let r = by_name(&results, "scenario-queue-wait");
    assert_eq!(r.status, Status::Breach);
    assert!(close(r.observed.unwrap(), 10.0));
    assert!(r.detail.as_deref().unwrap().contains("above the highest"));
    let results = embedded_results("");
    let r = by_name(&results, "scenario-queue-wait");
    assert_eq!(r.status, Status::NoData);
    assert_eq!(r.detail.as_deref(), Some("the histogram is not exposed"));
    assert!(results.iter().all(|r| r.status == Status::NoData));
}

#[test]
fn numbers_are_written_for_people() {
    assert_eq!(seconds(0.25), "250 ms");
    assert_eq!(seconds(0.0005), "0.5 ms");
    assert_eq!(seconds(5.0), "5 s");
    assert_eq!(percent(0.999), "99.9%");
    assert_eq!(percent(0.5), "50%");
    assert_eq!(quantile_name(0.99), "p99");
    assert_eq!(quantile_name(0.999), "p99.9");
    assert_eq!(status_class("5.."), "5xx");
    assert_eq!(status_class("5..|429"), "5..|429");
}
