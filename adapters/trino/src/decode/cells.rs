//! Walks a page's `data` JSON row by row without building `serde_json::Value`s: each row is a
//! reused vector of [`Cell`]s whose strings borrow from the page text (owned only when the JSON
//! string had escapes).

use std::borrow::Cow;
use std::fmt;

use serde::de::{self, DeserializeSeed, IgnoredAny, SeqAccess, Visitor};

/// One JSON value of a row, shallow.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Cell<'de> {
    Null,
    Bool(bool),
    Int(i64),
    UInt(u64),
    Float(f64),
    Str(Cow<'de, str>),
    /// An array or object (values of nested types), skipped.
    Nested,
}

impl Cell<'_> {
    pub(super) fn describe(&self) -> String {
        match self {
            Self::Null => "null".to_owned(),
            Self::Bool(b) => b.to_string(),
            Self::Int(n) => n.to_string(),
            Self::UInt(n) => n.to_string(),
            Self::Float(x) => x.to_string(),
            Self::Str(s) => format!("{:?}", s.chars().take(80).collect::<String>()),
            Self::Nested => "an array or object".to_owned(),
        }
    }
}

struct CellVisitor;

impl<'de> Visitor<'de> for CellVisitor {
    type Value = Cell<'de>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }
    fn visit_unit<E>(self) -> Result<Cell<'de>, E> {
        Ok(Cell::Null)
    }
    fn visit_none<E>(self) -> Result<Cell<'de>, E> {
        Ok(Cell::Null)
    }
    fn visit_bool<E>(self, v: bool) -> Result<Cell<'de>, E> {
        Ok(Cell::Bool(v))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Cell<'de>, E> {
        Ok(Cell::Int(v))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Cell<'de>, E> {
        Ok(i64::try_from(v).map_or(Cell::UInt(v), Cell::Int))
    }
    fn visit_f64<E>(self, v: f64) -> Result<Cell<'de>, E> {
        Ok(Cell::Float(v))
    }
    fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Cell<'de>, E> {
        Ok(Cell::Str(Cow::Borrowed(v)))
    }
    fn visit_str<E>(self, v: &str) -> Result<Cell<'de>, E> {
        Ok(Cell::Str(Cow::Owned(v.to_owned())))
    }
    fn visit_string<E>(self, v: String) -> Result<Cell<'de>, E> {
        Ok(Cell::Str(Cow::Owned(v)))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Cell<'de>, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(Cell::Nested)
    }
    fn visit_map<A: de::MapAccess<'de>>(self, mut map: A) -> Result<Cell<'de>, A::Error> {
        while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        Ok(Cell::Nested)
    }
}

impl<'de> de::Deserialize<'de> for Cell<'de> {
    fn deserialize<D: de::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(CellVisitor)
    }
}

/// Fills `cells` with one row.
struct RowSeed<'a, 'de> {
    cells: &'a mut Vec<Cell<'de>>,
}

impl<'de> DeserializeSeed<'de> for RowSeed<'_, 'de> {
    type Value = ();
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for RowSeed<'_, 'de> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a row (JSON array)")
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        self.cells.clear();
        while let Some(cell) = seq.next_element::<Cell<'de>>()? {
            self.cells.push(cell);
        }
        Ok(())
    }
}

/// Calls `f` with each row of the page.
struct Page<'f, F> {
    f: &'f mut F,
    width: usize,
}

impl<'de, F> Visitor<'de> for Page<'_, F>
where
    F: FnMut(&[Cell<'de>]) -> Result<(), String>,
{
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("rows (JSON array of arrays)")
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let mut cells = Vec::with_capacity(self.width);
        while seq
            .next_element_seed(RowSeed { cells: &mut cells })?
            .is_some()
        {
            (self.f)(&cells).map_err(de::Error::custom)?;
        }
        Ok(())
    }
}

/// Runs `f` over every row of `data` (rows of about `width` cells).
pub(super) fn for_each_row<'de, F>(
    data: &'de str,
    width: usize,
    mut f: F,
) -> Result<(), serde_json::Error>
where
    F: FnMut(&[Cell<'de>]) -> Result<(), String>,
{
    let mut de = serde_json::Deserializer::from_str(data);
    de::Deserializer::deserialize_seq(&mut de, Page { f: &mut f, width })?;
    de.end()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_borrow_plain_strings_and_own_escaped_ones() {
        let mut seen = Vec::new();
        for_each_row(
            r#"[["a", "b\"c", 1, -2, 1.5, null, true, [1], {"k": 1}, 18446744073709551615]]"#,
            10,
            |cells| {
                assert!(matches!(cells[0], Cell::Str(Cow::Borrowed("a"))));
                assert!(matches!(&cells[1], Cell::Str(Cow::Owned(s)) if s == "b\"c"));
                seen.push(
                    cells
                        .to_vec()
                        .iter()
                        .map(Cell::describe)
                        .collect::<Vec<_>>(),
                );
                Ok(())
            },
        )
        .unwrap();
        assert_eq!(
            seen[0],
            [
                "\"a\"",
                "\"b\\\"c\"",
                "1",
                "-2",
                "1.5",
                "null",
                "true",
                "an array or object",
                "an array or object",
                "18446744073709551615"
            ]
        );
    }

    #[test]
    fn malformed_pages_and_callback_errors_surface() {
        assert!(for_each_row("[[1]", 1, |_| Ok(())).is_err());
        assert!(for_each_row("[1]", 1, |_| Ok(())).is_err());
        assert!(for_each_row("[[1]] x", 1, |_| Ok(())).is_err());
        let e = for_each_row("[[1]]", 1, |_| Err("nope".to_owned())).unwrap_err();
        assert!(e.to_string().contains("nope"));
        let mut n = 0;
        for_each_row("[]", 1, |_| {
            n += 1;
            Ok(())
        })
        .unwrap();
        assert_eq!(n, 0);
    }
}
