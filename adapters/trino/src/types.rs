//! Trino's column types and the JSON encoding of their values in `data` (standards §6.4):
//! [`TrinoType::parse`] reads a column's `type` string, [`TrinoValue::decode`] turns one JSON
//! value into a typed value, and the text parsers (`parse_date`, `parse_timestamp`, …) are shared
//! with the fast curve-row decoder. Every malformed value is an error, never a panic.

use std::str::FromStr as _;

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveDateTime, NaiveTime, TimeZone as _, Utc};
use serde_json::Value;

/// A value whose JSON does not fit its column type.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("cannot decode {value} as Trino {ty}: {reason}")]
pub struct DecodeError {
    /// The column's type.
    pub ty: String,
    /// The offending value, shortened.
    pub value: String,
    /// Why.
    pub reason: &'static str,
}

impl DecodeError {
    pub(crate) fn new(ty: &TrinoType, value: &dyn std::fmt::Display, reason: &'static str) -> Self {
        let mut value = value.to_string();
        if value.len() > 80 {
            let mut cut = 80;
            while !value.is_char_boundary(cut) {
                cut -= 1;
            }
            value.truncate(cut);
            value.push('…');
        }
        Self {
            ty: ty.to_string(),
            value,
            reason,
        }
    }
}

/// The Trino types this adapter decodes; anything else is kept as [`TrinoType::Other`] and its
/// values as raw JSON.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TrinoType {
    /// `boolean`
    Boolean,
    /// `tinyint`
    TinyInt,
    /// `smallint`
    SmallInt,
    /// `integer`
    Integer,
    /// `bigint`
    BigInt,
    /// `real`
    Real,
    /// `double`
    Double,
    /// `decimal(p,s)`
    Decimal {
        /// Precision.
        precision: u32,
        /// Scale.
        scale: u32,
    },
    /// `varchar` or `varchar(n)`
    Varchar(Option<u32>),
    /// `char(n)`
    Char(u32),
    /// `date`
    Date,
    /// `timestamp(p)`
    Timestamp(u32),
    /// `timestamp(p) with time zone`
    TimestampTz(u32),
    /// Anything else, as Trino spelled it.
    Other(String),
}

impl TrinoType {
    /// Reads a column's `type` string (`"decimal(38,10)"`, `"timestamp(3) with time zone"`, …).
    pub fn parse(raw: &str) -> Self {
        let t = raw.trim().to_ascii_lowercase();
        let (base, args, rest) = match t.find('(') {
            Some(open) => match t[open..].find(')') {
                Some(close) => (
                    t[..open].trim(),
                    Some(&t[open + 1..open + close]),
                    t[open + close + 1..].trim(),
                ),
                None => return Self::Other(raw.to_owned()),
            },
            None => match t.split_once(' ') {
                Some((base, rest)) => (base, None, rest.trim()),
                None => (t.as_str(), None, ""),
            },
        };
        let nums: Option<Vec<u32>> = args.map_or(Some(Vec::new()), |a| {
            a.split(',')
                .map(|n| n.trim().parse().ok())
                .collect::<Option<Vec<u32>>>()
        });
        let Some(nums) = nums else {
            return Self::Other(raw.to_owned());
        };
        match (base, nums.as_slice(), rest) {
            ("boolean", [], "") => Self::Boolean,
            ("tinyint", [], "") => Self::TinyInt,
            ("smallint", [], "") => Self::SmallInt,
            ("integer" | "int", [], "") => Self::Integer,
            ("bigint", [], "") => Self::BigInt,
            ("real", [], "") => Self::Real,
            ("double", [], "") => Self::Double,
            ("decimal", [p, s], "") => Self::Decimal {
                precision: *p,
                scale: *s,
            },
            ("decimal", [p], "") => Self::Decimal {
                precision: *p,
                scale: 0,
            },
            ("varchar", [], "") => Self::Varchar(None),
            ("varchar", [n], "") => Self::Varchar(Some(*n)),
            ("char", [n], "") => Self::Char(*n),
            ("char", [], "") => Self::Char(1),
            ("date", [], "") => Self::Date,
            // Servers before parametric timestamps said plain `timestamp`: millisecond precision.
            ("timestamp", [], "") => Self::Timestamp(3),
            ("timestamp", [p], "") => Self::Timestamp(*p),
            ("timestamp", [], "with time zone") => Self::TimestampTz(3),
            ("timestamp", [p], "with time zone") => Self::TimestampTz(*p),
            _ => Self::Other(raw.to_owned()),
        }
    }
}

impl std::fmt::Display for TrinoType {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Boolean => f.write_str("boolean"),
            Self::TinyInt => f.write_str("tinyint"),
            Self::SmallInt => f.write_str("smallint"),
            Self::Integer => f.write_str("integer"),
            Self::BigInt => f.write_str("bigint"),
            Self::Real => f.write_str("real"),
            Self::Double => f.write_str("double"),
            Self::Decimal { precision, scale } => write!(f, "decimal({precision},{scale})"),
            Self::Varchar(None) => f.write_str("varchar"),
            Self::Varchar(Some(n)) => write!(f, "varchar({n})"),
            Self::Char(n) => write!(f, "char({n})"),
            Self::Date => f.write_str("date"),
            Self::Timestamp(p) => write!(f, "timestamp({p})"),
            Self::TimestampTz(p) => write!(f, "timestamp({p}) with time zone"),
            Self::Other(raw) => f.write_str(raw),
        }
    }
}

/// One decoded value.
#[derive(Debug, Clone, PartialEq)]
pub enum TrinoValue {
    /// SQL NULL.
    Null,
    /// `boolean`
    Boolean(bool),
    /// `tinyint`, `smallint`, `integer`, `bigint`
    Integer(i64),
    /// `real`, `double` (NaN and ±Infinity included)
    Double(f64),
    /// `decimal(p,s)`: the exact text Trino sent (`"42.5000"`), never rounded through `f64`.
    Decimal(String),
    /// `varchar`, `char(n)` (space-padded as sent)
    Varchar(String),
    /// `date`
    Date(NaiveDate),
    /// `timestamp(p)` (nanoseconds at most; finer digits are truncated)
    Timestamp(NaiveDateTime),
    /// `timestamp(p) with time zone`: the instant and the zone as Trino named it
    TimestampTz {
        /// The instant.
        instant: DateTime<Utc>,
        /// `UTC`, an IANA id (`Europe/Berlin`) or an offset (`+01:00`).
        zone: String,
    },
    /// A value of a type this adapter does not interpret.
    Other(Value),
}

impl TrinoValue {
    /// Decodes `value` of a column typed `ty`.
    ///
    /// # Errors
    /// [`DecodeError`] when the JSON does not encode a value of `ty`.
    pub fn decode(ty: &TrinoType, value: &Value) -> Result<Self, DecodeError> {
        if value.is_null() {
            return Ok(Self::Null);
        }
        let err = |reason| DecodeError::new(ty, value, reason);
        let text = || value.as_str().ok_or_else(|| err("expected a JSON string"));
        Ok(match ty {
            TrinoType::Boolean => Self::Boolean(
                value
                    .as_bool()
                    .ok_or_else(|| err("expected true or false"))?,
            ),
            TrinoType::TinyInt | TrinoType::SmallInt | TrinoType::Integer | TrinoType::BigInt => {
                Self::Integer(value.as_i64().ok_or_else(|| err("expected an integer"))?)
            }
            TrinoType::Real | TrinoType::Double => Self::Double(match value {
                Value::Number(n) => n.as_f64().ok_or_else(|| err("expected a number"))?,
                Value::String(s) => parse_special_float(s)
                    .ok_or_else(|| err("expected a number, NaN or ±Infinity"))?,
                _ => return Err(err("expected a number")),
            }),
            TrinoType::Decimal { .. } => {
                let s = match value {
                    Value::String(s) => s.as_str(),
                    _ => return Err(err("decimals arrive as strings")),
                };
                if !is_decimal_text(s) {
                    return Err(err("expected decimal digits"));
                }
                Self::Decimal(s.to_owned())
            }
            TrinoType::Varchar(_) | TrinoType::Char(_) => Self::Varchar(text()?.to_owned()),
            TrinoType::Date => {
                Self::Date(parse_date(text()?).ok_or_else(|| err("expected YYYY-MM-DD"))?)
            }
            TrinoType::Timestamp(_) => Self::Timestamp(
                parse_timestamp(text()?).ok_or_else(|| err("expected YYYY-MM-DD HH:MM:SS[.f]"))?,
            ),
            TrinoType::TimestampTz(_) => {
                let (instant, zone) = parse_timestamp_tz(text()?).map_err(err)?;
                Self::TimestampTz {
                    instant,
                    zone: zone.to_owned(),
                }
            }
            TrinoType::Other(_) => Self::Other(value.clone()),
        })
    }
}

/// `NaN`, `Infinity`, `-Infinity` (how Trino's JSON writer spells non-finite doubles).
pub fn parse_special_float(s: &str) -> Option<f64> {
    match s {
        "NaN" => Some(f64::NAN),
        "Infinity" | "+Infinity" => Some(f64::INFINITY),
        "-Infinity" => Some(f64::NEG_INFINITY),
        _ => None,
    }
}

/// `-?digits(.digits)?`
fn is_decimal_text(s: &str) -> bool {
    let unsigned = s.strip_prefix('-').unwrap_or(s);
    let (int, frac) = unsigned.split_once('.').unwrap_or((unsigned, ""));
    !int.is_empty()
        && int.bytes().all(|b| b.is_ascii_digit())
        && frac.bytes().all(|b| b.is_ascii_digit())
        && !(unsigned.contains('.') && frac.is_empty())
}

fn digits(b: &[u8]) -> Option<u32> {
    let mut n = 0_u32;
    if b.is_empty() {
        return None;
    }
    for &d in b {
        if !d.is_ascii_digit() {
            return None;
        }
        n = n.checked_mul(10)?.checked_add(u32::from(d - b'0'))?;
    }
    Some(n)
}

/// `YYYY-MM-DD` (also a longer or signed year, as Trino writes years past 9999 and BC years).
pub fn parse_date(text: &str) -> Option<NaiveDate> {
    let bytes = text.as_bytes();
    // Fast path: exactly `YYYY-MM-DD`.
    if bytes.len() == 10 && bytes[4] == b'-' && bytes[7] == b'-' {
        let year = i32::try_from(digits(&bytes[..4])?).ok()?;
        return NaiveDate::from_ymd_opt(year, digits(&bytes[5..7])?, digits(&bytes[8..10])?);
    }
    let (sign, rest) = match bytes.first()? {
        b'-' => (-1, &text[1..]),
        b'+' => (1, &text[1..]),
        _ => (1, text),
    };
    let mut parts = rest.splitn(3, '-');
    let year = i32::try_from(digits(parts.next()?.as_bytes())?).ok()?;
    let month = digits(parts.next()?.as_bytes())?;
    let day = digits(parts.next()?.as_bytes())?;
    NaiveDate::from_ymd_opt(sign * year, month, day)
}

/// `HH:MM:SS[.f…]`, fraction truncated to nanoseconds.
fn parse_time(text: &str) -> Option<NaiveTime> {
    let bytes = text.as_bytes();
    if bytes.len() < 8 || bytes[2] != b':' || bytes[5] != b':' {
        return None;
    }
    let hour = digits(&bytes[..2])?;
    let minute = digits(&bytes[3..5])?;
    let second = digits(&bytes[6..8])?;
    let nanos = match &bytes[8..] {
        [] => 0,
        [b'.', frac @ ..] if !frac.is_empty() && frac.len() <= 12 => {
            let kept = &frac[..frac.len().min(9)];
            let value = digits(kept)?;
            if !frac[kept.len()..].iter().all(u8::is_ascii_digit) {
                return None;
            }
            value * 10_u32.pow(9 - u32::try_from(kept.len()).ok()?)
        }
        _ => return None,
    };
    NaiveTime::from_hms_nano_opt(hour, minute, second, nanos)
}

/// `YYYY-MM-DD HH:MM:SS[.f…]` (space separator, as Trino writes `timestamp(p)`).
pub fn parse_timestamp(s: &str) -> Option<NaiveDateTime> {
    let (date, time) = s.split_once(' ')?;
    Some(parse_date(date)?.and_time(parse_time(time)?))
}

/// `±HH:MM` (also `±HHMM` and `±HH`).
pub fn parse_offset(s: &str) -> Option<FixedOffset> {
    let b = s.as_bytes();
    let sign = match b.first()? {
        b'+' => 1,
        b'-' => -1,
        _ => return None,
    };
    let (h, m) = match &b[1..] {
        [h1, h2, b':', m1, m2] | [h1, h2, m1, m2] => (digits(&[*h1, *h2])?, digits(&[*m1, *m2])?),
        [h1, h2] => (digits(&[*h1, *h2])?, 0),
        _ => return None,
    };
    if h > 23 || m > 59 {
        return None;
    }
    FixedOffset::east_opt(sign * i32::try_from(h * 3600 + m * 60).ok()?)
}

/// `YYYY-MM-DD HH:MM:SS[.f…] ZONE`, where ZONE is `UTC`/`Z`, an offset, or an IANA zone id
/// (`Europe/Berlin`). A wall time that a zone's DST change repeats resolves to the earlier
/// instant; one that it skips is an error.
///
/// # Errors
/// A short reason when the text is not such a timestamp.
pub fn parse_timestamp_tz(s: &str) -> Result<(DateTime<Utc>, &str), &'static str> {
    let (local, zone) = s.rsplit_once(' ').ok_or("expected a zone after the time")?;
    let naive = parse_timestamp(local).ok_or("expected YYYY-MM-DD HH:MM:SS[.f] ZONE")?;
    let instant = match zone {
        "UTC" | "Z" | "Etc/UTC" | "GMT" => naive.and_utc(),
        z if z.starts_with(['+', '-']) => {
            let offset = parse_offset(z).ok_or("expected an offset ±HH:MM")?;
            offset
                .from_local_datetime(&naive)
                .single()
                .ok_or("offset out of range")?
                .with_timezone(&Utc)
        }
        z => {
            let tz = chrono_tz::Tz::from_str(z).map_err(|_| "unknown time zone")?;
            tz.from_local_datetime(&naive)
                .earliest()
                .ok_or("a wall time that the zone skips")?
                .with_timezone(&Utc)
        }
    };
    Ok((instant, zone))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn decode(ty: &str, v: impl Into<Value>) -> Result<TrinoValue, DecodeError> {
        TrinoValue::decode(&TrinoType::parse(ty), &v.into())
    }

    fn utc(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    #[test]
    fn type_strings_parse_with_their_parameters() {
        assert_eq!(
            TrinoType::parse("decimal(38,10)"),
            TrinoType::Decimal {
                precision: 38,
                scale: 10
            }
        );
        assert_eq!(
            TrinoType::parse("decimal(38, 10)"),
            TrinoType::Decimal {
                precision: 38,
                scale: 10
            }
        );
        assert_eq!(
            TrinoType::parse("timestamp(3) with time zone"),
            TrinoType::TimestampTz(3)
        );
        assert_eq!(
            TrinoType::parse("timestamp with time zone"),
            TrinoType::TimestampTz(3)
        );
        assert_eq!(TrinoType::parse("timestamp(6)"), TrinoType::Timestamp(6));
        assert_eq!(
            TrinoType::parse("varchar(2147483647)"),
            TrinoType::Varchar(Some(2_147_483_647))
        );
        assert_eq!(TrinoType::parse("VARCHAR"), TrinoType::Varchar(None));
        assert_eq!(TrinoType::parse("char(3)"), TrinoType::Char(3));
        assert_eq!(
            TrinoType::parse("array(double)"),
            TrinoType::Other("array(double)".to_owned())
        );
        assert_eq!(
            TrinoType::parse("time(3)"),
            TrinoType::Other("time(3)".to_owned())
        );
        for t in [
            "boolean", "tinyint", "smallint", "integer", "bigint", "real", "double", "date",
        ] {
            assert_eq!(TrinoType::parse(t).to_string(), t);
        }
    }

    #[test]
    fn decimals_arrive_as_strings_and_keep_their_digits() {
        assert_eq!(
            decode("decimal(10,4)", json!("42.5000")).unwrap(),
            TrinoValue::Decimal("42.5000".to_owned())
        );
        assert_eq!(
            decode("decimal(38,0)", json!("-12345678901234567890123456789")).unwrap(),
            TrinoValue::Decimal("-12345678901234567890123456789".to_owned())
        );
        assert!(decode("decimal(10,4)", json!(42.5)).is_err());
        assert!(decode("decimal(10,4)", json!("4e2")).is_err());
        assert!(decode("decimal(10,4)", json!("1.")).is_err());
    }

    #[test]
    fn non_finite_doubles_arrive_as_strings() {
        let TrinoValue::Double(nan) = decode("double", json!("NaN")).unwrap() else {
            panic!()
        };
        assert!(nan.is_nan());
        assert_eq!(
            decode("double", json!("Infinity")).unwrap(),
            TrinoValue::Double(f64::INFINITY)
        );
        assert_eq!(
            decode("real", json!("-Infinity")).unwrap(),
            TrinoValue::Double(f64::NEG_INFINITY)
        );
        assert_eq!(
            decode("double", json!(61.25)).unwrap(),
            TrinoValue::Double(61.25)
        );
        assert!(decode("double", json!("1.5")).is_err());
    }

    #[test]
    fn nulls_decode_for_every_type() {
        for t in [
            "boolean",
            "bigint",
            "double",
            "decimal(3,1)",
            "varchar",
            "date",
            "timestamp(3)",
            "timestamp(6) with time zone",
            "map(varchar, double)",
        ] {
            assert_eq!(decode(t, Value::Null).unwrap(), TrinoValue::Null, "{t}");
        }
    }

    #[test]
    fn integers_keep_bigint_precision() {
        assert_eq!(
            decode("bigint", json!(9_007_199_254_740_993_i64)).unwrap(),
            TrinoValue::Integer(9_007_199_254_740_993)
        );
        assert_eq!(
            decode("tinyint", json!(-128)).unwrap(),
            TrinoValue::Integer(-128)
        );
        assert!(decode("integer", json!(1.5)).is_err());
        assert!(decode("integer", json!("1")).is_err());
    }

    #[test]
    fn timestamps_with_zone_names_offsets_and_utc_are_one_instant() {
        let want = utc("2026-11-26T07:00:00.123Z");
        for text in [
            "2026-11-26 07:00:00.123 UTC",
            "2026-11-26 08:00:00.123 Europe/Berlin",
            "2026-11-26 08:00:00.123 +01:00",
            "2026-11-26 02:00:00.123 America/New_York",
            "2026-11-26 07:00:00.123000 Z",
        ] {
            let TrinoValue::TimestampTz { instant, zone } =
                decode("timestamp(3) with time zone", json!(text)).unwrap()
            else {
                panic!("{text}")
            };
            assert_eq!(instant, want, "{text}");
            assert_eq!(text.rsplit_once(' ').unwrap().1, zone);
        }
        assert!(
            decode(
                "timestamp(3) with time zone",
                json!("2026-11-26 07:00:00.123 Mars/Base")
            )
            .is_err()
        );
        assert!(
            decode(
                "timestamp(3) with time zone",
                json!("2026-11-26 07:00:00.123")
            )
            .is_err()
        );
    }

    #[test]
    fn daylight_saving_edges_resolve_or_fail_clearly() {
        // 02:30 is repeated in Berlin on 2026-10-25: the earlier instant (still CEST, +02:00).
        let (instant, _) = parse_timestamp_tz("2026-10-25 02:30:00.000 Europe/Berlin").unwrap();
        assert_eq!(instant, utc("2026-10-25T00:30:00Z"));
        // 02:30 does not exist in Berlin on 2026-03-29.
        assert!(parse_timestamp_tz("2026-03-29 02:30:00.000 Europe/Berlin").is_err());
    }

    #[test]
    fn timestamps_keep_up_to_nanoseconds_and_truncate_picoseconds() {
        let ts = |s| {
            parse_timestamp(s)
                .unwrap()
                .and_utc()
                .timestamp_subsec_nanos()
        };
        assert_eq!(ts("2026-11-26 08:00:00"), 0);
        assert_eq!(ts("2026-11-26 08:00:00.1"), 100_000_000);
        assert_eq!(ts("2026-11-26 08:00:00.123456"), 123_456_000);
        assert_eq!(ts("2026-11-26 08:00:00.123456789123"), 123_456_789);
        for bad in [
            "2026-11-26T08:00:00",
            "2026-11-26 08:00",
            "2026-11-26 08:00:00.",
            "2026-11-26 25:00:00",
            "2026-02-30 08:00:00",
            "2026-11-26 08:00:00.12x",
        ] {
            assert!(parse_timestamp(bad).is_none(), "{bad}");
        }
    }

    #[test]
    fn dates_parse_strictly_including_long_and_negative_years() {
        assert_eq!(
            parse_date("2026-11-26"),
            NaiveDate::from_ymd_opt(2026, 11, 26)
        );
        assert_eq!(
            parse_date("12026-01-01"),
            NaiveDate::from_ymd_opt(12_026, 1, 1)
        );
        assert_eq!(
            parse_date("-0044-03-15"),
            NaiveDate::from_ymd_opt(-44, 3, 15)
        );
        for bad in ["2026-13-01", "2026-1-1x", "", "2026/11/26", "20261126"] {
            assert!(parse_date(bad).is_none(), "{bad}");
        }
        assert!(decode("date", json!(20_261_126)).is_err());
    }

    #[test]
    fn strings_and_other_types_pass_through() {
        assert_eq!(
            decode("char(5)", json!("TTF  ")).unwrap(),
            TrinoValue::Varchar("TTF  ".to_owned())
        );
        assert_eq!(
            decode("array(double)", json!([1.0, 2.0])).unwrap(),
            TrinoValue::Other(json!([1.0, 2.0]))
        );
        assert!(decode("varchar", json!(1)).is_err());
        assert!(decode("boolean", json!("true")).is_err());
    }

    #[test]
    fn offsets_parse_in_three_spellings() {
        assert_eq!(parse_offset("+01:00").unwrap().local_minus_utc(), 3600);
        assert_eq!(parse_offset("-0530").unwrap().local_minus_utc(), -19_800);
        assert_eq!(parse_offset("+14").unwrap().local_minus_utc(), 50_400);
        assert!(parse_offset("01:00").is_none());
        assert!(parse_offset("+25:00").is_none());
    }
}
