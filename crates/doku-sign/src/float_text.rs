//! IEEE doubles printed the way PHP, ECMAScript and Java print them.
//!
//! All three start from the same decimal: the shortest digit string that reads back as the same double (the
//! closest such string when there are several), which `core::fmt`'s `{:e}` gives. They differ only in layout:
//! where the exponent form starts, how it is spelled and whether an integral value keeps `.0`. Java adds one
//! rule of its own (see [`java`]).

use alloc::string::String;
use core::fmt::Write as _;

/// The shortest round-trip decimal of a finite, non-negative double: `0.d₁d₂…dₙ × 10^point`, no trailing zero
/// digits (zero is the single digit `0` with `point` 1), as in David Gay's `dtoa`.
struct Decimal {
    digits: [u8; 17],
    len: usize,
    point: i32,
}

impl Decimal {
    fn digits(&self) -> &[u8] {
        self.digits.get(..self.len).unwrap_or_default()
    }

    /// Reads `core::fmt`'s `d.ddde±x` (`{:e}`, or `{:.1e}` for two digits). `None` if the text is not in that
    /// form, which `core` never produces for a finite double.
    fn from_exp_text(text: &str) -> Option<Self> {
        let (mantissa, exponent) = text.split_once('e')?;
        let exponent: i32 = exponent.parse().ok()?;
        let mut decimal = Decimal {
            digits: [0; 17],
            len: 0,
            point: exponent + 1,
        };
        for byte in mantissa.bytes().filter(|b| *b != b'.') {
            if !byte.is_ascii_digit() {
                return None;
            }
            *decimal.digits.get_mut(decimal.len)? = byte;
            decimal.len += 1;
        }
        while decimal.len > 1 && decimal.digits.get(decimal.len - 1) == Some(&b'0') {
            decimal.len -= 1;
        }
        (decimal.len > 0).then_some(decimal)
    }

    /// The shortest decimal of `value.abs()`; `value` must be finite. When two decimals of that length are
    /// equally close, the one with an even last digit, as PHP, ECMAScript and Java all specify (`core::fmt`
    /// picks the upper one, e.g. `14974945618844.063` for the double `14974945618844.0625`).
    fn shortest(value: f64) -> Option<Self> {
        let value = value.abs();
        let mut text = StackText::default();
        write!(text, "{value:e}").ok()?;
        let decimal = Self::from_exp_text(text.as_str())?;
        Some(decimal.round_ties_to_even(value).unwrap_or(decimal))
    }

    /// The decimal as an integer `n` and a power `e`: the value is `n × 10^e`.
    fn as_integer(&self) -> Option<(u64, i32)> {
        let mut n: u64 = 0;
        for digit in self.digits() {
            n = n.checked_mul(10)?.checked_add(u64::from(digit - b'0'))?;
        }
        Some((n, self.point - i32::try_from(self.len).ok()?))
    }

    /// The other decimal of the same length when `value` lies exactly halfway between it and `self` and
    /// `self`'s last digit is odd; `None` when there is no tie (nearly always) or the neighbour does not read
    /// back as `value`.
    fn round_ties_to_even(&self, value: f64) -> Option<Self> {
        let (n, e) = self.as_integer()?;
        if n % 2 == 0 {
            return None;
        }
        let below = exactly(value, n.checked_mul(10)?.checked_sub(5)?, e - 1);
        let neighbour = if below {
            n - 1
        } else if exactly(value, n.checked_mul(10)?.checked_add(5)?, e - 1) {
            n + 1
        } else {
            return None;
        };
        let mut text = StackText::default();
        write!(text, "{neighbour}e{e}").ok()?;
        if text.as_str().parse::<f64>().ok()? != value {
            return None;
        }
        let mut decimal = Decimal {
            digits: [0; 17],
            len: 0,
            point: 0,
        };
        let mut scratch = StackText::default();
        write!(scratch, "{neighbour}").ok()?;
        for byte in scratch.as_str().bytes() {
            *decimal.digits.get_mut(decimal.len)? = byte;
            decimal.len += 1;
        }
        decimal.point = e + i32::try_from(decimal.len).ok()?;
        while decimal.len > 1 && decimal.digits.get(decimal.len - 1) == Some(&b'0') {
            decimal.len -= 1;
        }
        Some(decimal)
    }

    /// Pushes digits `range` of the decimal, reading `0` past its last digit.
    fn push_digits(&self, out: &mut String, range: core::ops::Range<usize>) {
        for i in range {
            out.push(char::from(self.digits().get(i).copied().unwrap_or(b'0')));
        }
    }
}

/// Whether the finite, positive double `value` is exactly `n × 10^e`.
///
/// Both sides are written as `odd × 2^p` (the powers of five kept with the odd part): equal when both parts
/// are. A double's odd part is below 2⁵³, so a power of five that overflows 128 bits means "not equal".
fn exactly(value: f64, n: u64, e: i32) -> bool {
    if n == 0 || !value.is_finite() || value <= 0.0 {
        return false;
    }
    let bits = value.to_bits();
    let (fraction, biased) = (bits & ((1 << 52) - 1), ((bits >> 52) & 0x7ff) as i32);
    let (m, q) = if biased == 0 {
        (fraction, -1074)
    } else {
        (fraction | (1 << 52), biased - 1075)
    };
    let (m_twos, n_twos) = (m.trailing_zeros(), n.trailing_zeros());
    let (m_odd, n_odd) = (u128::from(m >> m_twos), u128::from(n >> n_twos));
    let Some(five_power) = 5u128.checked_pow(e.unsigned_abs()) else {
        return false;
    };
    let same_odd = if e >= 0 {
        n_odd.checked_mul(five_power) == Some(m_odd)
    } else {
        m_odd.checked_mul(five_power) == Some(n_odd)
    };
    same_odd && i64::from(q) + i64::from(m_twos) == i64::from(e) + i64::from(n_twos)
}

/// A small fixed buffer for `write!` (a double in `{:e}` form is at most 24 bytes).
#[derive(Default)]
struct StackText {
    bytes: [u8; 32],
    len: usize,
}

impl StackText {
    fn as_str(&self) -> &str {
        self.bytes
            .get(..self.len)
            .and_then(|b| core::str::from_utf8(b).ok())
            .unwrap_or_default()
    }
}

impl core::fmt::Write for StackText {
    fn write_str(&mut self, s: &str) -> core::fmt::Result {
        let end = self.len + s.len();
        self.bytes
            .get_mut(self.len..end)
            .ok_or(core::fmt::Error)?
            .copy_from_slice(s.as_bytes());
        self.len = end;
        Ok(())
    }
}

fn push_exponent(out: &mut String, exponent: i32, plus: bool) {
    if exponent < 0 {
        out.push('-');
    } else if plus {
        out.push('+');
    }
    let _ = write!(out, "{}", exponent.unsigned_abs());
}

/// PHP's `json_encode` of a float with `serialize_precision = -1` (PHP's `php_gcvt` with mode 0): `-0`,
/// `10000`, `0.0001`, `1.0e-5`, `1.0e+25`, `1.2345678901234567e+19`. Exponent form when the decimal point
/// would sit more than 17 digits right or more than 3 zeros left. `None` for infinities and NaN, which
/// `json_encode` refuses.
pub(crate) fn php(value: f64, out: &mut String) -> Option<()> {
    if !value.is_finite() {
        return None;
    }
    let decimal = Decimal::shortest(value)?;
    if value.is_sign_negative() {
        out.push('-');
    }
    let (len, point) = (decimal.len, decimal.point);
    let exponential = if point < 0 { point < -3 } else { point > 17 };
    if exponential {
        decimal.push_digits(out, 0..1);
        out.push('.');
        if len == 1 {
            out.push('0');
        } else {
            decimal.push_digits(out, 1..len);
        }
        out.push('e');
        push_exponent(out, point - 1, true);
    } else if point <= 0 {
        out.push_str("0.");
        (0..point.unsigned_abs()).for_each(|_| out.push('0'));
        decimal.push_digits(out, 0..len);
    } else {
        let point = point.unsigned_abs() as usize;
        decimal.push_digits(out, 0..point);
        if len > point {
            out.push('.');
            decimal.push_digits(out, point..len);
        }
    }
    Some(())
}

/// ECMAScript's Number::toString (what `JSON.stringify` prints): `0` for both zeros, `10000`, `1e+21`,
/// `1e-7`, `0.000001`, `12345678901234567000`. `None` for infinities and NaN (`JSON.stringify` prints `null`
/// for them; the caller decides).
pub(crate) fn ecmascript(value: f64, out: &mut String) -> Option<()> {
    if !value.is_finite() {
        return None;
    }
    if value == 0.0 {
        out.push('0');
        return Some(());
    }
    let decimal = Decimal::shortest(value)?;
    if value < 0.0 {
        out.push('-');
    }
    let (k, n) = (decimal.len, decimal.point);
    let k_i32 = i32::try_from(k).ok()?;
    if k_i32 <= n && n <= 21 {
        decimal.push_digits(out, 0..n.unsigned_abs() as usize);
    } else if 0 < n && n <= 21 {
        let n = n.unsigned_abs() as usize;
        decimal.push_digits(out, 0..n);
        out.push('.');
        decimal.push_digits(out, n..k);
    } else if -6 < n && n <= 0 {
        out.push_str("0.");
        (0..n.unsigned_abs()).for_each(|_| out.push('0'));
        decimal.push_digits(out, 0..k);
    } else {
        decimal.push_digits(out, 0..1);
        if k > 1 {
            out.push('.');
            decimal.push_digits(out, 1..k);
        }
        out.push('e');
        push_exponent(out, n - 1, true);
    }
    Some(())
}

/// Java's `Double.toString` as specified since JDK 19: `0.0`, `-0.0`, `10000.0`, `0.001`, `1.0E-4`, `1.0E7`,
/// `4.9E-324`. Plain form for 10⁻³ ≤ |x| < 10⁷, otherwise `d.dddE±n` (no `+`); at least one digit after the
/// point. When the shortest decimal has one digit, Java picks the closest decimal of one *or two* digits that
/// reads back as the same double (so `4.9E-324`, not `5.0E-324`). JDK 18 and older print a longer form for
/// some values (`2.0E23` as `1.9999999999999998E23`). `None` for infinities and NaN.
pub(crate) fn java(value: f64, out: &mut String) -> Option<()> {
    if !value.is_finite() {
        return None;
    }
    if value.is_sign_negative() {
        out.push('-');
    }
    if value == 0.0 {
        out.push_str("0.0");
        return Some(());
    }
    let mut decimal = Decimal::shortest(value)?;
    if decimal.len == 1 {
        let mut text = StackText::default();
        write!(text, "{:.1e}", value.abs()).ok()?;
        if text.as_str().parse::<f64>().ok() == Some(value.abs()) {
            decimal = Decimal::from_exp_text(text.as_str())?;
        }
    }
    let (len, point) = (decimal.len, decimal.point);
    if (-2..=7).contains(&point) {
        if point <= 0 {
            out.push_str("0.");
            (0..point.unsigned_abs()).for_each(|_| out.push('0'));
            decimal.push_digits(out, 0..len);
        } else {
            let point = point.unsigned_abs() as usize;
            decimal.push_digits(out, 0..point);
            out.push('.');
            decimal.push_digits(out, point..len.max(point + 1));
        }
    } else {
        decimal.push_digits(out, 0..1);
        out.push('.');
        decimal.push_digits(out, 1..len.max(2));
        out.push('E');
        push_exponent(out, point - 1, false);
    }
    Some(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with(format: fn(f64, &mut String) -> Option<()>, value: f64) -> String {
        let mut out = String::new();
        match format(value, &mut out) {
            Some(()) => out,
            None => String::from("<none>"),
        }
    }

    #[test]
    fn php_layout() {
        for (value, text) in [
            (10000.0, "10000"),
            (1500.0, "1500"),
            (1e25, "1.0e+25"),
            (1e-7, "1.0e-7"),
            (-0.0, "-0"),
            (0.0, "0"),
            (0.0001, "0.0001"),
            (0.00001234, "1.234e-5"),
            (1e16, "10000000000000000"),
            (1e17, "1.0e+17"),
            (12345678901234567890.0, "1.2345678901234567e+19"),
            (0.5, "0.5"),
            (123456.789, "123456.789"),
            (5e-324, "5.0e-324"),
            (f64::INFINITY, "<none>"),
        ] {
            assert_eq!(with(php, value), text, "{value:e}");
        }
    }

    #[test]
    fn ecmascript_layout() {
        for (value, text) in [
            (10000.0, "10000"),
            (1e21, "1e+21"),
            (1e20, "100000000000000000000"),
            (1e-7, "1e-7"),
            (0.000001, "0.000001"),
            (-0.0, "0"),
            (12345678901234567890.0, "12345678901234567000"),
            (1.5e-10, "1.5e-10"),
            (-123.456, "-123.456"),
            (5e-324, "5e-324"),
            (14_974_945_618_844.0 + 0.0625, "14974945618844.062"),
            (1.7976931348623157e308, "1.7976931348623157e+308"),
        ] {
            assert_eq!(with(ecmascript, value), text, "{value:e}");
        }
    }

    #[test]
    fn java_layout() {
        for (value, text) in [
            (10000.0, "10000.0"),
            (1e7, "1.0E7"),
            (9999999.0, "9999999.0"),
            (0.001, "0.001"),
            (0.0001, "1.0E-4"),
            (-0.0, "-0.0"),
            (0.0, "0.0"),
            (1e25, "1.0E25"),
            (12345678.9, "1.23456789E7"),
            (5e-324, "4.9E-324"),
            (2e23, "2.0E23"),
            (100.0, "100.0"),
            (-1.5e-10, "-1.5E-10"),
        ] {
            assert_eq!(with(java, value), text, "{value:e}");
        }
    }
}
