//! A single-pass reader of Trino's page JSON. Trino pages are large (thousands of rows) and
//! regular (an object whose `data` is an array of arrays of scalars), so the reader walks the
//! bytes once: rows become reused vectors of [`Cell`]s whose strings borrow from the page
//! (owned only when the JSON string had escapes, which `serde_json` then decodes) and whose
//! numbers stay text until a decoder parses them with the standard library (correctly rounded).
//! Values of nested types (arrays, objects) are skipped as [`Cell::Nested`]. Anything that is
//! not JSON is an error, never a panic.

use std::borrow::Cow;

/// A page the reader cannot follow.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("malformed JSON at byte {at}: {what}")]
pub struct ScanError {
    /// Byte offset.
    pub at: usize,
    /// What was expected.
    pub what: &'static str,
}

/// One JSON value of a row, shallow.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Cell<'a> {
    Null,
    Bool(bool),
    /// A JSON number's text.
    Num(&'a str),
    Str(Cow<'a, str>),
    /// An array or object (a value of a nested type), skipped.
    Nested,
}

impl Cell<'_> {
    pub(crate) fn describe(&self) -> String {
        match self {
            Self::Null => "null".to_owned(),
            Self::Bool(b) => b.to_string(),
            Self::Num(n) => (*n).to_owned(),
            Self::Str(s) => format!("{:?}", s.chars().take(80).collect::<String>()),
            Self::Nested => "an array or object".to_owned(),
        }
    }
}

/// A cursor over JSON text.
pub struct Scanner<'a> {
    text: &'a str,
    pos: usize,
}

impl<'a> Scanner<'a> {
    /// A reader at the start of `text`.
    pub fn new(text: &'a str) -> Self {
        Self { text, pos: 0 }
    }

    fn err(&self, what: &'static str) -> ScanError {
        ScanError { at: self.pos, what }
    }

    fn bytes(&self) -> &'a [u8] {
        self.text.as_bytes()
    }

    /// The next non-white-space byte, not consumed.
    pub(crate) fn peek(&mut self) -> Option<u8> {
        let bytes = self.bytes();
        while let Some(&b) = bytes.get(self.pos) {
            if matches!(b, b' ' | b'\n' | b'\r' | b'\t') {
                self.pos += 1;
            } else {
                return Some(b);
            }
        }
        None
    }

    /// Consumes `byte` (after white space).
    pub(crate) fn expect(&mut self, byte: u8, what: &'static str) -> Result<(), ScanError> {
        if self.peek() == Some(byte) {
            self.pos += 1;
            Ok(())
        } else {
            Err(self.err(what))
        }
    }

    /// Only white space remains.
    pub(crate) fn end(&mut self) -> Result<(), ScanError> {
        match self.peek() {
            None => Ok(()),
            Some(_) => Err(self.err("end of input")),
        }
    }

    fn literal(&mut self, word: &'static str) -> Result<(), ScanError> {
        if self.bytes()[self.pos..].starts_with(word.as_bytes()) {
            self.pos += word.len();
            Ok(())
        } else {
            Err(self.err("a JSON value"))
        }
    }

    /// A string starting at the current `"`.
    pub(crate) fn string(&mut self) -> Result<Cow<'a, str>, ScanError> {
        self.expect(b'"', "a string")?;
        self.string_body()
    }

    /// The rest of a string whose opening `"` has been consumed.
    fn string_body(&mut self) -> Result<Cow<'a, str>, ScanError> {
        let bytes = self.bytes();
        let start = self.pos;
        let mut pos = start;
        let mut escaped = false;
        loop {
            // Eight bytes at a time up to the first `"`, `\\` or control byte; the byte steps
            // below handle that byte (and the last few bytes of the input).
            while let Some(chunk) = bytes.get(pos..pos + 8) {
                let word = u64::from_le_bytes(chunk.try_into().unwrap_or([b'"'; 8]));
                let mask = special_bytes(word);
                if mask != 0 {
                    pos += (mask.trailing_zeros() / 8) as usize;
                    break;
                }
                pos += 8;
            }
            match bytes.get(pos) {
                None => {
                    self.pos = pos;
                    return Err(self.err("the end of a string"));
                }
                Some(b'"') => break,
                Some(b'\\') => {
                    escaped = true;
                    pos += 2;
                }
                Some(&b) if b < 0x20 => {
                    self.pos = pos;
                    return Err(self.err("no control characters in strings"));
                }
                Some(_) => pos += 1,
            }
        }
        self.pos = pos + 1;
        // Quotes are ASCII, so both ends are character boundaries of the `str`.
        let inner = self
            .text
            .get(start..pos)
            .ok_or_else(|| self.err("a string"))?;
        if !escaped {
            return Ok(Cow::Borrowed(inner));
        }
        let quoted = self
            .text
            .get(start - 1..=pos)
            .ok_or_else(|| self.err("a string"))?;
        serde_json::from_str::<String>(quoted)
            .map(Cow::Owned)
            .map_err(|_| ScanError {
                at: start,
                what: "valid string escapes",
            })
    }

    /// A number's text (validated by whoever parses it).
    fn number(&mut self) -> Result<&'a str, ScanError> {
        let bytes = self.bytes();
        let start = self.pos;
        while bytes
            .get(self.pos)
            .is_some_and(|b| b.is_ascii_digit() || matches!(b, b'-' | b'+' | b'.' | b'e' | b'E'))
        {
            self.pos += 1;
        }
        if self.pos == start {
            return Err(self.err("a number"));
        }
        self.text
            .get(start..self.pos)
            .ok_or_else(|| self.err("a number"))
    }

    /// Skips any JSON value; returns its text.
    pub(crate) fn skip(&mut self) -> Result<&'a str, ScanError> {
        let first = self.peek().ok_or_else(|| self.err("a JSON value"))?;
        let start = self.pos;
        match first {
            b'"' => {
                self.string()?;
            }
            b'[' | b'{' => {
                let close = if first == b'[' { b']' } else { b'}' };
                self.pos += 1;
                if self.peek() == Some(close) {
                    self.pos += 1;
                } else {
                    loop {
                        if close == b'}' {
                            self.string()?;
                            self.expect(b':', "':'")?;
                        }
                        self.skip()?;
                        match self.peek() {
                            Some(b',') => self.pos += 1,
                            Some(b) if b == close => {
                                self.pos += 1;
                                break;
                            }
                            _ => return Err(self.err("',' or the end of an array or object")),
                        }
                    }
                }
            }
            b'n' => self.literal("null")?,
            b't' => self.literal("true")?,
            b'f' => self.literal("false")?,
            _ => {
                self.number()?;
            }
        }
        self.text
            .get(start..self.pos)
            .ok_or_else(|| self.err("a JSON value"))
    }

    /// One scalar (or skipped nested) value.
    fn cell(&mut self) -> Result<Cell<'a>, ScanError> {
        match self.peek() {
            Some(b'"') => {
                self.pos += 1;
                self.string_body().map(Cell::Str)
            }
            Some(b'n') => self.literal("null").map(|()| Cell::Null),
            Some(b't') => self.literal("true").map(|()| Cell::Bool(true)),
            Some(b'f') => self.literal("false").map(|()| Cell::Bool(false)),
            Some(b'[' | b'{') => self.skip().map(|_| Cell::Nested),
            Some(_) => self.number().map(Cell::Num),
            None => Err(self.err("a JSON value")),
        }
    }

    /// Consumes `close` if it comes next (an empty object or array).
    pub(crate) fn close_now(&mut self, close: u8) -> bool {
        if self.peek() == Some(close) {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    /// After an entry: `true` on `,` (another follows), `false` on `close`.
    pub(crate) fn next_entry(&mut self, close: u8) -> Result<bool, ScanError> {
        match self.peek() {
            Some(b',') => {
                self.pos += 1;
                Ok(true)
            }
            Some(b) if b == close => {
                self.pos += 1;
                Ok(false)
            }
            _ => Err(self.err("',' or the end of an array or object")),
        }
    }

    /// Reads an array of rows, calling `f` with each row's cells.
    pub(crate) fn rows<F>(&mut self, width: usize, mut f: F) -> Result<(), RowsError>
    where
        F: FnMut(&[Cell<'a>]) -> Result<(), String>,
    {
        self.expect(b'[', "an array of rows")?;
        if self.peek() == Some(b']') {
            self.pos += 1;
            return Ok(());
        }
        let mut cells = Vec::with_capacity(width);
        loop {
            self.expect(b'[', "a row (array)")?;
            cells.clear();
            if self.peek() == Some(b']') {
                self.pos += 1;
            } else {
                loop {
                    cells.push(self.cell()?);
                    match self.peek() {
                        Some(b',') => self.pos += 1,
                        Some(b']') => {
                            self.pos += 1;
                            break;
                        }
                        _ => return Err(self.err("',' or ']' in a row").into()),
                    }
                }
            }
            f(&cells).map_err(RowsError::Row)?;
            match self.peek() {
                Some(b',') => self.pos += 1,
                Some(b']') => {
                    self.pos += 1;
                    return Ok(());
                }
                _ => return Err(self.err("',' or ']' after a row").into()),
            }
        }
    }
}

/// A mask whose lowest set bit is the high bit of the first byte of `word` (little-endian)
/// that is `"`, `\\` or below 0x20; zero when there is none. SWAR: `(v - 0x01…) & !v & 0x80…`
/// flags the zero bytes of `v` (exactly up to the first one; borrows only add flags above it),
/// a byte of `x ^ c` is zero iff that byte of `x` is `c`, and `(v - 0x20…) & !v & 0x80…` flags
/// the bytes below 0x20 the same way.
const fn special_bytes(word: u64) -> u64 {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    const fn below(v: u64, n: u64) -> u64 {
        v.wrapping_sub(ONES * n) & !v & HIGH
    }
    below(word ^ (ONES * 0x22), 1) | below(word ^ (ONES * 0x5c), 1) | below(word, 0x20)
}

/// Reading rows failed.
#[derive(Debug, thiserror::Error)]
pub enum RowsError {
    /// Not JSON.
    #[error(transparent)]
    Scan(#[from] ScanError),
    /// A row the decoder rejected.
    #[error("{0}")]
    Row(String),
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rows(text: &str) -> Result<Vec<Vec<String>>, RowsError> {
        let mut out = Vec::new();
        let mut s = Scanner::new(text);
        s.rows(4, |cells| {
            out.push(cells.iter().map(Cell::describe).collect());
            Ok(())
        })?;
        s.end()?;
        Ok(out)
    }

    #[test]
    fn rows_borrow_plain_strings_and_decode_escaped_ones() {
        let got = rows(r#" [ ["a", "b\"c\u00e9", 1, -2.5e3, null, true, false, [1, [2]], {"k": {"x": "}"}}] , []] "#).unwrap();
        assert_eq!(
            got,
            [
                vec![
                    "\"a\"",
                    "\"b\\\"cé\"",
                    "1",
                    "-2.5e3",
                    "null",
                    "true",
                    "false",
                    "an array or object",
                    "an array or object"
                ],
                vec![],
            ]
        );
        let mut s = Scanner::new(r#"[["plain", "esc\\aped"]]"#);
        s.rows(2, |cells| {
            assert!(matches!(cells[0], Cell::Str(Cow::Borrowed("plain"))));
            assert!(matches!(&cells[1], Cell::Str(Cow::Owned(o)) if o == "esc\\aped"));
            Ok(())
        })
        .unwrap();
    }

    #[test]
    fn malformed_input_is_an_error_at_a_position() {
        for bad in [
            "[[1]",
            "[1]",
            "[[1],]",
            "[[1,]]",
            "[[\"a]]",
            "[[nul]]",
            "[[1] [2]]",
            "{}",
            "",
            "[[\"\\x\"]]",
            "[[\"a\u{1}\"]]",
            "[[{\"k\" 1}]]",
            "[[-]]x",
        ] {
            assert!(rows(bad).is_err(), "{bad:?}");
        }
        assert_eq!(rows("[]").unwrap(), Vec::<Vec<String>>::new());
        assert!(rows("[[1]] x").is_err());
    }

    #[test]
    fn the_word_test_finds_every_special_byte_in_every_position() {
        for pos in 0..8 {
            for special in [b'"', b'\\', 0x00, 0x1f] {
                let mut bytes = *b"abcdefgh";
                bytes[pos] = special;
                let first =
                    |bytes: [u8; 8]| special_bytes(u64::from_le_bytes(bytes)).trailing_zeros() / 8;
                assert_eq!(first(bytes) as usize, pos, "{special} at {pos}");
                bytes[7] = b'"';
                assert_eq!(
                    first(bytes) as usize,
                    pos,
                    "{special} at {pos}, then a quote"
                );
            }
        }
        for plain in [
            *b"abcdefgh",
            *b"0123 -_~",
            [0x20, 0x21, 0x23, 0x5b, 0x5d, 0x7f, 0x80, 0xff],
        ] {
            assert_eq!(special_bytes(u64::from_le_bytes(plain)), 0, "{plain:?}");
        }
        let text = format!("{}\"{}", "x".repeat(37), "y".repeat(41));
        let json = format!("[[{}]]", serde_json::to_string(&text).unwrap());
        Scanner::new(&json)
            .rows(1, |cells| {
                assert_eq!(cells[0], Cell::Str(Cow::Owned(text.clone())));
                Ok(())
            })
            .unwrap();
    }

    #[test]
    fn a_row_callback_error_stops_the_read() {
        let mut s = Scanner::new("[[1],[2]]");
        let e = s.rows(1, |_| Err("nope".to_owned())).unwrap_err();
        assert_eq!(e.to_string(), "nope");
    }

    #[test]
    fn skipping_returns_the_value_text() {
        let mut s = Scanner::new(r#" {"a": [1, {"b": "x"}], "c": null} , 2"#);
        assert_eq!(s.skip().unwrap(), r#"{"a": [1, {"b": "x"}], "c": null}"#);
        s.expect(b',', "','").unwrap();
        assert_eq!(s.skip().unwrap(), "2");
        s.end().unwrap();
    }
}
