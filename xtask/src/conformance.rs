//! `cargo xtask conformance`: every test docs/conformance.md names exists, and its endpoint
//! table is what the endpoint declarations give (`endpoint_table.rs`).
//!
//! A row names tests as `` `path/to/file.rs::test_name` ``. The check fails when a row names no
//! test, when a named file is missing, or when the file has no test function of that name
//! (`fn name(` right after a `#[test]` or `#[tokio::test…]` attribute).

use std::path::Path;

/// Checks docs/conformance.md under `root`; `Ok` says how many rows and tests were checked.
pub(crate) fn check(root: &Path) -> Result<String, String> {
    let page = root.join("docs/conformance.md");
    let text = std::fs::read_to_string(&page)
        .map_err(|e| format!("cannot read {}: {e}", page.display()))?;
    let mut problems = Vec::new();
    let mut rows = 0;
    let mut tests = 0;
    for line in text.lines().filter(|l| is_rule_row(l)) {
        rows += 1;
        let names = test_refs(line);
        if names.is_empty() {
            problems.push(format!("row names no test: {}", short(line)));
        }
        for (file, name) in names {
            tests += 1;
            if let Err(problem) = test_exists(root, &file, name) {
                problems.push(problem);
            }
        }
    }
    if rows == 0 {
        problems.push("docs/conformance.md has no rule rows (`| R1 |`, `| A1 |`, …)".to_owned());
    }
    if let Err(problem) = crate::endpoint_table::check(&text) {
        problems.push(problem);
    }
    if problems.is_empty() {
        Ok(format!(
            "docs/conformance.md: {rows} rows, {tests} tests, all exist; the endpoint table matches the declarations"
        ))
    } else {
        Err(format!("docs/conformance.md:\n  {}", problems.join("\n  ")))
    }
}

/// A table row whose first cell is a rule id: one to three capital letters, then a number
/// (`R3`, `A1`, `D2`, `SC5`, `DL8`).
fn is_rule_row(line: &str) -> bool {
    let Some(rest) = line.strip_prefix("| ") else {
        return false;
    };
    let id: String = rest.chars().take_while(|c| !c.is_whitespace()).collect();
    let letters = id.chars().take_while(char::is_ascii_uppercase).count();
    (1..=3).contains(&letters) && id[letters..].parse::<u32>().is_ok()
}

/// The `` `file.rs::name` `` references in `line`, as (`file.rs`, `name`).
fn test_refs(line: &str) -> Vec<(String, &str)> {
    line.split('`')
        .skip(1)
        .step_by(2)
        .filter_map(|code| code.split_once(".rs::"))
        .filter(|(_, name)| {
            !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        })
        .map(|(file, name)| (format!("{file}.rs"), name))
        .collect()
}

/// Whether `file` under `root` has a test function `name`.
fn test_exists(root: &Path, file: &str, name: &str) -> Result<(), String> {
    let source = std::fs::read_to_string(root.join(file))
        .map_err(|e| format!("{file}::{name}: cannot read {file}: {e}"))?;
    let lines: Vec<&str> = source.lines().map(str::trim).collect();
    let signature = format!("fn {name}(");
    let found = lines.iter().enumerate().any(|(i, line)| {
        let declares = line.starts_with(&format!("async {signature}"))
            || line.starts_with(&signature)
            || line.starts_with(&format!("pub {signature}"));
        // The attribute may be separated from `fn` by doc comments and other attributes.
        declares
            && lines[..i]
                .iter()
                .rev()
                .take_while(|l| l.starts_with("#[") || l.starts_with("///") || l.starts_with("//"))
                .any(|l| l.starts_with("#[test]") || l.starts_with("#[tokio::test"))
    });
    if found {
        Ok(())
    } else {
        Err(format!("{file}::{name}: no such test"))
    }
}

fn short(line: &str) -> String {
    line.chars().take(80).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_and_references_are_parsed() {
        assert!(is_rule_row("| R12 | x |"));
        assert!(is_rule_row("| A1 | x |"));
        assert!(is_rule_row("| SC15 | x |") && is_rule_row("| DL8 | x |"));
        assert!(!is_rule_row("| SNAP | x |") && !is_rule_row("| ABCD1 | x |"));
        assert!(!is_rule_row("| # | rule |"));
        assert!(!is_rule_row("|---|---|"));
        assert_eq!(
            test_refs("| R1 | `a/b.rs::one`, `not a test`, `c.rs::two_2` |"),
            vec![("a/b.rs".to_owned(), "one"), ("c.rs".to_owned(), "two_2")]
        );
    }

    #[test]
    fn a_missing_test_is_reported() {
        let root = super::super::repo_root();
        assert!(test_exists(
            &root,
            "xtask/src/conformance.rs",
            "rows_and_references_are_parsed"
        )
        .is_ok());
        assert!(test_exists(&root, "xtask/src/conformance.rs", "no_such_test").is_err());
        // A function that is not a test does not count.
        assert!(test_exists(&root, "xtask/src/conformance.rs", "test_exists").is_err());
    }
}
