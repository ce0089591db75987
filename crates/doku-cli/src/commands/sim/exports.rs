//! The ready-to-paste `export` lines `doku sim` prints under its `listening on` line: the
//! credentials the simulator accepts, under the CLI's variable names (the merchant's
//! `DOKU_MERCHANT_ID` / `DOKU_MERCHANT_KEY`, the partner's `DOKU_CLIENT_ID` / `DOKU_SECRET_KEY`,
//! and `DOKU_BASE_URL`), so that `doku checkout`, `listen`, `status` and `sim trigger` in another
//! terminal talk to it.
//!
//! A key given in a file is exported as `"$(cat FILE)"`, not printed. Without any credential,
//! `doku sim` accepts a fresh test merchant (random id and key, like `doku demo`'s).

use std::io::Write;
use std::path::PathBuf;

use doku_sim::cli::SimArgs;

use crate::credentials::{CLIENT_ID_ENV, MERCHANT_ID_ENV, MERCHANT_KEY_ENV, SECRET_KEY_ENV};

/// The variable naming the target.
pub(crate) const BASE_URL_ENV: &str = "DOKU_BASE_URL";

/// Where a credential's key is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum KeyText {
    /// Given as text (`--credential`, `--secret-key`, `DOKU_SECRET_KEY`).
    Literal(String),
    /// Read from this file (`--secret-key-file`).
    File(PathBuf),
}

/// Gives `args` a fresh test credential when it has none; whether it did.
pub(crate) fn ensure_credential(args: &mut SimArgs) -> bool {
    if !args.client_ids.is_empty()
        || !args.credentials.is_empty()
        || !args.secret_keys.is_empty()
        || !args.secret_key_files.is_empty()
    {
        return false;
    }
    let id = uuid::Uuid::new_v4().simple().to_string().to_uppercase();
    let key = uuid::Uuid::new_v4().simple().to_string();
    args.credentials
        .push(format!("BRN-LOCAL-{}=SK-local-{key}", &id[..12]));
    true
}

/// The credentials `args` configures, in the simulator's pairing order: `--client-id`s with the
/// `--secret-key`s then the `--secret-key-file`s, then each `--credential ID=KEY`.
pub(crate) fn credentials(args: &SimArgs) -> Vec<(String, KeyText)> {
    let keys = args
        .secret_keys
        .iter()
        .map(|k| KeyText::Literal(k.clone()))
        .chain(
            args.secret_key_files
                .iter()
                .map(|f| KeyText::File(f.clone())),
        );
    let mut pairs: Vec<(String, KeyText)> = args.client_ids.iter().cloned().zip(keys).collect();
    pairs.extend(args.credentials.iter().filter_map(|pair| {
        let (id, key) = pair.split_once('=')?;
        Some((id.to_owned(), KeyText::Literal(key.to_owned())))
    }));
    pairs
}

/// Writes the `export` lines: the first credential as the merchant (uncommented: pasting the
/// whole block sets it), then as the partner, each other credential as a commented merchant
/// line.
pub(crate) fn write(
    out: &mut impl Write,
    credentials: &[(String, KeyText)],
    base_url: &str,
    generated: bool,
) -> std::io::Result<()> {
    let Some((first, rest)) = credentials.split_first() else {
        return Ok(());
    };
    if generated {
        writeln!(
            out,
            "# no credential given: this simulator accepts a fresh test merchant, {}",
            shell_word(&first.0)
        )?;
    }
    writeln!(
        out,
        "# paste into the terminals that run doku checkout, listen, status, sim trigger:"
    )?;
    let base = shell_word(base_url);
    let line = |(id, key): &(String, KeyText), id_env: &str, key_env: &str| {
        format!(
            "export {id_env}={} {key_env}={} {BASE_URL_ENV}={base}",
            shell_word(id),
            key_word(key)
        )
    };
    writeln!(out, "{}", line(first, MERCHANT_ID_ENV, MERCHANT_KEY_ENV))?;
    writeln!(
        out,
        "# as the partner (doku token, requirements, upload, …):"
    )?;
    writeln!(out, "# {}", line(first, CLIENT_ID_ENV, SECRET_KEY_ENV))?;
    for other in rest {
        writeln!(out, "# {}", line(other, MERCHANT_ID_ENV, MERCHANT_KEY_ENV))?;
    }
    Ok(())
}

/// A key as a shell word: quoted text, or `"$(cat FILE)"`.
fn key_word(key: &KeyText) -> String {
    match key {
        KeyText::Literal(text) => shell_word(text),
        KeyText::File(path) => format!("\"$(cat {})\"", shell_word(&path.to_string_lossy())),
    }
}

/// `text` as one POSIX shell word: as is when it has only safe characters, else single-quoted;
/// a control or bidi character is written `\u{…}`-escaped inside the quotes (it is not the value
/// then, but never reaches the terminal raw).
fn shell_word(text: &str) -> String {
    let safe = |c: char| c.is_ascii_alphanumeric() || "-_.:/@+,=%".contains(c);
    if !text.is_empty() && text.chars().all(safe) {
        return text.to_owned();
    }
    format!(
        "'{}'",
        crate::output::escape(text, false).replace('\'', r"'\''")
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser as _;

    fn parse(args: &[&str]) -> SimArgs {
        let mut all = vec!["doku-sim"];
        all.extend_from_slice(args);
        SimArgs::try_parse_from(all).unwrap()
    }

    #[test]
    fn exports_pair_ids_and_keys_as_the_simulator_does() {
        let args = parse(&[
            "--client-id",
            "BRN-A",
            "--client-id",
            "BRN-B",
            "--secret-key",
            "SK a'b",
            "--secret-key-file",
            "/keys/b.key",
            "--credential",
            "BRN-C=SK-c",
        ]);
        let pairs = credentials(&args);
        assert_eq!(pairs.len(), 3);
        let mut out = Vec::new();
        write(&mut out, &pairs, "http://127.0.0.1:8099", false).unwrap();
        let text = String::from_utf8(out).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(
            lines[1],
            r"export DOKU_MERCHANT_ID=BRN-A DOKU_MERCHANT_KEY='SK a'\''b' DOKU_BASE_URL=http://127.0.0.1:8099"
        );
        assert_eq!(
            lines[3],
            r"# export DOKU_CLIENT_ID=BRN-A DOKU_SECRET_KEY='SK a'\''b' DOKU_BASE_URL=http://127.0.0.1:8099"
        );
        assert!(
            text.contains(r#"DOKU_MERCHANT_KEY="$(cat /keys/b.key)""#),
            "{text}"
        );
        assert!(
            text.contains("# export DOKU_MERCHANT_ID=BRN-C DOKU_MERCHANT_KEY=SK-c"),
            "{text}"
        );
    }

    #[test]
    fn a_simulator_without_credentials_gets_a_fresh_merchant() {
        let mut args = parse(&[]);
        assert!(ensure_credential(&mut args));
        assert!(args.credentials[0].starts_with("BRN-LOCAL-"));
        assert!(!ensure_credential(&mut args), "only once");
        let mut given = parse(&["--credential", "BRN-1=SK-1"]);
        assert!(!ensure_credential(&mut given));
    }
}
