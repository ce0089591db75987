//! The ways DOKU's peers minify a SNAP body before hashing it.
//!
//! SNAP's symmetric signature covers `SHA-256(minify(body))`, and DOKU does not document its minifier. DOKU's
//! SDKs do not strip whitespace: they parse the body and serialise it again, and each language's serialiser
//! writes `/`, non-ASCII text and numbers its own way. A verifier that only hashes the raw bytes it received
//! rejects every signature made over such a re-serialisation; [`minify_as`] computes each reading so that
//! [`crate::snap_symmetric::verify_received`] can try them. To *send*, sign the exact bytes you send (see
//! [`crate::minify_json`]).
//!
//! Every reading parses the whole input with a strict RFC 8259 parser first: invalid JSON is
//! [`Error::InvalidJson`] under every reading, and where a runtime refuses valid JSON (PHP and infinite numbers,
//! for one) the reading is [`Error::NotMinifiable`]. The outputs of the PHP, Node and Jackson readings were
//! checked against PHP 8.2, Node 20 and Jackson 2.14 on Java 17 (`vectors/independent/`).

use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;

use crate::json::{self, Container, Unit, Visitor};
use crate::{float_text, minify_json, Error};

/// One way of minifying a JSON body, named after the runtime whose serialiser it reproduces byte for byte.
///
/// All readings keep the members of an object in the order they were received, except where noted; when a
/// name appears twice in one object, the re-serialising readings keep the first position and the last value,
/// as all three runtimes do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum MinifyReading {
    /// Whitespace outside strings removed, every other byte kept: exactly [`crate::minify_json`] (for valid
    /// JSON; this reading refuses invalid JSON). What a peer that signs the bytes it sends produces.
    Whitespace,
    /// PHP's `json_encode(json_decode($body), JSON_UNESCAPED_SLASHES | JSON_UNESCAPED_UNICODE)` (DOKU's PHP SDK)
    /// with the default `serialize_precision = -1`.
    ///
    /// Strings: `\/` becomes `/`, `\uXXXX` escapes of characters become the raw UTF-8, except that U+2028 and
    /// U+2029 are written `\u2028` and `\u2029`; control characters are `\b \f \n \r \t` or `\u00XX` (lower-case
    /// hex). Numbers: an integer literal that fits in 64 bits stays as written (`-0` becomes `0`); any other
    /// number is a PHP float printed in its shortest round-trip form without a forced `.0` (`10000.00` →
    /// `10000`, `1.5e3` → `1500`, `0.00001` → `1.0e-5`, `1e25` → `1.0e+25`, `12345678901234567890` →
    /// `1.2345678901234567e+19`, the float `-0.0` → `-0`). Refused like PHP refuses: more than 511 nested
    /// containers, infinite numbers (`1e400`), an escaped surrogate without its pair, an object member name
    /// that starts with U+0000.
    ///
    /// Like PHP itself, this reading is not idempotent in one place: `-0.0` becomes `-0`, which PHP then reads
    /// as the integer `0`. From the second pass on, the output is stable.
    Php,
    /// Node's `JSON.stringify(JSON.parse(body))` (DOKU's Node SDK).
    ///
    /// Strings as [`MinifyReading::Php`] except that U+2028 and U+2029 stay raw and an escaped surrogate without
    /// its pair stays escaped (`\ud800`, lower-case). Every number becomes a double printed by ECMAScript's
    /// Number::toString (`10000.00` → `10000`, `1e21` → `1e+21`, `0.0000001` → `1e-7`, `-0` → `0`,
    /// `12345678901234567890` → `12345678901234567000`; infinite numbers → `null`). Object members whose name
    /// is an array index (`"0"` to `"4294967294"`, no leading zero) come first, in ascending numeric order, as
    /// JavaScript orders them; the others keep their order.
    Node,
    /// Jackson's `ObjectMapper.readTree(body).toString()` with default settings (DOKU's Java SDK).
    ///
    /// Strings as [`MinifyReading::Node`] except that `\u00XX` uses upper-case hex, and an escaped surrogate
    /// without its pair is refused (Java would then emit a lone UTF-16 unit that UTF-8 cannot carry). Integer
    /// literals stay as written, however large (`-0` becomes `0`); every number with a fraction or exponent
    /// becomes a double printed by Java's `Double.toString` (`10000.00` → `10000.0`, `1.0E7` from 10⁷ up,
    /// `1.0E-4` below 10⁻³; infinite numbers → the strings `"Infinity"` / `"-Infinity"`). More than 1000
    /// nested containers are refused (jackson-core's default limit).
    ///
    /// Doubles follow `Double.toString` as specified since JDK 19 (also Jackson's Schubfach writer); JDK 18 and
    /// older print some doubles longer (`2.0E23` as `1.9999999999999998E23`), though no two-decimal amount has
    /// been seen to differ. Jackson's `readTree` ignores anything after the first value (`[1] x` reads as
    /// `[1]`) and answers empty input with an empty node; this reading refuses both as invalid JSON.
    Jackson,
}

impl MinifyReading {
    /// Every reading, in declaration order: a convenient list for
    /// [`crate::snap_symmetric::verify_received`].
    pub const ALL: [MinifyReading; 4] = [
        MinifyReading::Whitespace,
        MinifyReading::Php,
        MinifyReading::Node,
        MinifyReading::Jackson,
    ];

    /// A short lower-case name for logs: `whitespace`, `php`, `node`, `jackson`.
    pub const fn name(self) -> &'static str {
        match self {
            MinifyReading::Whitespace => "whitespace",
            MinifyReading::Php => "php",
            MinifyReading::Node => "node",
            MinifyReading::Jackson => "jackson",
        }
    }

    /// The nesting limit the reading's runtime applies, if it has one of its own.
    const fn max_depth(self) -> Option<usize> {
        match self {
            MinifyReading::Php => Some(511),
            MinifyReading::Jackson => Some(1000),
            MinifyReading::Whitespace | MinifyReading::Node => None,
        }
    }
}

impl fmt::Display for MinifyReading {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Minifies `json` as `reading` does: what a peer of that kind hashes for SNAP's body hash.
///
/// Invalid JSON is [`Error::InvalidJson`] under every reading; valid JSON that the reading's runtime refuses is
/// [`Error::NotMinifiable`]. Minifying the output again gives the same text (except for PHP's `-0`, see
/// [`MinifyReading::Php`]). Never panics; the parser is iterative, so deep nesting cannot overflow the stack.
///
/// ```
/// use doku_sign::{minify_as, MinifyReading};
///
/// let body = r#"{ "url": "https:\/\/doku.com", "name": "Jos\u00e9", "amount": 10000.00 }"#;
/// assert_eq!(
///     minify_as(MinifyReading::Whitespace, body).unwrap(),
///     r#"{"url":"https:\/\/doku.com","name":"Jos\u00e9","amount":10000.00}"#
/// );
/// assert_eq!(
///     minify_as(MinifyReading::Php, body).unwrap(),
///     r#"{"url":"https://doku.com","name":"José","amount":10000}"#
/// );
/// assert_eq!(
///     minify_as(MinifyReading::Jackson, body).unwrap(),
///     r#"{"url":"https://doku.com","name":"José","amount":10000.0}"#
/// );
/// assert!(minify_as(MinifyReading::Node, "{").is_err());
/// ```
pub fn minify_as(reading: MinifyReading, json: &str) -> Result<String, Error> {
    let too_deep = || Error::NotMinifiable {
        reading,
        reason: "the JSON is nested deeper than this runtime allows",
    };
    if reading == MinifyReading::Whitespace {
        json::parse(json, None, too_deep, &mut json::Validate)?;
        return Ok(minify_json(json));
    }
    let mut emitter = Emitter {
        reading,
        out: String::with_capacity(json.len()),
        frames: Vec::new(),
        members: Vec::new(),
    };
    json::parse(json, reading.max_depth(), too_deep, &mut emitter)?;
    Ok(emitter.out)
}

/// An open container in the output.
struct Frame {
    container: Container,
    /// Values written so far.
    count: usize,
    /// Where the container's content starts in the output (just after its bracket).
    content: usize,
    /// Index of its first entry in [`Emitter::members`] (objects).
    first_member: usize,
}

/// One object member as written: the byte ranges of its name (quotes included) and of the whole member.
struct Member {
    key_end: usize,
    start: usize,
    end: usize,
}

/// Writes the re-serialised JSON of one reading as the parser reads.
struct Emitter {
    reading: MinifyReading,
    out: String,
    frames: Vec<Frame>,
    members: Vec<Member>,
}

impl Emitter {
    fn refuse(&self, reason: &'static str) -> Error {
        Error::NotMinifiable {
            reading: self.reading,
            reason,
        }
    }

    /// The separator before a value in an array.
    fn before_value(&mut self) {
        if let Some(frame) = self.frames.last_mut() {
            if frame.container == Container::Array {
                if frame.count > 0 {
                    self.out.push(',');
                }
                frame.count += 1;
            }
        }
    }

    /// Closes the member whose value was just written.
    fn after_value(&mut self) {
        if let Some(Frame {
            container: Container::Object,
            ..
        }) = self.frames.last()
        {
            if let Some(member) = self.members.last_mut() {
                member.end = self.out.len();
            }
        }
    }

    fn write_string(&mut self, raw: &str) -> Result<(), Error> {
        self.out.push('"');
        let (upper_hex, escape_line_separators) = match self.reading {
            MinifyReading::Php => (false, true),
            MinifyReading::Jackson => (true, false),
            MinifyReading::Node | MinifyReading::Whitespace => (false, false),
        };
        // Runs without a backslash are copied whole, unless U+2028/U+2029 (E2 80 A8/A9) need escaping.
        let plain = |c: char| c != '\\' && !(escape_line_separators && is_line_separator(c));
        let mut rest = raw;
        while !rest.is_empty() {
            let run = rest.find(|c| !plain(c)).unwrap_or(rest.len());
            let (copied, tail) = rest.split_at(run);
            self.out.push_str(copied);
            rest = tail;
            let mut units = json::units(rest);
            let Some(unit) = units.next() else { break };
            match unit {
                Unit::Char(ch) => push_char(&mut self.out, ch, upper_hex, escape_line_separators),
                Unit::LoneSurrogate(code) => {
                    if self.reading != MinifyReading::Node {
                        return Err(self.refuse("an escaped UTF-16 surrogate has no partner"));
                    }
                    push_unit_escape(&mut self.out, code, false);
                }
            }
            rest = units.rest();
        }
        self.out.push('"');
        Ok(())
    }

    fn write_number(&mut self, raw: &str, integer: bool) -> Result<(), Error> {
        if integer {
            let keep = match self.reading {
                MinifyReading::Php => fits_php_int(raw),
                MinifyReading::Jackson | MinifyReading::Whitespace => true,
                MinifyReading::Node => false,
            };
            if keep {
                self.out.push_str(if raw == "-0" { "0" } else { raw });
                return Ok(());
            }
        }
        let value: f64 = raw.parse().map_err(|_| Error::InvalidJson {
            offset: 0,
            reason: "number out of the double's syntax",
        })?;
        let written = match self.reading {
            MinifyReading::Php => float_text::php(value, &mut self.out),
            MinifyReading::Node => float_text::ecmascript(value, &mut self.out),
            MinifyReading::Jackson | MinifyReading::Whitespace => {
                float_text::java(value, &mut self.out)
            }
        };
        if written.is_none() {
            match self.reading {
                MinifyReading::Node => self.out.push_str("null"),
                MinifyReading::Jackson | MinifyReading::Whitespace => {
                    self.out.push_str(if value < 0.0 {
                        "\"-Infinity\""
                    } else {
                        "\"Infinity\""
                    })
                }
                MinifyReading::Php => {
                    return Err(self.refuse("json_encode refuses an infinite number"))
                }
            }
        }
        Ok(())
    }

    /// Removes repeated member names (first position, last value) and, for Node, moves array-index names
    /// first, rewriting the object's content in place when anything changes.
    fn finish_object(&mut self, frame: &Frame) -> Result<(), Error> {
        let members = self.members.get(frame.first_member..).unwrap_or_default();
        let keys: Vec<&str> = members
            .iter()
            .map(|m| self.out.get(m.start..m.key_end).unwrap_or_default())
            .collect();
        let node = self.reading == MinifyReading::Node;
        let index_of = |key: &str| if node { array_index(key) } else { None };
        let duplicates = has_duplicates(&keys);
        let reorder = node && keys.iter().any(|k| index_of(k).is_some());
        if !duplicates && !reorder {
            self.members.truncate(frame.first_member);
            return Ok(());
        }
        // source[i]: for the first occurrence i of a name, the member whose value is kept (its last occurrence).
        let mut source: Vec<Option<usize>> = alloc::vec![None; keys.len()];
        let mut order: Vec<usize> = (0..keys.len()).collect();
        order.sort_by(|&a, &b| keys.get(a).cmp(&keys.get(b)).then(a.cmp(&b)));
        let mut group_first = None;
        for (n, &i) in order.iter().enumerate() {
            let same = n > 0 && order.get(n - 1).map(|&p| keys.get(p)) == Some(keys.get(i));
            if !same {
                group_first = Some(i);
            }
            if let Some(slot) = group_first.and_then(|first| source.get_mut(first)) {
                *slot = Some(i);
            }
        }
        let mut kept: Vec<(usize, usize)> = source
            .iter()
            .enumerate()
            .filter_map(|(position, src)| src.map(|src| (position, src)))
            .collect();
        if reorder {
            // Stable: array indices by value first, everything else in place.
            kept.sort_by_key(|&(position, _)| {
                let key = keys.get(position).copied().unwrap_or_default();
                match index_of(key) {
                    Some(index) => (0, u64::from(index)),
                    None => (1, 0),
                }
            });
        }
        let content = self.out.get(frame.content..).unwrap_or_default();
        let mut rebuilt = String::with_capacity(content.len());
        for (n, &(_, src)) in kept.iter().enumerate() {
            let member = members
                .get(src)
                .and_then(|m| {
                    let start = m.start.checked_sub(frame.content)?;
                    content.get(start..m.end.checked_sub(frame.content)?)
                })
                .ok_or_else(|| self.refuse("internal error: member out of range"))?;
            if n > 0 {
                rebuilt.push(',');
            }
            rebuilt.push_str(member);
        }
        self.out.truncate(frame.content);
        self.out.push_str(&rebuilt);
        self.members.truncate(frame.first_member);
        Ok(())
    }
}

impl Visitor for Emitter {
    fn begin(&mut self, container: Container) -> Result<(), Error> {
        self.before_value();
        self.out.push(match container {
            Container::Object => '{',
            Container::Array => '[',
        });
        self.frames.push(Frame {
            container,
            count: 0,
            content: self.out.len(),
            first_member: self.members.len(),
        });
        Ok(())
    }

    fn key(&mut self, raw: &str) -> Result<(), Error> {
        if self.reading == MinifyReading::Php && json::units(raw).next() == Some(Unit::Char('\0')) {
            return Err(
                self.refuse("a member name starting with U+0000 is not a PHP property name")
            );
        }
        if let Some(frame) = self.frames.last_mut() {
            if frame.count > 0 {
                self.out.push(',');
            }
            frame.count += 1;
        }
        let start = self.out.len();
        self.write_string(raw)?;
        let key_end = self.out.len();
        self.out.push(':');
        self.members.push(Member {
            key_end,
            start,
            end: self.out.len(),
        });
        Ok(())
    }

    fn string(&mut self, raw: &str) -> Result<(), Error> {
        self.before_value();
        self.write_string(raw)?;
        self.after_value();
        Ok(())
    }

    fn number(&mut self, raw: &str, integer: bool) -> Result<(), Error> {
        self.before_value();
        self.write_number(raw, integer)?;
        self.after_value();
        Ok(())
    }

    fn literal(&mut self, text: &'static str) -> Result<(), Error> {
        self.before_value();
        self.out.push_str(text);
        self.after_value();
        Ok(())
    }

    fn end(&mut self, container: Container) -> Result<(), Error> {
        if let Some(frame) = self.frames.pop() {
            if frame.container == Container::Object {
                self.finish_object(&frame)?;
            }
        }
        self.out.push(match container {
            Container::Object => '}',
            Container::Array => ']',
        });
        self.after_value();
        Ok(())
    }
}

fn is_line_separator(c: char) -> bool {
    matches!(c, '\u{2028}' | '\u{2029}')
}

/// Writes one decoded character as the re-serialising readings do.
fn push_char(out: &mut String, ch: char, upper_hex: bool, escape_line_separators: bool) {
    match ch {
        '"' => out.push_str("\\\""),
        '\\' => out.push_str("\\\\"),
        '\u{8}' => out.push_str("\\b"),
        '\u{c}' => out.push_str("\\f"),
        '\n' => out.push_str("\\n"),
        '\r' => out.push_str("\\r"),
        '\t' => out.push_str("\\t"),
        c if u32::from(c) < 0x20 => push_unit_escape(out, u32::from(c) as u16, upper_hex),
        c if escape_line_separators && is_line_separator(c) => {
            push_unit_escape(out, u32::from(c) as u16, false)
        }
        c => out.push(c),
    }
}

/// `\uXXXX` with lower- or upper-case hex digits.
fn push_unit_escape(out: &mut String, unit: u16, upper: bool) {
    let digits: &[u8; 16] = if upper {
        b"0123456789ABCDEF"
    } else {
        b"0123456789abcdef"
    };
    out.push_str("\\u");
    for shift in [12, 8, 4, 0] {
        let nibble = usize::from((unit >> shift) & 0xf);
        out.push(char::from(digits.get(nibble).copied().unwrap_or(b'0')));
    }
}

/// Whether PHP's `json_decode` keeps the integer literal `raw` as an `int` (it fits in 64 bits) rather than a
/// float. Same rule as PHP's scanner: fewer than 19 digits, or 19 digits below `9223372036854775808` (equal
/// is allowed when negative).
fn fits_php_int(raw: &str) -> bool {
    let (negative, digits) = match raw.strip_prefix('-') {
        Some(digits) => (true, digits),
        None => (false, raw),
    };
    match digits.len() {
        0..=18 => true,
        19 => match digits.cmp("9223372036854775808") {
            core::cmp::Ordering::Less => true,
            core::cmp::Ordering::Equal => negative,
            core::cmp::Ordering::Greater => false,
        },
        _ => false,
    }
}

/// The array index a written member name (quotes included) stands for in JavaScript: a canonical decimal
/// integer from 0 to 2³² − 2.
fn array_index(key: &str) -> Option<u32> {
    let digits = key.strip_prefix('"')?.strip_suffix('"')?;
    if digits.is_empty()
        || digits.len() > 10
        || !digits.bytes().all(|b| b.is_ascii_digit())
        || (digits.len() > 1 && digits.starts_with('0'))
    {
        return None;
    }
    let value: u64 = digits.parse().ok()?;
    u32::try_from(value).ok().filter(|&v| v != u32::MAX)
}

/// Whether any name appears twice. Small objects are compared pairwise without allocating.
fn has_duplicates(keys: &[&str]) -> bool {
    if keys.len() <= 16 {
        return keys
            .iter()
            .enumerate()
            .any(|(i, key)| keys.get(..i).unwrap_or_default().contains(key));
    }
    let mut sorted = keys.to_vec();
    sorted.sort_unstable();
    sorted.windows(2).any(|pair| pair.first() == pair.last())
}

#[cfg(test)]
mod tests {
    use super::*;
    use MinifyReading::{Jackson, Node, Php, Whitespace};

    fn all(json: &str) -> [Result<String, Error>; 4] {
        MinifyReading::ALL.map(|reading| minify_as(reading, json))
    }

    fn ok(text: &str) -> Result<String, Error> {
        Ok(String::from(text))
    }

    #[test]
    fn strings_under_each_reading() {
        let input = r#"{"s":"a\/b/c \u00e9 é \u2028 \b\f\n\r\t \u0001 \u001F \u007f \"q\" \\ \ud83d\ude00 😀"}"#;
        let [whitespace, php, node, jackson] = all(input);
        assert_eq!(whitespace, ok(input));
        assert_eq!(
            php,
            ok("{\"s\":\"a/b/c é é \\u2028 \\b\\f\\n\\r\\t \\u0001 \\u001f \u{7f} \\\"q\\\" \\\\ 😀 😀\"}")
        );
        assert_eq!(
            node,
            ok("{\"s\":\"a/b/c é é \u{2028} \\b\\f\\n\\r\\t \\u0001 \\u001f \u{7f} \\\"q\\\" \\\\ 😀 😀\"}")
        );
        assert_eq!(
            jackson,
            ok("{\"s\":\"a/b/c é é \u{2028} \\b\\f\\n\\r\\t \\u0001 \\u001F \u{7f} \\\"q\\\" \\\\ 😀 😀\"}")
        );
    }

    #[test]
    fn numbers_under_each_reading() {
        let input = "[10000.00,1.5e3,1e25,0.0000001,1e21,-0,-0.0,12345678901234567890,9223372036854775807,-9223372036854775808,9223372036854775808,0.0001]";
        let [whitespace, php, node, jackson] = all(input);
        assert_eq!(whitespace, ok(input));
        assert_eq!(php, ok("[10000,1500,1.0e+25,1.0e-7,1.0e+21,0,-0,1.2345678901234567e+19,9223372036854775807,-9223372036854775808,9.223372036854776e+18,0.0001]"));
        assert_eq!(node, ok("[10000,1500,1e+25,1e-7,1e+21,0,0,12345678901234567000,9223372036854776000,-9223372036854776000,9223372036854776000,0.0001]"));
        assert_eq!(jackson, ok("[10000.0,1500.0,1.0E25,1.0E-7,1.0E21,0,-0.0,12345678901234567890,9223372036854775807,-9223372036854775808,9223372036854775808,1.0E-4]"));
    }

    #[test]
    fn objects_keep_the_first_position_and_the_last_value() {
        let input = r#"{"b":1,"4294967295":2,"4294967294":3,"1":4,"01":5,"a":{"10":1,"9":2},"b":6,"":7,"\u0031":8}"#;
        assert_eq!(
            minify_as(Php, input),
            ok(r#"{"b":6,"4294967295":2,"4294967294":3,"1":8,"01":5,"a":{"10":1,"9":2},"":7}"#)
        );
        assert_eq!(
            minify_as(Jackson, input),
            ok(r#"{"b":6,"4294967295":2,"4294967294":3,"1":8,"01":5,"a":{"10":1,"9":2},"":7}"#)
        );
        assert_eq!(
            minify_as(Node, input),
            ok(r#"{"1":8,"4294967294":3,"b":6,"4294967295":2,"01":5,"a":{"9":2,"10":1},"":7}"#)
        );
        assert_eq!(minify_as(Whitespace, input), ok(input));
    }

    #[test]
    fn many_members_use_the_sorted_duplicate_check() {
        let mut input = String::from("{");
        for i in 0..40 {
            input.push_str(&alloc::format!("\"k{}\":{i},", i % 30));
        }
        input.push_str("\"z\":0}");
        let out = minify_as(Php, &input).unwrap();
        assert!(out.starts_with("{\"k0\":30,\"k1\":31,"), "{out}");
        assert!(out.ends_with("\"k29\":29,\"z\":0}"), "{out}");
    }

    #[test]
    fn what_each_runtime_refuses() {
        let refused = |r: Result<String, Error>| matches!(r, Err(Error::NotMinifiable { .. }));
        let [_, php, node, jackson] = all("[1e400,-1e400]");
        assert!(refused(php));
        assert_eq!(node, ok("[null,null]"));
        assert_eq!(jackson, ok(r#"["Infinity","-Infinity"]"#));
        let [_, php, node, jackson] = all(r#"["\ud800","\udc00x"]"#);
        assert!(refused(php));
        assert_eq!(node, ok(r#"["\ud800","\udc00x"]"#));
        assert!(refused(jackson));
        assert!(refused(minify_as(Php, r#"{"\u0000a":1}"#)));
        assert_eq!(minify_as(Node, r#"{"\u0000a":1}"#), ok(r#"{"\u0000a":1}"#));
        let nested = |n: usize| alloc::format!("{}{}", "[".repeat(n), "]".repeat(n));
        assert!(minify_as(Php, &nested(511)).is_ok());
        assert!(refused(minify_as(Php, &nested(512))));
        assert!(minify_as(Jackson, &nested(1000)).is_ok());
        assert!(refused(minify_as(Jackson, &nested(1001))));
        assert!(minify_as(Node, &nested(100_000)).is_ok());
    }

    #[test]
    fn invalid_json_is_refused_by_every_reading() {
        for input in ["", "{", "{} x", "[01]", "{'a':1}", "[1,]", "\"\\x\""] {
            for result in all(input) {
                assert!(
                    matches!(result, Err(Error::InvalidJson { .. })),
                    "{input:?}"
                );
            }
        }
    }

    #[test]
    fn scalars_at_top_level() {
        assert_eq!(all(" 1.0 "), [ok("1.0"), ok("1"), ok("1"), ok("1.0")]);
        assert_eq!(
            all("\"\\/\""),
            [ok("\"\\/\""), ok("\"/\""), ok("\"/\""), ok("\"/\"")]
        );
    }

    #[test]
    fn php_integer_range() {
        assert!(fits_php_int("9223372036854775807"));
        assert!(!fits_php_int("9223372036854775808"));
        assert!(fits_php_int("-9223372036854775808"));
        assert!(!fits_php_int("-9223372036854775809"));
        assert!(!fits_php_int("10000000000000000000"));
    }
}
