//! Evaluates SLOs on one scrape: the cumulative counters since the instance started. Latency
//! and queue-wait quantiles are estimated from histogram buckets summed across the matching
//! series, by the linear interpolation of `PromQL`'s `histogram_quantile`; ratios come from
//! counters. An SLO with no data is reported as such (a breach only under `--strict`).

use serde::Serialize;

use super::definition::{Definition, LabelRegex, Objective, RouteGroup, Slo};
use super::exposition::{Exposition, Sample, parse_float};

/// Relative slack when comparing an estimate with its bound, so that a value that is exactly
/// on the bound (up to rounding) passes.
const SLACK: f64 = 1e-9;

/// The verdict of one SLO.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Within the objective.
    Pass,
    /// Outside the objective.
    Breach,
    /// Nothing to judge (no requests, too few, or the metric is not exposed).
    NoData,
}

/// One SLO's result.
#[derive(Debug, Clone, Serialize)]
pub struct SloResult {
    /// The SLO's name.
    pub name: String,
    /// `error_ratio`, `latency`, `cache_hit_ratio` or `queue_wait`.
    pub kind: &'static str,
    /// The objective in words, e.g. `p99 <= 250 ms`.
    pub objective: String,
    /// The observed value (availability ratio, quantile in seconds, hit ratio); `None` without
    /// data.
    pub observed: Option<f64>,
    /// Requests or observations the verdict rests on.
    pub events: f64,
    /// The verdict.
    pub status: Status,
    /// Why, when the numbers alone do not say.
    pub detail: Option<String>,
}

/// A `histogram_quantile` estimate.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Quantile {
    /// Interpolated within a finite bucket.
    Value(f64),
    /// The rank falls in the `+Inf` bucket: the quantile is above the highest finite bound
    /// (`PromQL` returns that bound).
    AboveHighestBucket(f64),
    /// No observations, or not a histogram (no `+Inf` bucket, fewer than two buckets).
    NoData,
}

/// `histogram_quantile(q, …)` over cumulative `(upper bound, count)` buckets in any order,
/// as `PromQL` computes it: buckets sorted, equal bounds merged, counts made monotonic, the
/// first bucket's lower bound taken as 0 (when its upper bound is positive).
pub fn histogram_quantile(q: f64, buckets: &[(f64, f64)]) -> Quantile {
    let mut b: Vec<(f64, f64)> = Vec::with_capacity(buckets.len());
    let mut sorted = buckets.to_vec();
    sorted.sort_by(|x, y| x.0.total_cmp(&y.0));
    for (bound, count) in sorted {
        match b.last_mut() {
            Some(last) if same_bound(last.0, bound) => last.1 += count,
            _ => b.push((bound, count)),
        }
    }
    if b.len() < 2 || b.last().is_none_or(|l| l.0 != f64::INFINITY) {
        return Quantile::NoData;
    }
    let mut max = f64::NEG_INFINITY;
    for bucket in &mut b {
        max = max.max(bucket.1);
        bucket.1 = max;
    }
    let observations = b[b.len() - 1].1;
    if observations <= 0.0 {
        return Quantile::NoData;
    }
    let mut rank = q * observations;
    let i = b[..b.len() - 1]
        .iter()
        .position(|x| x.1 >= rank)
        .unwrap_or(b.len() - 1);
    if i == b.len() - 1 {
        return Quantile::AboveHighestBucket(b[b.len() - 2].0);
    }
    if i == 0 && b[0].0 <= 0.0 {
        return Quantile::Value(b[0].0);
    }
    let (mut start, end, mut count) = (0.0, b[i].0, b[i].1);
    if i > 0 {
        start = b[i - 1].0;
        count -= b[i - 1].1;
        rank -= b[i - 1].1;
    }
    Quantile::Value(start + (end - start) * (rank / count))
}

/// Whether two bucket bounds are the same `le` (exactly: every series writes a bound alike).
fn same_bound(a: f64, b: f64) -> bool {
    a.total_cmp(&b).is_eq()
}

/// Evaluates every SLO of `definition` on `scrape`.
pub fn evaluate(definition: &Definition, scrape: &Exposition) -> Vec<SloResult> {
    definition
        .slos
        .iter()
        .map(|slo| evaluate_one(slo, scrape))
        .collect()
}

fn evaluate_one(slo: &Slo, scrape: &Exposition) -> SloResult {
    match &slo.objective {
        Objective::ErrorRatio {
            group,
            error_statuses,
            objective,
        } => error_ratio(slo, scrape, group, error_statuses, *objective),
        Objective::Latency {
            group,
            statuses,
            quantile,
            threshold_seconds,
        } => {
            let keep = |s: &Sample| in_group(s, group) && statuses.is_match(status(s));
            let buckets = sum_buckets(scrape, "http_server_request_duration_seconds", keep);
            judge_quantile(slo, "latency", buckets, *quantile, *threshold_seconds)
        }
        Objective::CacheHitRatio {
            namespaces,
            min_ratio,
            min_requests,
        } => cache_hit_ratio(slo, scrape, namespaces, *min_ratio, *min_requests),
        Objective::QueueWait {
            quantile,
            threshold_seconds,
        } => {
            let buckets = sum_buckets(scrape, "aurum_scenario_queue_wait_seconds", |_| true);
            judge_quantile(slo, "queue_wait", buckets, *quantile, *threshold_seconds)
        }
    }
}

fn status(s: &Sample) -> &str {
    s.label("http_response_status_code")
}

fn in_group(s: &Sample, group: &RouteGroup) -> bool {
    group.contains(s.label("http_request_method"), s.label("http_route"))
}

/// The buckets of histogram `metric` summed by `le` over the series `keep` accepts; `None`
/// when the metric has no series at all.
fn sum_buckets(
    scrape: &Exposition,
    metric: &str,
    keep: impl Fn(&Sample) -> bool,
) -> Option<Vec<(f64, f64)>> {
    let name = format!("{metric}_bucket");
    let mut exposed = false;
    let mut buckets: Vec<(f64, f64)> = Vec::new();
    for s in scrape.named(&name) {
        exposed = true;
        let Some(le) = parse_float(s.label("le")) else {
            continue;
        };
        if !keep(s) {
            continue;
        }
        match buckets.iter_mut().find(|b| same_bound(b.0, le)) {
            Some(b) => b.1 += s.value,
            None => buckets.push((le, s.value)),
        }
    }
    exposed.then_some(buckets)
}

fn result(slo: &Slo, kind: &'static str, objective: String) -> SloResult {
    SloResult {
        name: slo.name.clone(),
        kind,
        objective,
        observed: None,
        events: 0.0,
        status: Status::NoData,
        detail: None,
    }
}

fn judge_quantile(
    slo: &Slo,
    kind: &'static str,
    buckets: Option<Vec<(f64, f64)>>,
    q: f64,
    threshold: f64,
) -> SloResult {
    let mut r = result(
        slo,
        kind,
        format!("{} <= {}", quantile_name(q), seconds(threshold)),
    );
    let Some(buckets) = buckets else {
        r.detail = Some("the histogram is not exposed".to_owned());
        return r;
    };
    r.events = buckets
        .iter()
        .find(|b| b.0 == f64::INFINITY)
        .map_or(0.0, |b| b.1);
    match histogram_quantile(q, &buckets) {
        Quantile::NoData => r.detail = Some("no observations".to_owned()),
        Quantile::Value(v) => {
            r.observed = Some(v);
            r.status = if v > threshold * (1.0 + SLACK) {
                Status::Breach
            } else {
                Status::Pass
            };
        }
        Quantile::AboveHighestBucket(bound) => {
            r.observed = Some(bound);
            r.status = Status::Breach;
            r.detail = Some(format!(
                "{} lies above the highest finite bucket ({})",
                quantile_name(q),
                seconds(bound)
            ));
        }
    }
    r
}

fn error_ratio(
    slo: &Slo,
    scrape: &Exposition,
    group: &RouteGroup,
    errors: &LabelRegex,
    objective: f64,
) -> SloResult {
    let mut r = result(
        slo,
        "error_ratio",
        format!(
            "not {} >= {}",
            status_class(errors.as_str()),
            percent(objective)
        ),
    );
    let (mut total, mut bad) = (0.0, 0.0);
    for s in scrape
        .named("http_server_requests_total")
        .filter(|s| in_group(s, group))
    {
        total += s.value;
        if errors.is_match(status(s)) {
            bad += s.value;
        }
    }
    r.events = total;
    if total <= 0.0 {
        r.detail = Some("no requests".to_owned());
        return r;
    }
    let good = 1.0 - bad / total;
    r.observed = Some(good);
    r.status = if bad / total > (1.0 - objective) * (1.0 + SLACK) {
        Status::Breach
    } else {
        Status::Pass
    };
    r
}

fn cache_hit_ratio(
    slo: &Slo,
    scrape: &Exposition,
    namespaces: &LabelRegex,
    min_ratio: f64,
    min_requests: f64,
) -> SloResult {
    let mut r = result(
        slo,
        "cache_hit_ratio",
        format!("hit ratio >= {}", percent(min_ratio)),
    );
    let (mut total, mut hits) = (0.0, 0.0);
    for s in scrape
        .named("aurum_cache_requests_total")
        .filter(|s| namespaces.is_match(s.label("namespace")) && s.label("result") != "bypass")
    {
        total += s.value;
        if s.label("result") == "hit" {
            hits += s.value;
        }
    }
    r.events = total;
    if total < min_requests {
        r.detail = Some(format!("fewer than {min_requests} requests"));
        return r;
    }
    let ratio = hits / total;
    r.observed = Some(ratio);
    r.status = if ratio < min_ratio * (1.0 - SLACK) {
        Status::Breach
    } else {
        Status::Pass
    };
    r
}

/// `5..` as `5xx`; other regexes as written.
fn status_class(regex: &str) -> String {
    if regex.len() == 3 && regex.bytes().all(|b| b.is_ascii_digit() || b == b'.') {
        regex.replace('.', "x")
    } else {
        regex.to_owned()
    }
}

/// `p99`, `p99.9`, `p50`.
fn quantile_name(q: f64) -> String {
    format!("p{}", trim(q * 100.0, 3))
}

/// Seconds as `250 ms` below one second, else `1.5 s`.
pub fn seconds(v: f64) -> String {
    if v < 1.0 {
        format!("{} ms", trim(v * 1000.0, 3))
    } else {
        format!("{} s", trim(v, 3))
    }
}

/// A ratio as a percentage, e.g. `99.9%`.
pub fn percent(v: f64) -> String {
    format!("{}%", trim(v * 100.0, 3))
}

/// `v` with at most `decimals` decimals, without trailing zeros.
fn trim(v: f64, decimals: usize) -> String {
    let s = format!("{v:.decimals$}");
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_owned()
    } else {
        s
    }
}

#[cfg(test)]
mod tests;
