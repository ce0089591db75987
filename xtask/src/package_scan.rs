//! Pure checks on the files of a packaged crate: nothing that looks like a secret, no fixture larger
//! than it needs to be. Separate from `package.rs` (which runs cargo) so the rules have unit tests.

/// Largest Rust source file allowed in a package. Our largest is ~25 KiB; a source file past this
/// is almost certainly generated data that belongs outside the crate.
pub(crate) const MAX_SOURCE_BYTES: u64 = 100 * 1024;

/// Largest non-source file (test fixtures, samples, images) allowed in a package. The fixtures the
/// crates ship today are under 2 KiB; cross-language vectors and keys live in `vectors/`, outside
/// every crate.
pub(crate) const MAX_FIXTURE_BYTES: u64 = 16 * 1024;

/// File names that hold key material or credentials, whatever their content.
const SECRET_NAME_SUFFIXES: &[&str] = &[".pem", ".key", ".p12", ".pfx", ".jks", ".keystore"];
const SECRET_NAME_PREFIXES: &[&str] = &[".env", "id_rsa", "id_ecdsa", "id_ed25519", ".netrc"];

/// Values that look like secrets but are published by DOKU in its documentation's samples, so a test
/// that replays DOKU's sample may carry them.
const PUBLIC_SAMPLES: &[&str] = &[
    // `shared_key` in DOKU's Get Business Data sample response (and its Checkout pages):
    // the published sample, not a credential.
    "SK-ViEeAojc5K0nBrL41ou4",
];

/// Files cargo writes itself, or our own licence and manifest files: only the size rule is skipped.
fn is_generated_or_text(path: &str) -> bool {
    matches!(
        path,
        "Cargo.lock" | "Cargo.toml" | "Cargo.toml.orig" | ".cargo_vcs_info.json"
    ) || path.starts_with("LICENSE")
        || path.ends_with(".md")
}

/// The name a key published on purpose must end with: the simulator's stand-in for DOKU's SNAP key
/// pair and the demo merchant's, which the binaries embed and whose private halves are public by
/// design. Marked in the name, so a real key cannot pass unnoticed; exempt from the name and
/// content rules, nothing else.
const PUBLISHED_TEST_KEY_SUFFIX: &str = ".TEST-ONLY.pem";

/// Every problem with one packaged file (path relative to the package root, its size and bytes);
/// empty when the file is fine.
pub(crate) fn check_file(path: &str, size: u64, bytes: &[u8]) -> Vec<String> {
    let mut problems = Vec::new();
    let name = path.rsplit('/').next().unwrap_or(path);
    let lower = name.to_ascii_lowercase();
    let published_test_key = name.ends_with(PUBLISHED_TEST_KEY_SUFFIX);
    if !published_test_key
        && (SECRET_NAME_SUFFIXES.iter().any(|s| lower.ends_with(s))
            || SECRET_NAME_PREFIXES.iter().any(|p| lower.starts_with(p)))
    {
        problems.push(format!(
            "{path}: a key or credentials file name; keep such files out of packages (`exclude`)"
        ));
    }
    if !is_generated_or_text(path) {
        let limit = if path.ends_with(".rs") {
            MAX_SOURCE_BYTES
        } else {
            MAX_FIXTURE_BYTES
        };
        if size > limit {
            problems.push(format!(
                "{path}: {size} bytes, over the {limit}-byte limit for such files"
            ));
        }
    }
    if let Some(what) = secret_in(bytes).filter(|_| !published_test_key) {
        problems.push(format!("{path}: contains {what}"));
    }
    problems
}

/// Names the first thing in `bytes` that looks like a real secret, if any.
///
/// Mentions are fine (doku-sign's docs say `BEGIN PRIVATE KEY`); key material is not: a PEM private
/// key header followed by a line of base64, a cloud or GitHub token, or a DOKU-style secret key
/// (`SK-` and 20+ letters and digits with no separator; the examples use readable fakes such as
/// `SK-EXAMPLE-ONLY`).
pub(crate) fn secret_in(bytes: &[u8]) -> Option<&'static str> {
    let text = String::from_utf8_lossy(bytes);
    if pem_private_key(&text) {
        return Some("PEM private key material");
    }
    if token_after(&text, "AKIA", 16, |c| {
        c.is_ascii_uppercase() || c.is_ascii_digit()
    }) {
        return Some("an AWS access key id");
    }
    for prefix in ["ghp_", "gho_", "ghs_", "github_pat_"] {
        if token_after(&text, prefix, 30, |c| c.is_ascii_alphanumeric() || c == '_') {
            return Some("a GitHub token");
        }
    }
    if token_after(&text, "xoxb-", 20, |c| {
        c.is_ascii_alphanumeric() || c == '-'
    }) {
        return Some("a Slack token");
    }
    if doku_secret_key(&text) {
        return Some("what looks like a real DOKU secret key (SK-…)");
    }
    None
}

/// A `-----BEGIN … PRIVATE KEY-----` line followed (after a real or an escaped newline) by 32 or
/// more base64 characters.
fn pem_private_key(text: &str) -> bool {
    let marker = "PRIVATE KEY-----";
    let mut rest = text;
    while let Some(at) = rest.find(marker) {
        let before = &rest[..at];
        let after = &rest[at + marker.len()..];
        rest = after;
        if !before
            .rsplit('\n')
            .next()
            .unwrap_or("")
            .contains("-----BEGIN")
        {
            continue;
        }
        let body = after
            .trim_start_matches(['\r', '\n'])
            .trim_start_matches("\\r")
            .trim_start_matches("\\n");
        let run = body
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '/' | '='))
            .count();
        if run >= 32 {
            return true;
        }
    }
    false
}

/// `prefix` followed by at least `min` characters accepted by `ok`.
fn token_after(text: &str, prefix: &str, min: usize, ok: impl Fn(char) -> bool) -> bool {
    text.match_indices(prefix).any(|(at, _)| {
        text[at + prefix.len()..]
            .chars()
            .take_while(|c| ok(*c))
            .count()
            >= min
    })
}

/// `SK-` (not preceded by a letter or digit) and then 20+ letters and digits, mixing both, unless it
/// is one of DOKU's [`PUBLIC_SAMPLES`].
fn doku_secret_key(text: &str) -> bool {
    text.match_indices("SK-").any(|(at, _)| {
        if PUBLIC_SAMPLES.iter().any(|s| text[at..].starts_with(s)) {
            return false;
        }
        let preceded = text[..at]
            .chars()
            .next_back()
            .is_some_and(|c| c.is_ascii_alphanumeric());
        let run: String = text[at + 3..]
            .chars()
            .take_while(char::is_ascii_alphanumeric)
            .collect();
        !preceded
            && run.len() >= 20
            && run.chars().any(|c| c.is_ascii_digit())
            && run.chars().any(|c| c.is_ascii_alphabetic())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY_BODY: &str = "MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7";

    #[test]
    fn a_pem_private_key_is_flagged_a_mention_is_not() {
        let pem = format!("-----BEGIN PRIVATE KEY-----\n{KEY_BODY}\n-----END PRIVATE KEY-----\n");
        assert_eq!(secret_in(pem.as_bytes()), Some("PEM private key material"));
        let rsa = format!("let k = \"-----BEGIN RSA PRIVATE KEY-----\\n{KEY_BODY}\";");
        assert_eq!(secret_in(rsa.as_bytes()), Some("PEM private key material"));
        let mention = "//! from PEM as PKCS#8 (`BEGIN PRIVATE KEY`) or PKCS#1\n\
                       if pem.contains(\"-----BEGIN RSA PRIVATE KEY-----\") {";
        assert_eq!(secret_in(mention.as_bytes()), None);
        let public = format!("-----BEGIN PUBLIC KEY-----\n{KEY_BODY}\n");
        assert_eq!(secret_in(public.as_bytes()), None);
    }

    #[test]
    fn only_keys_named_test_only_may_be_packaged() {
        let pem = format!("-----BEGIN PRIVATE KEY-----\n{KEY_BODY}\n-----END PRIVATE KEY-----\n");
        assert!(check_file("src/snap/doku-private.TEST-ONLY.pem", 100, pem.as_bytes()).is_empty());
        assert_eq!(
            check_file("src/snap/doku-private.pem", 100, pem.as_bytes()).len(),
            2
        );
        assert_eq!(check_file("src/keys.rs", 100, pem.as_bytes()).len(), 1);
        assert_eq!(
            check_file("src/x.test-only.pem", 100, pem.as_bytes()).len(),
            2
        );
    }

    #[test]
    fn tokens_are_flagged() {
        assert!(secret_in(b"key = AKIAIOSFODNN7EXAMPLE").is_some());
        assert!(secret_in(b"ghp_abcdefghijklmnopqrstuvwxyz0123456789").is_some());
        assert!(secret_in(b"xoxb-123456789012-abcdefghijkl").is_some());
    }

    #[test]
    fn doku_looking_keys_are_flagged_readable_fakes_are_not() {
        assert!(secret_in(b"DOKU_SECRET_KEY=SK-7fQ2mX9pL4rT8vB1nK6sD3hJ").is_some());
        for fake in [
            "SK-EXAMPLE-ONLY",
            "SK-python-independent",
            "SK-curl-secret",
            "SK-alloc",
            "TASK-1234567890abcdefghij",
            "\"shared_key\": \"SK-ViEeAojc5K0nBrL41ou4\"",
        ] {
            assert_eq!(secret_in(fake.as_bytes()), None, "{fake}");
        }
    }

    #[test]
    fn key_file_names_are_flagged_whatever_their_content() {
        assert!(!check_file("tests/keys/merchant.pem", 10, b"x").is_empty());
        assert!(!check_file(".env", 10, b"x").is_empty());
        assert!(!check_file("src/secrets/id_rsa", 10, b"x").is_empty());
        assert!(check_file("src/pem.rs", 10, b"fn parse() {}").is_empty());
    }

    #[test]
    fn oversized_fixtures_are_flagged_sources_and_generated_files_have_their_own_limits() {
        assert!(!check_file("tests/data/big.json", MAX_FIXTURE_BYTES + 1, b"{}").is_empty());
        assert!(check_file("samples/document.png", 74, b"png").is_empty());
        assert!(check_file("src/lib.rs", MAX_FIXTURE_BYTES + 1, b"").is_empty());
        assert!(!check_file("src/table.rs", MAX_SOURCE_BYTES + 1, b"").is_empty());
        assert!(check_file("Cargo.lock", 10 * MAX_SOURCE_BYTES, b"").is_empty());
    }
}
