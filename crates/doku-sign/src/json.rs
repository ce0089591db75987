//! A small, strict JSON reader (RFC 8259) for the minification readings and the JWT header check.
//!
//! The parser is iterative (an explicit stack, never recursion), so no input can exhaust the call stack, and it
//! never panics: every malformed input becomes [`Error::InvalidJson`] with the byte offset where reading stopped.
//! It reports what it reads to a [`Visitor`]; strings and numbers are handed over as validated raw text (the
//! bytes between the quotes, the number literal), which the visitor decodes with [`units`] when it needs to.

use alloc::vec::Vec;

use crate::Error;

/// The two kinds of container.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Container {
    Object,
    Array,
}

/// Receives what the parser reads, in order. Any `Err` stops the parse and is returned as is.
pub(crate) trait Visitor {
    /// `{` or `[`.
    fn begin(&mut self, container: Container) -> Result<(), Error>;
    /// An object member's name: the raw text between the quotes (escapes validated, not decoded).
    fn key(&mut self, raw: &str) -> Result<(), Error>;
    /// A string value: the raw text between the quotes.
    fn string(&mut self, raw: &str) -> Result<(), Error>;
    /// A number literal, exactly as written; `integer` when it has neither fraction nor exponent.
    fn number(&mut self, raw: &str, integer: bool) -> Result<(), Error>;
    /// `true`, `false` or `null`.
    fn literal(&mut self, text: &'static str) -> Result<(), Error>;
    /// `}` or `]`.
    fn end(&mut self, container: Container) -> Result<(), Error>;
}

/// Reads nothing back: validation only.
pub(crate) struct Validate;

impl Visitor for Validate {
    fn begin(&mut self, _: Container) -> Result<(), Error> {
        Ok(())
    }
    fn key(&mut self, _: &str) -> Result<(), Error> {
        Ok(())
    }
    fn string(&mut self, _: &str) -> Result<(), Error> {
        Ok(())
    }
    fn number(&mut self, _: &str, _: bool) -> Result<(), Error> {
        Ok(())
    }
    fn literal(&mut self, _: &'static str) -> Result<(), Error> {
        Ok(())
    }
    fn end(&mut self, _: Container) -> Result<(), Error> {
        Ok(())
    }
}

fn invalid(offset: usize, reason: &'static str) -> Error {
    Error::InvalidJson { offset, reason }
}

/// What the parser expects next.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Expect {
    /// Any value.
    Value,
    /// A value or `]` (just after `[`).
    ValueOrEnd,
    /// A member name or `}` (just after `{`).
    KeyOrEnd,
    /// A member name (after `,` in an object).
    Key,
    /// `:` after a member name.
    Colon,
    /// `,` or the closing bracket of the innermost container, or the end of input at top level.
    CommaOrEnd,
}

/// Parses one JSON text (surrounding whitespace allowed, nothing else after it), calling `visitor` for each
/// part. `max_depth` bounds the nesting of containers (`None`: bounded only by the input's length); a deeper
/// document is refused with `too_deep`, which the caller builds because what it means depends on whose limit
/// it is.
pub(crate) fn parse(
    input: &str,
    max_depth: Option<usize>,
    too_deep: impl Fn() -> Error,
    visitor: &mut impl Visitor,
) -> Result<(), Error> {
    let bytes = input.as_bytes();
    let mut stack: Vec<Container> = Vec::new();
    let mut expect = Expect::Value;
    let mut i = 0;
    loop {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = bytes.get(i) {
            i += 1;
        }
        let Some(&byte) = bytes.get(i) else {
            return if expect == Expect::CommaOrEnd && stack.is_empty() {
                Ok(())
            } else {
                Err(invalid(i, "unexpected end of input"))
            };
        };
        match expect {
            Expect::CommaOrEnd => {
                let Some(&top) = stack.last() else {
                    return Err(invalid(i, "unexpected content after the JSON value"));
                };
                match (byte, top) {
                    (b',', Container::Object) => expect = Expect::Key,
                    (b',', Container::Array) => expect = Expect::Value,
                    (b'}', Container::Object) | (b']', Container::Array) => {
                        stack.pop();
                        visitor.end(top)?;
                    }
                    _ => return Err(invalid(i, "expected `,` or the closing bracket")),
                }
                i += 1;
            }
            Expect::Colon => {
                if byte != b':' {
                    return Err(invalid(i, "expected `:` after a member name"));
                }
                i += 1;
                expect = Expect::Value;
            }
            Expect::Key | Expect::KeyOrEnd => {
                if byte == b'}' && expect == Expect::KeyOrEnd {
                    stack.pop();
                    visitor.end(Container::Object)?;
                    i += 1;
                    expect = Expect::CommaOrEnd;
                } else if byte == b'"' {
                    let end = scan_string(bytes, i)?;
                    visitor.key(slice(input, i + 1, end)?)?;
                    i = end + 1;
                    expect = Expect::Colon;
                } else {
                    return Err(invalid(i, "expected a member name in double quotes"));
                }
            }
            Expect::Value | Expect::ValueOrEnd => {
                if byte == b']' && expect == Expect::ValueOrEnd {
                    stack.pop();
                    visitor.end(Container::Array)?;
                    i += 1;
                    expect = Expect::CommaOrEnd;
                    continue;
                }
                match byte {
                    b'{' | b'[' => {
                        if max_depth.is_some_and(|max| stack.len() >= max) {
                            return Err(too_deep());
                        }
                        let (container, next) = if byte == b'{' {
                            (Container::Object, Expect::KeyOrEnd)
                        } else {
                            (Container::Array, Expect::ValueOrEnd)
                        };
                        stack.push(container);
                        visitor.begin(container)?;
                        i += 1;
                        expect = next;
                        continue;
                    }
                    b'"' => {
                        let end = scan_string(bytes, i)?;
                        visitor.string(slice(input, i + 1, end)?)?;
                        i = end + 1;
                    }
                    b'-' | b'0'..=b'9' => {
                        let (end, integer) = scan_number(bytes, i)?;
                        visitor.number(slice(input, i, end)?, integer)?;
                        i = end;
                    }
                    b't' | b'f' | b'n' => {
                        let text = [("true"), ("false"), ("null")]
                            .into_iter()
                            .find(|word| bytes.get(i..i + word.len()) == Some(word.as_bytes()))
                            .ok_or_else(|| invalid(i, "unknown literal"))?;
                        visitor.literal(text)?;
                        i += text.len();
                    }
                    _ => return Err(invalid(i, "expected a JSON value")),
                }
                expect = Expect::CommaOrEnd;
            }
        }
    }
}

/// `input[start..end]`, or an error instead of a panic (the bounds always fall on ASCII delimiters).
fn slice(input: &str, start: usize, end: usize) -> Result<&str, Error> {
    input
        .get(start..end)
        .ok_or_else(|| invalid(start, "not at a character boundary"))
}

/// From the opening quote at `start`, the index of the closing quote; validates escapes and refuses raw control
/// characters.
fn scan_string(bytes: &[u8], start: usize) -> Result<usize, Error> {
    let mut i = start + 1;
    loop {
        match bytes.get(i) {
            None => return Err(invalid(start, "unterminated string")),
            Some(b'"') => return Ok(i),
            Some(b'\\') => match bytes.get(i + 1) {
                Some(b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't') => i += 2,
                Some(b'u') => {
                    let hex = bytes.get(i + 2..i + 6).unwrap_or_default();
                    if hex.len() != 4 || !hex.iter().all(u8::is_ascii_hexdigit) {
                        return Err(invalid(i, "`\\u` needs four hexadecimal digits"));
                    }
                    i += 6;
                }
                _ => return Err(invalid(i, "invalid escape in string")),
            },
            Some(&b) if b < 0x20 => {
                return Err(invalid(i, "unescaped control character in string"));
            }
            Some(_) => i += 1,
        }
    }
}

/// From the first byte of a number at `start`, the index just after it and whether it is an integer
/// (`-? (0 | [1-9][0-9]*) (\.[0-9]+)? ([eE][+-]?[0-9]+)?`).
fn scan_number(bytes: &[u8], start: usize) -> Result<(usize, bool), Error> {
    let digits_from = |mut i: usize| {
        while bytes.get(i).is_some_and(u8::is_ascii_digit) {
            i += 1;
        }
        i
    };
    let mut i = start;
    if bytes.get(i) == Some(&b'-') {
        i += 1;
    }
    match bytes.get(i) {
        Some(b'0') => i += 1,
        Some(b'1'..=b'9') => i = digits_from(i),
        _ => return Err(invalid(i, "a number needs a digit")),
    }
    let mut integer = true;
    if bytes.get(i) == Some(&b'.') {
        let end = digits_from(i + 1);
        if end == i + 1 {
            return Err(invalid(i, "a decimal point needs a digit after it"));
        }
        i = end;
        integer = false;
    }
    if let Some(b'e' | b'E') = bytes.get(i) {
        i += 1;
        if let Some(b'+' | b'-') = bytes.get(i) {
            i += 1;
        }
        let end = digits_from(i);
        if end == i {
            return Err(invalid(i, "an exponent needs a digit"));
        }
        i = end;
        integer = false;
    }
    if bytes.get(i).is_some_and(u8::is_ascii_digit) {
        return Err(invalid(i, "leading zeros are not allowed"));
    }
    Ok((i, integer))
}

/// One decoded unit of a JSON string: a character, or a UTF-16 surrogate escaped without its partner (JSON's
/// grammar allows it; it is not a Unicode character).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Unit {
    /// A Unicode scalar value.
    Char(char),
    /// `\uD800`–`\uDFFF` without a partner.
    LoneSurrogate(u16),
}

/// The decoded units of `raw`, the validated text between a string's quotes.
pub(crate) fn units(raw: &str) -> Units<'_> {
    Units { rest: raw }
}

/// Iterator returned by [`units`].
pub(crate) struct Units<'a> {
    rest: &'a str,
}

impl<'a> Units<'a> {
    /// What is left to decode.
    pub(crate) fn rest(&self) -> &'a str {
        self.rest
    }

    /// The code unit of a `\uXXXX` at the start of `text`, if there is one.
    fn escaped_unit(text: &str) -> Option<u16> {
        let hex = text.strip_prefix("\\u")?.get(..4)?;
        u16::from_str_radix(hex, 16).ok()
    }
}

impl Iterator for Units<'_> {
    type Item = Unit;

    fn next(&mut self) -> Option<Unit> {
        let mut chars = self.rest.chars();
        let first = chars.next()?;
        if first != '\\' {
            self.rest = chars.as_str();
            return Some(Unit::Char(first));
        }
        let Some(code) = chars.next() else {
            self.rest = "";
            return None;
        };
        let simple = match code {
            'b' => Some('\u{8}'),
            'f' => Some('\u{c}'),
            'n' => Some('\n'),
            'r' => Some('\r'),
            't' => Some('\t'),
            'u' => None,
            other => Some(other), // `"`, `\` and `/` stand for themselves
        };
        if let Some(ch) = simple {
            self.rest = chars.as_str();
            return Some(Unit::Char(ch));
        }
        let Some(unit) = Self::escaped_unit(self.rest) else {
            self.rest = "";
            return None;
        };
        let after = self.rest.get(6..).unwrap_or_default();
        if (0xD800..0xDC00).contains(&unit) {
            if let Some(low @ 0xDC00..=0xDFFF) = Self::escaped_unit(after) {
                let code = 0x10000 + ((u32::from(unit) - 0xD800) << 10) + (u32::from(low) - 0xDC00);
                self.rest = after.get(6..).unwrap_or_default();
                return char::from_u32(code).map(Unit::Char);
            }
        }
        self.rest = after;
        Some(match char::from_u32(u32::from(unit)) {
            Some(ch) => Unit::Char(ch),
            None => Unit::LoneSurrogate(unit),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::string::String;

    fn valid(text: &str) -> Result<(), Error> {
        parse(text, None, || Error::Mismatch, &mut Validate)
    }

    #[test]
    fn accepts_json_texts() {
        for text in [
            "{}",
            "[]",
            " 1 ",
            "-0",
            "-0.5e+10",
            "1E5",
            "\"\\u00e9\\/\"",
            "{\"a\":[1,{\"b\":null}],\"c\":true}",
            "[false]",
        ] {
            assert_eq!(valid(text), Ok(()), "{text}");
        }
    }

    #[test]
    fn refuses_malformed_texts_with_an_offset() {
        for (text, offset) in [
            ("", 0),
            ("{", 1),
            ("[1,]", 3),
            ("{\"a\" 1}", 5),
            ("01", 1),
            ("1.", 1),
            (".5", 0),
            ("+1", 0),
            ("1e", 2),
            ("[1] x", 4),
            ("\"a\u{1}\"", 2),
            ("\"\\x\"", 1),
            ("\"\\u12g4\"", 1),
            ("tru", 0),
            ("{\"a\":1]", 6),
            ("\u{feff}{}", 0),
        ] {
            match valid(text) {
                Err(Error::InvalidJson { offset: found, .. }) => {
                    assert_eq!(found, offset, "{text:?}")
                }
                other => panic!("{text:?}: {other:?}"),
            }
        }
    }

    #[test]
    fn depth_is_bounded_when_asked() {
        let deep = "[[[]]]";
        assert_eq!(
            parse(deep, Some(3), || Error::Mismatch, &mut Validate),
            Ok(())
        );
        assert_eq!(
            parse(deep, Some(2), || Error::Mismatch, &mut Validate),
            Err(Error::Mismatch)
        );
    }

    #[test]
    fn decodes_units_with_surrogate_pairs() {
        let decoded: String = units("a\\/\\u00e9\\ud83d\\ude00\\n")
            .map(|u| match u {
                Unit::Char(c) => c,
                Unit::LoneSurrogate(_) => '?',
            })
            .collect();
        assert_eq!(decoded, "a/é😀\n");
        let lone: alloc::vec::Vec<Unit> = units("\\ud800\\u0041\\udc00").collect();
        assert_eq!(
            lone,
            [
                Unit::LoneSurrogate(0xd800),
                Unit::Char('A'),
                Unit::LoneSurrogate(0xdc00)
            ]
        );
    }
}
