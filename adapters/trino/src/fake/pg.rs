//! The fake's engine: runs a statement on PostgreSQL and converts the result to what Trino
//! would send — column types (`varchar`, `decimal(p,s)`, `timestamp(6) with time zone`, …)
//! and JSON values (decimals as strings, NaN/Infinity as strings, timestamps with a space and
//! a zone, rounded to milliseconds unless the client asked for `PARAMETRIC_DATETIME`) — and
//! PostgreSQL's errors to Trino's (`SYNTAX_ERROR`, `TABLE_NOT_FOUND`, …).

use std::fmt::Write as _;
use std::str::FromStr as _;

use chrono::{DateTime, NaiveDate, NaiveDateTime, Offset as _, TimeDelta, Timelike as _, Utc};
use serde_json::{Value, json};
use tokio::task::JoinHandle;
use tokio_postgres::types::{FromSql, Type};
use tokio_postgres::{Client, Row};

use super::{FakeError, FakeQueryError};

/// Connects with `search_path = schema`; returns the client, its driver task and the
/// database's name.
pub(super) async fn connect(
    url: &str,
    schema: &str,
) -> Result<(Client, JoinHandle<()>, String), FakeError> {
    let pg = |e: tokio_postgres::Error| FakeError::Postgres(e.to_string());
    let mut config = tokio_postgres::Config::from_str(url).map_err(pg)?;
    config.application_name(schema);
    config.options(format!("-c search_path={schema}"));
    let (client, connection) = config.connect(tokio_postgres::NoTls).await.map_err(pg)?;
    let driver = tokio::spawn(async move {
        let _ = connection.await;
    });
    let row = client
        .query_one("SELECT current_database()", &[])
        .await
        .map_err(pg)?;
    let database: String = row.try_get(0).map_err(pg)?;
    Ok((client, driver, database))
}

/// One result column as Trino describes it.
pub(super) struct FakeColumn {
    pub name: String,
    pub type_name: String,
    pub signature: Value,
}

/// A finished statement.
pub(super) struct ResultSet {
    pub columns: Vec<FakeColumn>,
    pub rows: Vec<Vec<Value>>,
}

/// How to render values for one query.
pub(super) struct Session {
    /// `X-Trino-Time-Zone`, if sent.
    pub time_zone: Option<String>,
    /// `X-Trino-Client-Capabilities` included `PARAMETRIC_DATETIME`.
    pub parametric_datetime: bool,
}

/// Runs `sql` and converts its result.
pub(super) async fn execute(
    client: &Client,
    sql: &str,
    session: &Session,
) -> Result<ResultSet, FakeQueryError> {
    let zone = Zone::parse(session.time_zone.as_deref())?;
    let statement = client.prepare(sql).await.map_err(|e| translate(&e))?;
    let rows = client
        .query(&statement, &[])
        .await
        .map_err(|e| translate(&e))?;
    let mut converters = Vec::with_capacity(statement.columns().len());
    for c in statement.columns() {
        converters.push(Converter::new(
            c.type_(),
            c.type_modifier(),
            session.parametric_datetime,
        )?);
    }
    // A `numeric` without a declared scale takes the largest scale among its values.
    for (i, conv) in converters.iter_mut().enumerate() {
        if let Converter::Decimal {
            precision: None,
            scale,
        } = conv
        {
            for row in &rows {
                if let Ok(Some(n)) = row.try_get::<_, Option<PgNumeric>>(i) {
                    *scale = (*scale).max(n.scale);
                }
            }
        }
    }
    let columns = statement
        .columns()
        .iter()
        .zip(&converters)
        .map(|(c, conv)| {
            let (type_name, signature) = conv.trino_type();
            FakeColumn {
                name: c.name().to_owned(),
                type_name,
                signature,
            }
        })
        .collect();
    let rows = rows
        .iter()
        .map(|row| {
            converters
                .iter()
                .enumerate()
                .map(|(i, conv)| conv.value(row, i, &zone))
                .collect::<Result<Vec<_>, _>>()
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok(ResultSet { columns, rows })
}

/// The session zone that `timestamp with time zone` values are shown in.
enum Zone {
    Utc,
    Named(chrono_tz::Tz, String),
    Offset(chrono::FixedOffset, String),
}

impl Zone {
    fn parse(raw: Option<&str>) -> Result<Self, FakeQueryError> {
        match raw {
            None | Some("UTC") => Ok(Self::Utc),
            Some(z) => {
                if let Ok(tz) = z.parse::<chrono_tz::Tz>() {
                    Ok(Self::Named(tz, z.to_owned()))
                } else if let Some(offset) = crate::types::parse_offset(z) {
                    Ok(Self::Offset(offset, z.to_owned()))
                } else {
                    Err(user_error(
                        "INVALID_SESSION_PROPERTY",
                        14,
                        format!("Time zone not supported: {z}"),
                    ))
                }
            }
        }
    }

    /// Local wall time and the zone's name.
    fn render(&self, instant: DateTime<Utc>) -> (NaiveDateTime, &str) {
        match self {
            Self::Utc => (instant.naive_utc(), "UTC"),
            Self::Named(tz, name) => (instant.with_timezone(tz).naive_local(), name),
            Self::Offset(offset, name) => {
                (instant.with_timezone(&offset.fix()).naive_local(), name)
            }
        }
    }
}

/// Converts one PostgreSQL column.
enum Converter {
    Boolean,
    SmallInt,
    Integer,
    BigInt,
    Real,
    Double,
    Decimal { precision: Option<u32>, scale: u32 },
    Varchar(Option<u32>),
    Char(u32),
    Date,
    Timestamp(u32),
    TimestampTz(u32),
}

fn long(n: u32) -> Value {
    json!({"kind": "LONG", "value": n})
}

impl Converter {
    fn new(ty: &Type, modifier: i32, parametric: bool) -> Result<Self, FakeQueryError> {
        let m = u32::try_from(modifier).ok();
        // Without PARAMETRIC_DATETIME, Trino rounds timestamps to milliseconds.
        let precision = |declared: Option<u32>| if parametric { declared.unwrap_or(6) } else { 3 };
        Ok(match *ty {
            Type::BOOL => Self::Boolean,
            Type::INT2 => Self::SmallInt,
            Type::INT4 => Self::Integer,
            Type::INT8 => Self::BigInt,
            Type::FLOAT4 => Self::Real,
            Type::FLOAT8 => Self::Double,
            Type::NUMERIC => match m.and_then(|m| m.checked_sub(4)) {
                Some(m) => Self::Decimal {
                    precision: Some((m >> 16) & 0xffff),
                    scale: m & 0xffff,
                },
                None => Self::Decimal {
                    precision: None,
                    scale: 0,
                },
            },
            Type::TEXT | Type::NAME | Type::UNKNOWN => Self::Varchar(None),
            Type::VARCHAR => Self::Varchar(m.and_then(|m| m.checked_sub(4))),
            Type::BPCHAR => Self::Char(m.and_then(|m| m.checked_sub(4)).unwrap_or(1)),
            Type::DATE => Self::Date,
            Type::TIMESTAMP => Self::Timestamp(precision(m)),
            Type::TIMESTAMPTZ => Self::TimestampTz(precision(m)),
            ref other => {
                return Err(user_error(
                    "NOT_SUPPORTED",
                    13,
                    format!("the fake Trino does not convert PostgreSQL type {other}"),
                ));
            }
        })
    }

    fn trino_type(&self) -> (String, Value) {
        let sig = |raw: &str, args: Vec<Value>| json!({"rawType": raw, "arguments": args});
        match self {
            Self::Boolean => ("boolean".to_owned(), sig("boolean", vec![])),
            Self::SmallInt => ("smallint".to_owned(), sig("smallint", vec![])),
            Self::Integer => ("integer".to_owned(), sig("integer", vec![])),
            Self::BigInt => ("bigint".to_owned(), sig("bigint", vec![])),
            Self::Real => ("real".to_owned(), sig("real", vec![])),
            Self::Double => ("double".to_owned(), sig("double", vec![])),
            Self::Decimal { precision, scale } => {
                let p = precision.unwrap_or(38);
                (
                    format!("decimal({p},{scale})"),
                    sig("decimal", vec![long(p), long(*scale)]),
                )
            }
            Self::Varchar(None) => (
                "varchar".to_owned(),
                sig("varchar", vec![long(2_147_483_647)]),
            ),
            Self::Varchar(Some(n)) => (format!("varchar({n})"), sig("varchar", vec![long(*n)])),
            Self::Char(n) => (format!("char({n})"), sig("char", vec![long(*n)])),
            Self::Date => ("date".to_owned(), sig("date", vec![])),
            Self::Timestamp(p) => (format!("timestamp({p})"), sig("timestamp", vec![long(*p)])),
            Self::TimestampTz(p) => (
                format!("timestamp({p}) with time zone"),
                sig("timestamp with time zone", vec![long(*p)]),
            ),
        }
    }

    fn value(&self, row: &Row, i: usize, zone: &Zone) -> Result<Value, FakeQueryError> {
        fn get<'a, T: FromSql<'a>>(row: &'a Row, i: usize) -> Result<Option<T>, FakeQueryError> {
            row.try_get::<_, Option<T>>(i)
                .map_err(|e| internal(format!("fake Trino: reading column {i}: {e}")))
        }
        Ok(match self {
            Self::Boolean => get::<bool>(row, i)?.map_or(Value::Null, Value::Bool),
            Self::SmallInt => get::<i16>(row, i)?.map_or(Value::Null, |v| json!(v)),
            Self::Integer => get::<i32>(row, i)?.map_or(Value::Null, |v| json!(v)),
            Self::BigInt => get::<i64>(row, i)?.map_or(Value::Null, |v| json!(v)),
            // Trino writes a real's shortest float spelling.
            Self::Real => get::<f32>(row, i)?.map_or(Value::Null, |v| {
                float(v.to_string().parse().unwrap_or(f64::NAN))
            }),
            Self::Double => get::<f64>(row, i)?.map_or(Value::Null, float),
            Self::Decimal { scale, .. } => get::<PgNumeric>(row, i)?
                .map_or(Value::Null, |n| Value::String(n.with_scale(*scale))),
            Self::Varchar(_) | Self::Char(_) => {
                get::<String>(row, i)?.map_or(Value::Null, Value::String)
            }
            Self::Date => get::<NaiveDate>(row, i)?.map_or(Value::Null, |d| {
                Value::String(d.format("%Y-%m-%d").to_string())
            }),
            Self::Timestamp(p) => get::<NaiveDateTime>(row, i)?
                .map_or(Value::Null, |t| Value::String(timestamp(t, *p))),
            Self::TimestampTz(p) => get::<DateTime<Utc>>(row, i)?.map_or(Value::Null, |t| {
                let rounded = round(t.naive_utc(), *p).and_utc();
                let (local, name) = zone.render(rounded);
                Value::String(format!("{} {name}", timestamp(local, *p)))
            }),
        })
    }
}

/// A double as Trino's JSON writer sends it: non-finite values as strings.
fn float(x: f64) -> Value {
    if x.is_nan() {
        Value::String("NaN".to_owned())
    } else if x.is_infinite() {
        Value::String(if x > 0.0 { "Infinity" } else { "-Infinity" }.to_owned())
    } else {
        json!(x)
    }
}

/// `t` rounded half up to `p` fractional digits (p ≤ 6).
fn round(t: NaiveDateTime, p: u32) -> NaiveDateTime {
    let unit = 10_i64.pow(9 - p.min(9));
    let nanos = i64::from(t.nanosecond());
    let rounded = (nanos + unit / 2) / unit * unit;
    t.with_nanosecond(0).unwrap_or(t) + TimeDelta::nanoseconds(rounded)
}

/// `YYYY-MM-DD HH:MM:SS.fff` with `p` fractional digits.
fn timestamp(t: NaiveDateTime, p: u32) -> String {
    let t = round(t, p);
    let base = t.format("%Y-%m-%d %H:%M:%S").to_string();
    if p == 0 {
        return base;
    }
    let frac = format!("{:09}", t.nanosecond());
    format!("{base}.{}", &frac[..usize::try_from(p.min(9)).unwrap_or(9)])
}

/// PostgreSQL's binary `numeric`, kept as decimal text.
struct PgNumeric {
    text: String,
    scale: u32,
}

impl PgNumeric {
    /// The text with exactly `scale` fractional digits.
    fn with_scale(&self, scale: u32) -> String {
        let (int, frac) = self.text.split_once('.').unwrap_or((&self.text, ""));
        let want = usize::try_from(scale).unwrap_or(0);
        let mut frac: String = frac.chars().take(want).collect();
        while frac.len() < want {
            frac.push('0');
        }
        if want == 0 {
            int.to_owned()
        } else {
            format!("{int}.{frac}")
        }
    }
}

impl<'a> FromSql<'a> for PgNumeric {
    fn from_sql(_: &Type, raw: &'a [u8]) -> Result<Self, Box<dyn std::error::Error + Sync + Send>> {
        let word = |i: usize| -> Result<u16, Box<dyn std::error::Error + Sync + Send>> {
            let b = raw.get(i * 2..i * 2 + 2).ok_or("short numeric")?;
            Ok(u16::from_be_bytes([b[0], b[1]]))
        };
        let ndigits = usize::from(word(0)?);
        let weight = i32::from(word(1)?.cast_signed());
        let sign = word(2)?;
        let dscale = u32::from(word(3)?);
        if sign == 0xC000 {
            return Ok(Self {
                text: "NaN".to_owned(),
                scale: 0,
            });
        }
        let digits = (0..ndigits)
            .map(|i| word(4 + i))
            .collect::<Result<Vec<u16>, _>>()?;
        // Integer part: base-10000 digits at weights weight..=0.
        let mut int = String::new();
        for w in (0..=weight).rev() {
            let idx = usize::try_from(weight - w).unwrap_or(usize::MAX);
            let d = digits.get(idx).copied().unwrap_or(0);
            if int.is_empty() {
                if d != 0 {
                    int = d.to_string();
                }
            } else {
                let _ = write!(int, "{d:04}");
            }
        }
        if int.is_empty() {
            int.push('0');
        }
        let mut frac = String::new();
        let mut w = -1;
        while frac.len() < usize::try_from(dscale).unwrap_or(0) {
            let idx = usize::try_from(weight - w).ok();
            let d = idx.and_then(|i| digits.get(i)).copied().unwrap_or(0);
            let _ = write!(frac, "{d:04}");
            w -= 1;
        }
        frac.truncate(usize::try_from(dscale).unwrap_or(0));
        let mut text = if sign == 0x4000 {
            format!("-{int}")
        } else {
            int
        };
        if dscale > 0 {
            text.push('.');
            text.push_str(&frac);
        }
        Ok(Self {
            text,
            scale: dscale,
        })
    }

    fn accepts(ty: &Type) -> bool {
        *ty == Type::NUMERIC
    }
}

fn user_error(name: &str, code: i64, message: String) -> FakeQueryError {
    FakeQueryError {
        name: name.to_owned(),
        error_type: "USER_ERROR".to_owned(),
        code,
        message,
    }
}

fn internal(message: String) -> FakeQueryError {
    FakeQueryError {
        name: "GENERIC_INTERNAL_ERROR".to_owned(),
        error_type: "INTERNAL_ERROR".to_owned(),
        code: 65_536,
        message,
    }
}

/// PostgreSQL's error as the Trino error a coordinator would report for the same fault.
fn translate(e: &tokio_postgres::Error) -> FakeQueryError {
    let Some(db) = e.as_db_error() else {
        return FakeQueryError {
            name: "JDBC_ERROR".to_owned(),
            error_type: "EXTERNAL".to_owned(),
            code: 16_777_216,
            message: format!("the data source failed: {e}"),
        };
    };
    let message = db.message().to_owned();
    let code = db.code().code();
    let user = |name: &str, n: i64| user_error(name, n, message.clone());
    match code {
        "42601" => user("SYNTAX_ERROR", 1),
        "42P01" => user("TABLE_NOT_FOUND", 46),
        "3F000" => user("SCHEMA_NOT_FOUND", 45),
        "3D000" | "0A000" if message.contains("cross-database") => user("CATALOG_NOT_FOUND", 44),
        "42703" => user("COLUMN_NOT_FOUND", 47),
        "42883" => user("FUNCTION_NOT_FOUND", 6),
        "42804" | "42846" => user("TYPE_MISMATCH", 58),
        "22012" => user("DIVISION_BY_ZERO", 8),
        "22003" => user("NUMERIC_VALUE_OUT_OF_RANGE", 19),
        "22P02" | "22007" | "22008" => user("INVALID_CAST_ARGUMENT", 9),
        "0A000" => user("NOT_SUPPORTED", 13),
        "57014" => FakeQueryError {
            name: "EXCEEDED_TIME_LIMIT".to_owned(),
            error_type: "INSUFFICIENT_RESOURCES".to_owned(),
            code: 131_075,
            message,
        },
        c if c.starts_with("53") => FakeQueryError {
            name: "EXCEEDED_LOCAL_MEMORY_LIMIT".to_owned(),
            error_type: "INSUFFICIENT_RESOURCES".to_owned(),
            code: 131_079,
            message,
        },
        c if c.starts_with("22") => user("INVALID_FUNCTION_ARGUMENT", 7),
        c if c.starts_with("42") => user("GENERIC_USER_ERROR", 0),
        _ => internal(message),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_render_with_p_digits_rounding_half_up() {
        let t = NaiveDate::from_ymd_opt(2025, 1, 6)
            .unwrap()
            .and_hms_micro_opt(8, 0, 0, 123_500)
            .unwrap();
        assert_eq!(timestamp(t, 6), "2025-01-06 08:00:00.123500");
        assert_eq!(timestamp(t, 3), "2025-01-06 08:00:00.124");
        assert_eq!(timestamp(t, 0), "2025-01-06 08:00:00");
        let edge = NaiveDate::from_ymd_opt(2025, 12, 31)
            .unwrap()
            .and_hms_micro_opt(23, 59, 59, 999_700)
            .unwrap();
        assert_eq!(timestamp(edge, 3), "2026-01-01 00:00:00.000");
    }

    #[test]
    fn decimals_keep_exactly_their_scale() {
        let n = PgNumeric {
            text: "42.5".to_owned(),
            scale: 1,
        };
        assert_eq!(n.with_scale(4), "42.5000");
        assert_eq!(n.with_scale(0), "42");
    }

    #[test]
    fn non_finite_doubles_become_strings() {
        assert_eq!(float(f64::NAN), json!("NaN"));
        assert_eq!(float(f64::NEG_INFINITY), json!("-Infinity"));
        assert_eq!(float(1.5), json!(1.5));
    }
}
