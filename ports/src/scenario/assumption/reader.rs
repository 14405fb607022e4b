//! Reads typed fields out of a JSON payload object, collecting a problem per bad field instead
//! of stopping at the first.

use chrono::NaiveDate;
use serde_json::{Map, Value};

use crate::scenario::{FieldProblem, Vocabulary};

/// Earliest year a driver may name.
const MIN_YEAR: i64 = 1900;
/// Latest year a driver may name.
const MAX_YEAR: i64 = 2100;

/// Field reader over one payload object; problems point at `/payload/<field>`.
pub(super) struct Reader<'a> {
    fields: &'a Map<String, Value>,
    problems: Vec<FieldProblem>,
}

/// Converts one present, non-null JSON value or says what is wrong with it.
type Convert<T> = fn(&Value) -> Result<T, String>;

impl<'a> Reader<'a> {
    pub(super) fn new(fields: &'a Map<String, Value>) -> Self {
        Self {
            fields,
            problems: Vec::new(),
        }
    }

    /// A field that must be present and valid; `None` after recording a problem.
    pub(super) fn required<T>(&mut self, name: &str, convert: Convert<T>) -> Option<T> {
        match self.fields.get(name) {
            None | Some(Value::Null) => {
                self.problem(name, "is required".to_owned());
                None
            }
            Some(v) => self.convert(name, v, convert),
        }
    }

    /// A field that may be absent or `null`; `None` also after recording a problem.
    pub(super) fn optional<T>(&mut self, name: &str, convert: Convert<T>) -> Option<T> {
        match self.fields.get(name) {
            None | Some(Value::Null) => None,
            Some(v) => self.convert(name, v, convert),
        }
    }

    /// The value built from the fields, or every problem recorded.
    pub(super) fn finish<T>(&mut self, value: Option<T>) -> Result<T, Vec<FieldProblem>> {
        match value {
            Some(v) if self.problems.is_empty() => Ok(v),
            _ if self.problems.is_empty() => Err(vec![FieldProblem::new(
                "/payload",
                "is incomplete".to_owned(),
            )]),
            _ => Err(std::mem::take(&mut self.problems)),
        }
    }

    fn convert<T>(&mut self, name: &str, v: &Value, convert: Convert<T>) -> Option<T> {
        match convert(v) {
            Ok(t) => Some(t),
            Err(detail) => {
                self.problem(name, detail);
                None
            }
        }
    }

    fn problem(&mut self, name: &str, detail: String) {
        self.problems
            .push(FieldProblem::new(format!("/payload/{name}"), detail));
    }
}

/// Non-blank text, kept exactly as given.
pub(super) fn text(v: &Value) -> Result<String, String> {
    match v {
        Value::String(s) if !s.trim().is_empty() => Ok(s.clone()),
        Value::String(_) => Err("must not be blank".to_owned()),
        _ => Err("must be a string".to_owned()),
    }
}

/// Any text, possibly empty.
pub(super) fn any_text(v: &Value) -> Result<String, String> {
    v.as_str()
        .map(str::to_owned)
        .ok_or_else(|| "must be a string".to_owned())
}

/// A JSON number.
pub(super) fn number(v: &Value) -> Result<f64, String> {
    v.as_f64().ok_or_else(|| "must be a number".to_owned())
}

/// A JSON number greater than zero.
pub(super) fn positive(v: &Value) -> Result<f64, String> {
    match number(v)? {
        n if n > 0.0 => Ok(n),
        _ => Err("must be greater than 0".to_owned()),
    }
}

/// A whole number (`2030` or `2030.0`) in 1900..=2100.
pub(super) fn year(v: &Value) -> Result<i32, String> {
    let whole = v.as_i64().or_else(|| {
        v.as_f64()
            .filter(|f| f.fract() == 0.0 && f.abs() < 1e6)
            .map(|f| {
                #[expect(
                    clippy::cast_possible_truncation,
                    reason = "a whole number below 1e6 in magnitude fits i64 exactly"
                )]
                let y = f as i64;
                y
            })
    });
    match whole {
        Some(y) if (MIN_YEAR..=MAX_YEAR).contains(&y) => {
            i32::try_from(y).map_err(|_| "is out of range".to_owned())
        }
        Some(_) => Err(format!("must be between {MIN_YEAR} and {MAX_YEAR}")),
        None => Err("must be a whole number (a year)".to_owned()),
    }
}

/// A calendar date `YYYY-MM-DD`.
pub(super) fn date(v: &Value) -> Result<NaiveDate, String> {
    v.as_str()
        .and_then(|s| NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").ok())
        .ok_or_else(|| "must be a date YYYY-MM-DD".to_owned())
}

/// One of a closed vocabulary, matched case-insensitively.
pub(super) fn variant<T: Vocabulary>(v: &Value) -> Result<T, String> {
    let allowed = || {
        let names: Vec<&str> = T::all().iter().map(|t| t.text()).collect();
        names.join(", ")
    };
    let raw = v
        .as_str()
        .ok_or_else(|| format!("must be a string, one of {}", allowed()))?;
    T::all()
        .iter()
        .copied()
        .find(|t| t.text().eq_ignore_ascii_case(raw.trim()))
        .ok_or_else(|| format!("unknown value '{raw}'; use one of {}", allowed()))
}
