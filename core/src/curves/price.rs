//! Price cells: numbers with optional sign and thousands separators (`-1,234.5`), bid/ask text
//! (`45.25 / 47.75`) and the mid rule (DOMAIN.md §1). NaN and infinities are not prices.

/// A cell is not a finite number.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NotANumber;

/// Parses a price cell: surrounding white space is ignored, an optional leading `+`/`-`,
/// commas as thousands separators in groups of three (`1,234,567.5`), decimals and exponents.
/// Blank text is `Ok(None)`.
///
/// # Errors
/// [`NotANumber`] for anything else, including `NaN`, `inf`, overflow to infinity and
/// misplaced commas (`1,5` is rejected, not read as 15).
pub fn parse_number(text: &str) -> Result<Option<f64>, NotANumber> {
    let t = text.trim();
    if t.is_empty() {
        return Ok(None);
    }
    if !t
        .bytes()
        .all(|b| b.is_ascii_digit() || matches!(b, b'+' | b'-' | b'.' | b',' | b'e' | b'E'))
    {
        return Err(NotANumber);
    }
    let value = if t.contains(',') {
        without_separators(t)?
    } else {
        t.parse::<f64>().map_err(|_| NotANumber)?
    };
    if value.is_finite() {
        Ok(Some(value))
    } else {
        Err(NotANumber)
    }
}

/// Parses a number whose integer part is grouped by commas.
fn without_separators(t: &str) -> Result<f64, NotANumber> {
    let unsigned = t.strip_prefix(['+', '-']).unwrap_or(t);
    let int_end = unsigned.find(['.', 'e', 'E']).unwrap_or(unsigned.len());
    let (int_part, tail) = unsigned.split_at(int_end);
    if tail.contains(',') {
        return Err(NotANumber);
    }
    let mut groups = int_part.split(',');
    let first_ok = groups.next().is_some_and(|g| (1..=3).contains(&g.len()));
    if !first_ok || !groups.all(|g| g.len() == 3) {
        return Err(NotANumber);
    }
    let mut buf = [0u8; 64];
    let mut len = 0;
    for b in t.bytes().filter(|&b| b != b',') {
        *buf.get_mut(len).ok_or(NotANumber)? = b;
        len += 1;
    }
    let digits = std::str::from_utf8(&buf[..len]).map_err(|_| NotANumber)?;
    digits.parse::<f64>().map_err(|_| NotANumber)
}

/// Splits bid/ask text on `/` (`45.25 / 47.75`, `45.25/47.75`); a single number is both sides;
/// an empty side is absent. `-` never separates, so negative prices are read as such.
///
/// # Errors
/// [`NotANumber`] when a side is not a number or there is more than one `/`.
pub fn parse_bid_ask(text: &str) -> Result<(Option<f64>, Option<f64>), NotANumber> {
    match text.split_once('/') {
        None => parse_number(text).map(|v| (v, v)),
        Some((_, ask)) if ask.contains('/') => Err(NotANumber),
        Some((bid, ask)) => Ok((parse_number(bid)?, parse_number(ask)?)),
    }
}

/// The mid price: `mid` when given, else the average of `bid` and `ask` when both exist, else
/// `value`.
pub fn derive_mid(
    value: Option<f64>,
    bid: Option<f64>,
    ask: Option<f64>,
    mid: Option<f64>,
) -> Option<f64> {
    mid.or_else(|| match (bid, ask) {
        (Some(b), Some(a)) => Some(average(&[b, a])),
        _ => value,
    })
}

/// Arithmetic mean, computed without overflowing for finite inputs (`NaN` for no input).
pub fn average(values: &[f64]) -> f64 {
    #[expect(clippy::cast_precision_loss, reason = "counts of months are tiny")]
    let n = values.len() as f64;
    let sum: f64 = values.iter().sum();
    if sum.is_finite() {
        sum / n
    } else {
        values.iter().map(|v| v / n).sum()
    }
}

#[cfg(test)]
mod tests;
