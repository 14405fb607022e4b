//! The outcome of `aurum slo check`: the verdict of every SLO, as an aligned text table or as
//! JSON, and the overall pass or fail that decides the exit code.

use std::fmt::Write as _;

use serde::Serialize;

use super::evaluate::{SloResult, Status, percent, seconds};

/// Every SLO's verdict on one scrape.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    /// Where the metrics came from.
    pub source: String,
    /// Whether an SLO without data fails the check.
    pub strict: bool,
    /// Whether the check passes: no breach (and, when strict, no SLO without data).
    pub passed: bool,
    /// In definition order.
    pub results: Vec<SloResult>,
}

impl Report {
    /// A report; `passed` follows from the results and `strict`.
    pub fn new(source: String, results: Vec<SloResult>, strict: bool) -> Self {
        let passed = results.iter().all(|r| match r.status {
            Status::Pass => true,
            Status::Breach => false,
            Status::NoData => !strict,
        });
        Self {
            source,
            strict,
            passed,
            results,
        }
    }

    /// Pretty JSON.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_default()
    }

    /// An aligned table, one line per SLO, then a summary line.
    pub fn to_text(&self) -> String {
        let header = ["SLO", "OBJECTIVE", "OBSERVED", "EVENTS", "RESULT"];
        let rows: Vec<[String; 5]> = self
            .results
            .iter()
            .map(|r| {
                let verdict = match (r.status, &r.detail) {
                    (Status::Pass, _) => "pass".to_owned(),
                    (Status::Breach, None) => "BREACH".to_owned(),
                    (Status::Breach, Some(d)) => format!("BREACH ({d})"),
                    (Status::NoData, d) => format!(
                        "{} ({})",
                        if self.strict { "NO DATA" } else { "no data" },
                        d.as_deref().unwrap_or("nothing measured")
                    ),
                };
                [
                    r.name.clone(),
                    r.objective.clone(),
                    observed(r),
                    count(r.events),
                    verdict,
                ]
            })
            .collect();
        let mut widths = header.map(str::len);
        for row in &rows {
            for (w, cell) in widths.iter_mut().zip(row) {
                *w = (*w).max(cell.chars().count());
            }
        }
        let mut out = String::new();
        let mut line = |cells: &[&str]| {
            let mut l = String::new();
            for (i, (cell, w)) in cells.iter().zip(widths).enumerate() {
                if i + 1 == cells.len() {
                    l.push_str(cell);
                } else {
                    let _ = write!(l, "{cell:<w$}  ");
                }
            }
            out.push_str(l.trim_end());
            out.push('\n');
        };
        line(&header);
        for row in &rows {
            line(&row.each_ref().map(String::as_str));
        }
        let count_of = |s: Status| self.results.iter().filter(|r| r.status == s).count();
        let _ = writeln!(
            out,
            "\n{}: {} pass, {} breach, {} no data (metrics from {}{})",
            if self.passed { "PASSED" } else { "FAILED" },
            count_of(Status::Pass),
            count_of(Status::Breach),
            count_of(Status::NoData),
            self.source,
            if self.strict { ", strict" } else { "" }
        );
        out
    }
}

fn observed(r: &SloResult) -> String {
    match (r.observed, r.kind) {
        (None, _) => "-".to_owned(),
        (Some(v), "latency" | "queue_wait") => seconds(v),
        (Some(v), _) => percent(v),
    }
}

/// A count without decimals when it is whole.
fn count(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        format!("{v:.0}")
    } else {
        format!("{v}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn result(name: &str, kind: &'static str, observed: Option<f64>, status: Status) -> SloResult {
        SloResult {
            name: name.to_owned(),
            kind,
            objective: "obj".to_owned(),
            observed,
            events: 12.0,
            status,
            detail: (status == Status::NoData).then(|| "no requests".to_owned()),
        }
    }

    #[test]
    fn no_data_passes_unless_strict_and_any_breach_fails() {
        let ok = || result("a", "latency", Some(0.1), Status::Pass);
        let none = || result("b", "latency", None, Status::NoData);
        let bad = || result("c", "error_ratio", Some(0.5), Status::Breach);
        assert!(Report::new("u".into(), vec![ok(), none()], false).passed);
        assert!(!Report::new("u".into(), vec![ok(), none()], true).passed);
        assert!(!Report::new("u".into(), vec![ok(), bad()], false).passed);
        assert!(Report::new("u".into(), vec![], true).passed);
    }

    #[test]
    fn the_text_table_aligns_columns_and_ends_with_a_summary() {
        let report = Report::new(
            "http://x/metrics".into(),
            vec![
                result("availability", "error_ratio", Some(0.9995), Status::Pass),
                result("q", "queue_wait", None, Status::NoData),
            ],
            false,
        );
        let text = report.to_text();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(
            lines[0],
            "SLO           OBJECTIVE  OBSERVED  EVENTS  RESULT"
        );
        assert_eq!(lines[1], "availability  obj        99.95%    12      pass");
        assert_eq!(
            lines[2],
            "q             obj        -         12      no data (no requests)"
        );
        assert_eq!(
            lines[4],
            "PASSED: 1 pass, 0 breach, 1 no data (metrics from http://x/metrics)"
        );
        let json: serde_json::Value = serde_json::from_str(&report.to_json()).unwrap();
        assert_eq!(json["passed"], true);
        assert_eq!(json["results"][1]["status"], "no_data");
        assert_eq!(json["results"][0]["observed"], 0.9995);
    }
}
