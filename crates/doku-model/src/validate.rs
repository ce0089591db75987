//! Request validation that reports every violation with its field path.

use std::fmt;

/// A request type that can check itself before it is sent (or, in the simulator, after it is
/// received).
pub trait Validate {
    /// Checks every rule and returns all violations at once, each naming its field path
    /// (e.g. `business.contacts[0].email`).
    fn validate(&self) -> Result<(), ValidationErrors>;
}

/// One broken rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Violation {
    /// Path of the field in DOKU's JSON names, e.g. `business.brands[0].name`.
    pub path: String,
    /// What is wrong, e.g. `must not be empty`.
    pub message: String,
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.path, self.message)
    }
}

/// Every violation found by [`Validate::validate`]; never empty when returned as an error.
#[derive(Debug, Clone, Default, PartialEq, Eq, thiserror::Error)]
pub struct ValidationErrors {
    violations: Vec<Violation>,
}

impl ValidationErrors {
    /// An empty collection.
    pub fn new() -> Self {
        Self::default()
    }

    /// Records a violation at `path`.
    pub fn push(&mut self, path: impl Into<String>, message: impl Into<String>) {
        self.violations.push(Violation {
            path: path.into(),
            message: message.into(),
        });
    }

    /// All violations, in the order they were found.
    pub fn violations(&self) -> &[Violation] {
        &self.violations
    }

    /// The field paths that failed, in order.
    pub fn paths(&self) -> Vec<&str> {
        self.violations.iter().map(|v| v.path.as_str()).collect()
    }

    /// Whether nothing was found.
    pub fn is_empty(&self) -> bool {
        self.violations.is_empty()
    }

    /// `Ok(())` when empty, otherwise `Err(self)`.
    pub fn into_result(self) -> Result<(), ValidationErrors> {
        if self.is_empty() {
            Ok(())
        } else {
            Err(self)
        }
    }

    /// Requires a non-blank string.
    pub fn non_empty(&mut self, path: &str, value: &str) {
        if value.trim().is_empty() {
            self.push(path, "must not be empty");
        }
    }

    /// Requires at most `max` characters.
    pub fn max_chars(&mut self, path: &str, value: &str, max: usize) {
        let n = value.chars().count();
        if n > max {
            self.push(
                path,
                format!("is {n} characters long, at most {max} allowed"),
            );
        }
    }

    /// Requires a non-empty, bounded string.
    pub fn text(&mut self, path: &str, value: &str, max: usize) {
        self.non_empty(path, value);
        self.max_chars(path, value, max);
    }

    /// Requires a plausible e-mail address (`local@domain.tld`, no spaces).
    pub fn email(&mut self, path: &str, value: &str) {
        if value.is_empty() {
            self.push(path, "must not be empty");
        } else if !is_plausible_email(value) {
            self.push(path, format!("{value:?} is not an e-mail address"));
        } else {
            self.max_chars(path, value, 320);
        }
    }

    /// Requires between `min` and `max` ASCII digits.
    pub fn digits(&mut self, path: &str, value: &str, min: usize, max: usize) {
        if value.is_empty() {
            self.push(path, "must not be empty");
        } else if !value.bytes().all(|b| b.is_ascii_digit()) {
            self.push(path, "must contain digits only");
        } else if value.len() < min || value.len() > max {
            self.push(
                path,
                format!("must have {min} to {max} digits, has {}", value.len()),
            );
        }
    }

    /// Requires an ISO 3166-1 alpha-2 code (two upper-case ASCII letters).
    pub fn country(&mut self, path: &str, value: &str) {
        if value.len() != 2 || !value.bytes().all(|b| b.is_ascii_uppercase()) {
            self.push(
                path,
                format!("{value:?} is not an ISO 3166-1 alpha-2 code such as \"ID\""),
            );
        }
    }

    /// Requires an absolute `http://` or `https://` URL without spaces.
    pub fn url(&mut self, path: &str, value: &str) {
        let rest = value
            .strip_prefix("https://")
            .or_else(|| value.strip_prefix("http://"));
        match rest {
            Some(rest) if !rest.is_empty() && !value.chars().any(char::is_whitespace) => {}
            _ => self.push(path, format!("{value:?} is not an http(s) URL")),
        }
    }

    /// Requires at least one element in a list.
    pub fn not_empty_list<T>(&mut self, path: &str, list: &[T]) {
        if list.is_empty() {
            self.push(path, "must have at least one element");
        }
    }

    /// Refuses an enum value this crate does not know.
    pub fn known<T: fmt::Display>(&mut self, path: &str, is_unknown: bool, value: &T) {
        if is_unknown {
            self.push(
                path,
                format!("{value:?} is not a known value", value = value.to_string()),
            );
        }
    }
}

fn is_plausible_email(value: &str) -> bool {
    if value.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return false;
    }
    let Some((local, domain)) = value.rsplit_once('@') else {
        return false;
    };
    !local.is_empty()
        && !local.contains('@')
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
}

impl fmt::Display for ValidationErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} validation error(s): ", self.violations.len())?;
        for (i, v) in self.violations.iter().enumerate() {
            if i > 0 {
                f.write_str("; ")?;
            }
            write!(f, "{v}")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn collects_every_violation() {
        let mut e = ValidationErrors::new();
        e.non_empty("a", " ");
        e.email("b", "no-at-sign");
        e.digits("c", "12x", 1, 3);
        e.country("d", "idn");
        e.url("e", "ftp://x");
        e.email("f", "ok@example.com");
        assert_eq!(e.paths(), vec!["a", "b", "c", "d", "e"]);
        let text = e.to_string();
        assert!(text.starts_with("5 validation error(s)"), "{text}");
    }

    #[test]
    fn empty_is_ok() {
        assert!(ValidationErrors::new().into_result().is_ok());
    }
}
