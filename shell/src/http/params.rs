//! Query-string parsing that reports every bad parameter at once, by name, instead of failing
//! on the first one. Handlers document their parameters with `IntoParams` structs and parse
//! with these helpers.

use std::str::FromStr;

use actix_web::HttpRequest;
use chrono::NaiveDate;

use aurum_core::service::ParameterProblem;
use aurum_ports::{CurveFilters, CurveKey, DimValue};

use super::problem::ApiError;

/// The query parameters of one request (last value wins for repeated names).
#[derive(Debug, Default)]
pub struct Params {
    pairs: Vec<(String, String)>,
    /// Problems found so far.
    pub problems: Vec<ParameterProblem>,
}

impl Params {
    /// Parses the request's query string.
    ///
    /// # Errors
    /// A 400 when the query string is not valid `application/x-www-form-urlencoded`.
    pub fn of(req: &HttpRequest) -> Result<Self, ApiError> {
        let pairs = serde_urlencoded::from_str::<Vec<(String, String)>>(req.query_string())
            .map_err(|_| {
                ApiError::invalid(vec![ParameterProblem::new(
                    "query",
                    "the query string is not valid URL encoding",
                )])
            })?;
        Ok(Self {
            pairs,
            problems: Vec::new(),
        })
    }

    /// The raw value of `name`, if given (empty counts as absent).
    pub fn raw(&self, name: &str) -> Option<&str> {
        self.pairs
            .iter()
            .rev()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// The cursor, if given and not empty (an empty `cursor=` means the first page).
    pub fn cursor(&self) -> Option<String> {
        self.raw("cursor")
            .filter(|c| !c.is_empty())
            .map(str::to_owned)
    }

    fn problem(&mut self, name: &str, detail: String) {
        self.problems.push(ParameterProblem::new(name, detail));
    }

    /// A date `YYYY-MM-DD`.
    pub fn date(&mut self, name: &str) -> Option<NaiveDate> {
        let raw = self.raw(name)?.trim().to_owned();
        if let Ok(d) = NaiveDate::parse_from_str(&raw, "%Y-%m-%d") {
            Some(d)
        } else {
            self.problem(
                name,
                format!("{name} must be a date YYYY-MM-DD, got '{}'", clip(&raw)),
            );
            None
        }
    }

    /// A required date.
    pub fn required_date(&mut self, name: &str) -> Option<NaiveDate> {
        if self.raw(name).is_none() {
            self.problem(name, format!("{name} is required (YYYY-MM-DD)"));
            return None;
        }
        self.date(name)
    }

    /// A value of a vocabulary enum (case-insensitive).
    pub fn enumeration<T: FromStr>(&mut self, name: &str, allowed: &str) -> Option<T> {
        let raw = self.raw(name)?.to_owned();
        if let Ok(v) = raw.parse::<T>() {
            Some(v)
        } else {
            self.problem(
                name,
                format!("{name} must be one of {allowed}, got '{}'", clip(&raw)),
            );
            None
        }
    }

    /// A free-text dimension value.
    pub fn dim(&mut self, name: &str) -> Option<DimValue> {
        let raw = self.raw(name)?.to_owned();
        match DimValue::parse(&raw) {
            Ok(v) => Some(v),
            Err(e) => {
                self.problem(name, format!("{name} {e}"));
                None
            }
        }
    }

    /// An integer within `min..=max`, `default` when absent.
    pub fn integer(&mut self, name: &str, default: usize, min: usize, max: usize) -> usize {
        let Some(raw) = self.raw(name).map(str::to_owned) else {
            return default;
        };
        match raw.trim().parse::<usize>() {
            Ok(n) if (min..=max).contains(&n) => n,
            _ => {
                self.problem(
                    name,
                    format!(
                        "{name} must be an integer from {min} to {max}, got '{}'",
                        clip(&raw)
                    ),
                );
                default
            }
        }
    }

    /// A plain string of `min_chars..=max_chars` characters.
    pub fn text(&mut self, name: &str, min_chars: usize, max_chars: usize) -> Option<String> {
        let raw = self.raw(name)?.to_owned();
        let n = raw.chars().count();
        if n < min_chars || n > max_chars {
            self.problem(
                name,
                format!("{name} must be {min_chars} to {max_chars} characters long"),
            );
            return None;
        }
        Some(raw)
    }

    /// The shared curve filters.
    pub fn curve_filters(&mut self) -> CurveFilters {
        let curve_key =
            self.raw("curve_key")
                .map(str::to_owned)
                .and_then(|raw| match strict_curve_key(&raw) {
                    Ok(k) => Some(k),
                    Err(e) => {
                        self.problem("curve_key", e.to_string());
                        None
                    }
                });
        CurveFilters {
            curve_key,
            asset_class: self.enumeration(
                "asset_class",
                "power, renewable, gas, carbon, storage, other",
            ),
            iso: self.dim("iso"),
            location: self.dim("location"),
            market: self.dim("market"),
            product: self.dim("product"),
            block: self.dim("block"),
            tenor_type: self.enumeration(
                "tenor_type",
                "MONTHLY, QUARTER, SEASON, CALENDAR, STRIP, CUSTOM",
            ),
        }
    }

    /// Fails with every problem found, or succeeds.
    ///
    /// # Errors
    /// A 400 `invalid-parameter` listing each problem.
    pub fn finish(&mut self) -> Result<(), ApiError> {
        if self.problems.is_empty() {
            Ok(())
        } else {
            Err(ApiError::invalid(std::mem::take(&mut self.problems)))
        }
    }
}

/// A curve key exactly as given: unlike ingestion, a request may not pad it with spaces.
///
/// # Errors
/// When the key is not 1 to 128 characters of `[A-Za-z0-9_.:-]`.
pub fn strict_curve_key(raw: &str) -> Result<CurveKey, aurum_ports::curve::InvalidCurveKey> {
    if raw.trim() != raw {
        return Err(aurum_ports::curve::InvalidCurveKey);
    }
    CurveKey::parse(raw)
}

/// Clips echoed input so problems stay small.
fn clip(raw: &str) -> String {
    raw.chars().take(64).collect()
}

/// The response format a request asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// `application/json`
    Json,
    /// `text/csv`
    Csv,
}

impl Format {
    /// `format=csv|json`, else `Accept: text/csv` without JSON, else JSON.
    pub fn negotiate(req: &HttpRequest, params: &mut Params) -> Self {
        match params.raw("format").map(str::to_ascii_lowercase).as_deref() {
            Some("csv") => return Self::Csv,
            Some("json") => return Self::Json,
            Some(other) => {
                let other = clip(other);
                params.problems.push(ParameterProblem::new(
                    "format",
                    format!("format must be json or csv, got '{other}'"),
                ));
                return Self::Json;
            }
            None => {}
        }
        let accept = req
            .headers()
            .get(actix_web::http::header::ACCEPT)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        if accept.contains("text/csv") && !accept.contains("application/json") {
            Self::Csv
        } else {
            Self::Json
        }
    }
}
