//! CSV output with spreadsheet-injection escaping: a text cell starting with `=`, `+`, `-`, `@`
//! (or a tab / carriage return) is prefixed with `'`; numeric cells are written as numbers.

/// Appends CSV rows to a buffer.
#[derive(Debug, Default)]
pub struct CsvBuffer {
    buf: Vec<u8>,
    first_in_row: bool,
}

impl CsvBuffer {
    /// An empty buffer.
    pub fn new() -> Self {
        Self {
            buf: Vec::with_capacity(8 * 1024),
            first_in_row: true,
        }
    }

    /// A header row.
    pub fn header(&mut self, names: &[&str]) {
        for n in names {
            self.text(Some(n));
        }
        self.end_row();
    }

    fn sep(&mut self) {
        if !self.first_in_row {
            self.buf.push(b',');
        }
        self.first_in_row = false;
    }

    /// A text cell (escaped against formula injection; quoted when needed).
    pub fn text(&mut self, value: Option<&str>) {
        self.sep();
        let Some(v) = value else { return };
        let dangerous = v.starts_with(['=', '+', '-', '@', '\t', '\r']);
        let needs_quotes = dangerous
            || v.contains([',', '"', '\n', '\r'])
            || v.starts_with(' ')
            || v.ends_with(' ');
        if needs_quotes {
            self.buf.push(b'"');
            if dangerous {
                self.buf.push(b'\'');
            }
            for b in v.bytes() {
                if b == b'"' {
                    self.buf.push(b'"');
                }
                self.buf.push(b);
            }
            self.buf.push(b'"');
        } else {
            self.buf.extend_from_slice(v.as_bytes());
        }
    }

    /// A numeric cell (never escaped: `-5` stays a number).
    pub fn number(&mut self, value: Option<f64>) {
        self.sep();
        if let Some(v) = value.filter(|v| v.is_finite()) {
            let mut b = ryu_like(v);
            self.buf.append(&mut b);
        }
    }

    /// Ends the current row.
    pub fn end_row(&mut self) {
        self.buf.extend_from_slice(b"\r\n");
        self.first_in_row = true;
    }

    /// Bytes written so far.
    pub fn len(&self) -> usize {
        self.buf.len()
    }

    /// True when nothing was written.
    pub fn is_empty(&self) -> bool {
        self.buf.is_empty()
    }

    /// Takes the bytes, leaving the buffer empty.
    pub fn take(&mut self) -> Vec<u8> {
        std::mem::take(&mut self.buf)
    }
}

/// Shortest round-tripping text of a finite float, as JSON writes it.
fn ryu_like(v: f64) -> Vec<u8> {
    serde_json::to_vec(&v).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(f: impl FnOnce(&mut CsvBuffer)) -> String {
        let mut c = CsvBuffer::new();
        f(&mut c);
        c.end_row();
        String::from_utf8(c.take()).unwrap()
    }

    #[test]
    fn formula_cells_are_escaped_but_negative_numbers_are_not() {
        assert_eq!(
            row(|c| c.text(Some("=HYPERLINK(\"x\")"))),
            "\"'=HYPERLINK(\"\"x\"\")\"\r\n"
        );
        assert_eq!(row(|c| c.text(Some("-1+2"))), "\"'-1+2\"\r\n");
        assert_eq!(row(|c| c.text(Some("@SUM"))), "\"'@SUM\"\r\n");
        assert_eq!(row(|c| c.number(Some(-5.25))), "-5.25\r\n");
    }

    #[test]
    fn separators_and_quotes_are_quoted_and_missing_values_are_empty() {
        assert_eq!(
            row(|c| {
                c.text(Some("a,b"));
                c.text(None);
                c.number(None);
                c.text(Some("say \"hi\""));
            }),
            "\"a,b\",,,\"say \"\"hi\"\"\"\r\n"
        );
    }
}
