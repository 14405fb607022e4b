//! A parser of the Prometheus text exposition format (version 0.0.4), enough for evaluating
//! SLOs: every sample with its name, labels and value; comments, `HELP` and `TYPE` lines and
//! timestamps are skipped. Label values are unescaped (`\\`, `\"`, `\n`) and may hold any
//! character, braces included (`http_route="/v2/curves/{curve_key}/history"`), which is why
//! this is not `prometheus-parse`: its sample regex stops at the first `}` and silently drops
//! such lines.

/// One sample line.
#[derive(Debug, Clone, PartialEq)]
pub struct Sample {
    /// Metric name with its suffix (`_bucket`, `_count`, `_total`).
    pub name: String,
    /// Label pairs in line order.
    pub labels: Vec<(String, String)>,
    /// The value.
    pub value: f64,
}

impl Sample {
    /// The value of label `name`; a missing label is the empty string, as in `PromQL`.
    pub fn label(&self, name: &str) -> &str {
        self.labels
            .iter()
            .find(|(k, _)| k == name)
            .map_or("", |(_, v)| v.as_str())
    }
}

/// Every sample of a scrape.
#[derive(Debug, Clone, Default)]
pub struct Exposition {
    /// In text order.
    pub samples: Vec<Sample>,
}

impl Exposition {
    /// Samples named exactly `name`.
    pub fn named<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Sample> + 'a {
        self.samples.iter().filter(move |s| s.name == name)
    }
}

/// A line that is not in the text format.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}: {message}")]
pub struct ParseError {
    /// 1-based line number.
    pub line: usize,
    /// What is wrong.
    pub message: String,
}

/// Parses a scrape.
///
/// # Errors
/// [`ParseError`] on the first line that is neither blank, a comment nor a valid sample.
pub fn parse(text: &str) -> Result<Exposition, ParseError> {
    let mut samples = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        let line = raw.trim_start_matches([' ', '\t']).trim_end_matches('\r');
        if line.trim_end_matches([' ', '\t']).is_empty() || line.starts_with('#') {
            continue;
        }
        let sample = Cursor { rest: line }
            .sample()
            .map_err(|message| ParseError {
                line: i + 1,
                message,
            })?;
        samples.push(sample);
    }
    Ok(Exposition { samples })
}

/// Parses a sample value or an `le` bound: a float, `NaN`, `+Inf` or `-Inf`.
pub fn parse_float(token: &str) -> Option<f64> {
    match token.to_ascii_lowercase().as_str() {
        "+inf" | "inf" => Some(f64::INFINITY),
        "-inf" => Some(f64::NEG_INFINITY),
        "nan" => Some(f64::NAN),
        _ if token
            .bytes()
            .all(|b| b.is_ascii_digit() || b"+-.eE".contains(&b)) =>
        {
            token.parse().ok()
        }
        _ => None,
    }
}

/// The start of `text`, for error messages.
fn snippet(text: &str) -> String {
    match text.char_indices().nth(40) {
        Some((i, _)) => format!("{}…", &text[..i]),
        None => text.to_owned(),
    }
}

struct Cursor<'a> {
    rest: &'a str,
}

impl<'a> Cursor<'a> {
    fn sample(&mut self) -> Result<Sample, String> {
        let name = self.take_while(|c, first| {
            c.is_ascii_alphabetic() || c == '_' || c == ':' || (!first && c.is_ascii_digit())
        });
        if name.is_empty() {
            return Err(format!(
                "expected a metric name at {:?}",
                snippet(self.rest)
            ));
        }
        let mut blanks = self.skip_blanks();
        let labels = if self.eat('{') {
            let labels = self.labels()?;
            blanks = self.skip_blanks();
            labels
        } else {
            Vec::new()
        };
        if blanks == 0 {
            return Err(format!("expected a blank before the value of {name}"));
        }
        let token = self.take_while(|c, _| c != ' ' && c != '\t');
        let value = parse_float(token).ok_or_else(|| format!("invalid value {token:?}"))?;
        if self.skip_blanks() > 0 && !self.rest.is_empty() {
            let ts = self.take_while(|c, _| c != ' ' && c != '\t');
            if ts.parse::<i64>().is_err() {
                return Err(format!("invalid timestamp {ts:?}"));
            }
            self.skip_blanks();
        }
        if !self.rest.is_empty() {
            return Err(format!("unexpected text {:?} after the value", self.rest));
        }
        Ok(Sample {
            name: name.to_owned(),
            labels,
            value,
        })
    }

    fn labels(&mut self) -> Result<Vec<(String, String)>, String> {
        let mut labels: Vec<(String, String)> = Vec::new();
        loop {
            self.skip_blanks();
            if self.eat('}') {
                return Ok(labels);
            }
            let name = self.take_while(|c, first| {
                c.is_ascii_alphabetic() || c == '_' || (!first && c.is_ascii_digit())
            });
            if name.is_empty() {
                return Err(format!("expected a label name at {:?}", snippet(self.rest)));
            }
            self.skip_blanks();
            if !self.eat('=') {
                return Err(format!("expected `=` after label {name}"));
            }
            self.skip_blanks();
            if !self.eat('"') {
                return Err(format!("expected `\"` to open the value of label {name}"));
            }
            let value = self.quoted()?;
            if labels.iter().any(|(k, _)| k == name) {
                return Err(format!("label {name} appears twice"));
            }
            labels.push((name.to_owned(), value));
            self.skip_blanks();
            if self.eat('}') {
                return Ok(labels);
            }
            if !self.eat(',') {
                return Err(format!("expected `,` or `}}` after label {name}"));
            }
        }
    }

    /// The rest of a quoted label value, unescaped; consumes the closing quote.
    fn quoted(&mut self) -> Result<String, String> {
        let mut out = String::new();
        let mut chars = self.rest.char_indices();
        while let Some((i, c)) = chars.next() {
            match c {
                '"' => {
                    self.rest = &self.rest[i + 1..];
                    return Ok(out);
                }
                '\\' => match chars.next() {
                    Some((_, '\\')) => out.push('\\'),
                    Some((_, '"')) => out.push('"'),
                    Some((_, 'n')) => out.push('\n'),
                    other => {
                        return Err(format!(
                            "invalid escape `\\{}` in a label value",
                            other.map_or(String::new(), |(_, c)| c.to_string())
                        ));
                    }
                },
                c => out.push(c),
            }
        }
        Err("unterminated label value".to_owned())
    }

    fn take_while(&mut self, keep: impl Fn(char, bool) -> bool) -> &'a str {
        let end = self
            .rest
            .char_indices()
            .find(|&(i, c)| !keep(c, i == 0))
            .map_or(self.rest.len(), |(i, _)| i);
        let (taken, rest) = self.rest.split_at(end);
        self.rest = rest;
        taken
    }

    fn skip_blanks(&mut self) -> usize {
        let before = self.rest.len();
        self.rest = self.rest.trim_start_matches([' ', '\t']);
        before - self.rest.len()
    }

    fn eat(&mut self, c: char) -> bool {
        match self.rest.strip_prefix(c) {
            Some(rest) => {
                self.rest = rest;
                true
            }
            None => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn labels(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn samples_keep_labels_with_braces_escapes_and_special_values() {
        let text = concat!(
            "# HELP http_server_request_duration_seconds Duration of HTTP server requests.\n",
            "# TYPE http_server_request_duration_seconds histogram\n",
            "http_server_request_duration_seconds_bucket{http_request_method=\"GET\",",
            "http_route=\"/v2/curves/{curve_key}/history\",le=\"+Inf\"} 3\n",
            "\n",
            "  up 1 1700000000000\r\n",
            "weird { a = \"x\\\"y\\\\z\\nw\" , b=\"\", } NaN\n",
            "aurum_outbox_lag_seconds -Inf\n",
            "# a free comment\n",
            "ratio 1.5e-3\n",
        );
        let e = parse(text).unwrap();
        assert_eq!(e.samples.len(), 5);
        assert_eq!(
            e.samples[0].name,
            "http_server_request_duration_seconds_bucket"
        );
        assert_eq!(
            e.samples[0].labels,
            labels(&[
                ("http_request_method", "GET"),
                ("http_route", "/v2/curves/{curve_key}/history"),
                ("le", "+Inf"),
            ])
        );
        assert!((e.samples[0].value - 3.0).abs() < f64::EPSILON);
        assert_eq!(e.samples[1].name, "up");
        assert!(e.samples[1].labels.is_empty());
        assert_eq!(e.samples[2].label("a"), "x\"y\\z\nw");
        assert_eq!(e.samples[2].label("b"), "");
        assert_eq!(e.samples[2].label("missing"), "");
        assert!(e.samples[2].value.is_nan());
        assert!(e.samples[3].value.is_infinite() && e.samples[3].value < 0.0);
        assert!((e.samples[4].value - 0.0015).abs() < 1e-15);
        assert_eq!(e.named("up").count(), 1);
    }

    #[test]
    fn malformed_lines_are_reported_with_their_line_number() {
        let cases = [
            ("ok 1\n{a=\"b\"} 1\n", 2, "metric name"),
            ("m{a=\"b\" 1\n", 1, "expected `,`"),
            ("m{a=b} 1\n", 1, "to open the value"),
            ("m{a=\"b} 1\n", 1, "unterminated"),
            ("m{a=\"\\t\"} 1\n", 1, "invalid escape"),
            ("m{a=\"1\",a=\"2\"} 1\n", 1, "twice"),
            ("m one\n", 1, "invalid value"),
            ("m 1 soon\n", 1, "invalid timestamp"),
            ("m 1 2 3\n", 1, "unexpected text"),
            ("m{a=\"b\"}1\n", 1, "blank before the value"),
            (&format!("{{{}\n", "x".repeat(500)), 1, "xxxxxxx…\""),
        ];
        for (text, line, message) in cases {
            let err = parse(text).unwrap_err();
            assert_eq!(err.line, line, "{text:?}: {err}");
            assert!(err.message.contains(message), "{text:?}: {err}");
        }
    }

    #[test]
    fn floats_follow_the_text_format() {
        assert_eq!(parse_float("+Inf"), Some(f64::INFINITY));
        assert_eq!(parse_float("-Inf"), Some(f64::NEG_INFINITY));
        assert_eq!(parse_float("0.0005"), Some(0.0005));
        assert_eq!(parse_float("1e3"), Some(1000.0));
        assert_eq!(parse_float("infinity"), None);
        assert_eq!(parse_float(""), None);
        assert_eq!(parse_float("1_0"), None);
    }
}
