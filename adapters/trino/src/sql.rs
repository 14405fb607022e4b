//! Safe SQL text: the literal encoder and quoted identifiers. Trino's client protocol has no
//! bind parameters outside `PREPARE`/`EXECUTE`, so every value a request carries is written as a
//! literal by the functions here and nowhere else. Each literal is in the subset that Trino and
//! PostgreSQL read the same way (ADR 0008): `'…'` strings with `''` doubling (backslashes are
//! ordinary characters in both with `standard_conforming_strings`), `DATE 'YYYY-MM-DD'`,
//! `TIMESTAMP 'YYYY-MM-DD HH:MM:SS.ffffff'`, finite doubles as `CAST(<d>E<n> AS DOUBLE
//! PRECISION)` and integers in decimal. Identifiers come from settings only, are validated and
//! double-quoted.

use std::fmt::Write as _;

use chrono::{DateTime, Datelike as _, NaiveDate, NaiveDateTime, Timelike as _, Utc};

/// A value that has no literal in the subset.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum LiteralError {
    /// Neither engine stores NUL in a string.
    #[error("a string literal cannot contain NUL")]
    Nul,
    /// Only years 1 to 9999 have one spelling in both engines.
    #[error("{0} is outside the years 0001 to 9999")]
    YearOutOfRange(String),
    /// NaN and ±Infinity have no numeric literal.
    #[error("{0} is not a finite number")]
    NotFinite(f64),
    /// Both engines keep microseconds at most.
    #[error("{0} has sub-microsecond precision")]
    SubMicrosecond(String),
}

/// `'text'` with every `'` doubled.
///
/// # Errors
/// [`LiteralError::Nul`] when `text` contains NUL.
pub fn varchar(text: &str) -> Result<String, LiteralError> {
    if text.contains('\0') {
        return Err(LiteralError::Nul);
    }
    let mut out = String::with_capacity(text.len() + 2);
    out.push('\'');
    for c in text.chars() {
        if c == '\'' {
            out.push('\'');
        }
        out.push(c);
    }
    out.push('\'');
    Ok(out)
}

fn check_year(year: i32, shown: &dyn std::fmt::Display) -> Result<(), LiteralError> {
    if (1..=9999).contains(&year) {
        Ok(())
    } else {
        Err(LiteralError::YearOutOfRange(shown.to_string()))
    }
}

/// `DATE 'YYYY-MM-DD'`.
///
/// # Errors
/// [`LiteralError::YearOutOfRange`] outside the years 1 to 9999.
pub fn date(d: NaiveDate) -> Result<String, LiteralError> {
    check_year(d.year(), &d)?;
    Ok(format!(
        "DATE '{:04}-{:02}-{:02}'",
        d.year(),
        d.month(),
        d.day()
    ))
}

/// `YYYY-MM-DD HH:MM:SS.ffffff`, checked.
fn timestamp_text(ts: NaiveDateTime) -> Result<String, LiteralError> {
    check_year(ts.year(), &ts)?;
    let nanos = ts.nanosecond();
    if !nanos.is_multiple_of(1000) || nanos >= 1_000_000_000 {
        // A leap second (nanos ≥ 10⁹) has no spelling in either engine either.
        return Err(LiteralError::SubMicrosecond(ts.to_string()));
    }
    let mut out = String::with_capacity(26);
    let _ = write!(
        out,
        "{:04}-{:02}-{:02} {:02}:{:02}:{:02}.{:06}",
        ts.year(),
        ts.month(),
        ts.day(),
        ts.hour(),
        ts.minute(),
        ts.second(),
        nanos / 1000
    );
    Ok(out)
}

/// `TIMESTAMP 'YYYY-MM-DD HH:MM:SS.ffffff'` (`timestamp(6)`, no zone).
///
/// # Errors
/// [`LiteralError`] for years outside 1..=9999 or sub-microsecond precision.
pub fn timestamp(ts: NaiveDateTime) -> Result<String, LiteralError> {
    Ok(format!("TIMESTAMP '{}'", timestamp_text(ts)?))
}

/// `CAST('YYYY-MM-DD HH:MM:SS.ffffff UTC' AS TIMESTAMP(6) WITH TIME ZONE)`: an instant. (Trino's
/// `TIMESTAMP '… UTC'` literal is a zoned timestamp, PostgreSQL's silently drops the zone; the
/// cast reads the same in both.)
///
/// # Errors
/// [`LiteralError`] for years outside 1..=9999 or sub-microsecond precision.
pub fn timestamp_utc(ts: DateTime<Utc>) -> Result<String, LiteralError> {
    Ok(format!(
        "CAST('{} UTC' AS TIMESTAMP(6) WITH TIME ZONE)",
        timestamp_text(ts.naive_utc())?
    ))
}

/// `CAST(<mantissa>E<exponent> AS DOUBLE PRECISION)` with the shortest digits that read back as
/// exactly `x` (a bare `1.5` would be a `decimal` in Trino and a `numeric` in PostgreSQL).
///
/// # Errors
/// [`LiteralError::NotFinite`] for NaN and ±Infinity.
pub fn double(x: f64) -> Result<String, LiteralError> {
    if !x.is_finite() {
        return Err(LiteralError::NotFinite(x));
    }
    // `{:e}` is Rust's shortest round-trip form, e.g. `1.5e0`, `-2e-5`.
    Ok(format!("CAST({x:E} AS DOUBLE PRECISION)"))
}

/// An integer in decimal; `i64::MIN` is written as `(-9223372036854775807 - 1)` because neither
/// engine reads `9223372036854775808` as a `bigint` before negating it.
pub fn bigint(x: i64) -> String {
    if x == i64::MIN {
        "(-9223372036854775807 - 1)".to_owned()
    } else {
        x.to_string()
    }
}

/// A validated identifier: `[a-z_][a-z0-9_-]*`, at most 128 bytes. Lowercase only, because
/// Trino folds identifiers to lowercase and PostgreSQL does not fold quoted ones.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Ident(String);

/// The name is not an identifier this adapter accepts.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("'{0}' must match [a-z_][a-z0-9_-]* (at most 128 characters)")]
pub struct InvalidIdent(pub String);

impl Ident {
    /// Validates `raw`.
    ///
    /// # Errors
    /// [`InvalidIdent`] for anything else.
    pub fn parse(raw: &str) -> Result<Self, InvalidIdent> {
        let mut bytes = raw.bytes();
        let ok = raw.len() <= 128
            && bytes
                .next()
                .is_some_and(|b| b.is_ascii_lowercase() || b == b'_')
            && bytes
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || matches!(b, b'_' | b'-'));
        if ok {
            Ok(Self(raw.to_owned()))
        } else {
            Err(InvalidIdent(raw.to_owned()))
        }
    }

    /// The name.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// `"name"` (no quote can occur inside, by construction).
    pub fn quoted(&self) -> String {
        format!("\"{}\"", self.0)
    }
}

/// `"catalog"."schema"."table"`.
pub fn qualified(catalog: &Ident, schema: &Ident, table: &Ident) -> String {
    format!(
        "{}.{}.{}",
        catalog.quoted(),
        schema.quoted(),
        table.quoted()
    )
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone as _;
    use proptest::prelude::*;

    use super::*;

    /// A reference reader of one SQL string literal: `'`, then characters where `''` stands for
    /// `'`, then a closing `'` that ends the input. Anything else is `None`: an unbalanced quote
    /// would let text escape the literal.
    fn read_varchar(sql: &str) -> Option<String> {
        let inner = sql.strip_prefix('\'')?;
        let mut out = String::new();
        let mut chars = inner.chars().peekable();
        while let Some(c) = chars.next() {
            if c == '\'' {
                if chars.peek() == Some(&'\'') {
                    chars.next();
                    out.push('\'');
                } else {
                    return chars.next().is_none().then_some(out);
                }
            } else {
                out.push(c);
            }
        }
        None
    }

    fn read_typed<'a>(sql: &'a str, keyword: &str) -> Option<&'a str> {
        sql.strip_prefix(keyword)?
            .strip_prefix(" '")?
            .strip_suffix('\'')
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(512))]

        #[test]
        fn any_string_without_nul_reads_back_unchanged(text in "\\PC*|[' \\\\%_\"]{0,8}") {
            prop_assume!(!text.contains('\0'));
            let lit = varchar(&text).unwrap();
            prop_assert_eq!(read_varchar(&lit), Some(text));
        }

        #[test]
        fn quotes_and_backslashes_never_end_a_literal_early(parts in proptest::collection::vec("'|''|\\\\|;|--|[a-z]", 0..20)) {
            let text = parts.concat();
            let lit = varchar(&text).unwrap();
            prop_assert_eq!(read_varchar(&lit), Some(text));
        }

        #[test]
        fn dates_read_back_unchanged(days in 0_i64..3_652_058) {
            let d = NaiveDate::from_ymd_opt(1, 1, 1).unwrap() + chrono::Days::new(days.unsigned_abs());
            let lit = date(d).unwrap();
            let text = read_typed(&lit, "DATE").unwrap();
            prop_assert_eq!(NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap(), d);
        }

        #[test]
        fn timestamps_read_back_unchanged(secs in -62_135_596_800_i64..253_402_300_799, micros in 0_u32..1_000_000) {
            let ts = Utc.timestamp_opt(secs, micros * 1000).unwrap();
            let lit = timestamp(ts.naive_utc()).unwrap();
            let text = read_typed(&lit, "TIMESTAMP").unwrap();
            prop_assert_eq!(
                NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M:%S%.f").unwrap(),
                ts.naive_utc()
            );
            let zoned = timestamp_utc(ts).unwrap();
            prop_assert!(zoned.ends_with(" UTC' AS TIMESTAMP(6) WITH TIME ZONE)"));
        }

        #[test]
        fn finite_doubles_read_back_exactly(x in any::<f64>()) {
            match double(x) {
                Ok(lit) => {
                    prop_assert!(x.is_finite());
                    let inner = lit
                        .strip_prefix("CAST(")
                        .and_then(|s| s.strip_suffix(" AS DOUBLE PRECISION)"))
                        .unwrap();
                    prop_assert!(inner.bytes().all(|b| b.is_ascii_digit() || b"-.E".contains(&b)));
                    let back: f64 = inner.parse().unwrap();
                    prop_assert_eq!(back.to_bits(), x.to_bits());
                }
                Err(e) => {
                    prop_assert!(!x.is_finite());
                    prop_assert_eq!(e, LiteralError::NotFinite(x));
                }
            }
        }

        #[test]
        fn integers_read_back(x in any::<i64>()) {
            let lit = bigint(x);
            if x != i64::MIN {
                prop_assert_eq!(lit.parse::<i64>().unwrap(), x);
            }
        }

        #[test]
        fn identifiers_never_carry_a_quote(raw in "\\PC{0,20}") {
            if let Ok(ident) = Ident::parse(&raw) {
                prop_assert!(!ident.as_str().contains('"'));
                prop_assert_eq!(ident.quoted(), format!("\"{raw}\""));
            }
        }
    }

    #[test]
    fn nul_is_refused() {
        assert_eq!(varchar("a\0b"), Err(LiteralError::Nul));
    }

    #[test]
    fn literals_are_spelled_as_both_engines_read_them() {
        assert_eq!(varchar("it's").unwrap(), "'it''s'");
        assert_eq!(varchar("a\\b").unwrap(), "'a\\b'");
        let d = NaiveDate::from_ymd_opt(2025, 1, 6).unwrap();
        assert_eq!(date(d).unwrap(), "DATE '2025-01-06'");
        assert_eq!(
            timestamp(d.and_hms_micro_opt(8, 0, 0, 5).unwrap()).unwrap(),
            "TIMESTAMP '2025-01-06 08:00:00.000005'"
        );
        assert_eq!(double(61.25).unwrap(), "CAST(6.125E1 AS DOUBLE PRECISION)");
        assert_eq!(double(-0.5).unwrap(), "CAST(-5E-1 AS DOUBLE PRECISION)");
        assert_eq!(bigint(i64::MIN), "(-9223372036854775807 - 1)");
    }

    #[test]
    fn out_of_range_values_are_refused() {
        let far = NaiveDate::from_ymd_opt(10_000, 1, 1).unwrap();
        assert!(matches!(date(far), Err(LiteralError::YearOutOfRange(_))));
        let bc = NaiveDate::from_ymd_opt(0, 12, 31).unwrap();
        assert!(matches!(date(bc), Err(LiteralError::YearOutOfRange(_))));
        let nanos = NaiveDate::from_ymd_opt(2025, 1, 1)
            .unwrap()
            .and_hms_nano_opt(0, 0, 0, 1)
            .unwrap();
        assert!(matches!(
            timestamp(nanos),
            Err(LiteralError::SubMicrosecond(_))
        ));
        assert!(double(f64::NAN).is_err());
        assert!(double(f64::NEG_INFINITY).is_err());
    }

    #[test]
    fn identifiers_are_lowercase_words() {
        assert_eq!(
            Ident::parse("curve_observation").unwrap().quoted(),
            "\"curve_observation\""
        );
        assert!(Ident::parse("my-catalog").is_ok());
        for bad in ["", "Curves", "1abc", "a b", "a\"b", "a.b"] {
            assert!(Ident::parse(bad).is_err(), "{bad}");
        }
        assert!(Ident::parse(&"a".repeat(129)).is_err());
    }
}
