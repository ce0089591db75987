//! `doku verify`: check an inbound DOKU notification with doku-sign alone, with the key of the
//! merchant it is for (`DOKU_MERCHANT_KEY` or `--merchant-key-file`; the older
//! `DOKU_SECRET_KEY` and `--secret-key-file` still work for one release, with a warning).

use std::process::ExitCode;

use doku_sign::non_snap::{Kind, Message};
use doku_sign::notification::{self, Freshness};

use crate::args::VerifyArgs;
use crate::credentials;

/// The `--header 'Name: value'` arguments as (name, value) pairs, trimmed.
fn parse_headers(headers: &[String]) -> Result<Vec<(&str, &str)>, String> {
    headers
        .iter()
        .map(|header| {
            header
                .split_once(':')
                .map(|(name, value)| (name.trim(), value.trim()))
                .ok_or_else(|| format!("--header `{header}` is not `Name: value`"))
        })
        .collect()
}

/// The value of header `name` (case-insensitive); the last one wins, as a repeated flag does.
fn lookup<'a>(headers: &[(&str, &'a str)], name: &str) -> Option<&'a str> {
    headers
        .iter()
        .rev()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, value)| *value)
}

pub(crate) fn run(args: &VerifyArgs) -> Result<ExitCode, String> {
    let key = credentials::notification_key(
        args.merchant_key_file.as_deref(),
        args.secret_key_file.as_deref(),
    )?;
    let received = parse_headers(&args.headers)?;
    let body = std::fs::read(&args.body)
        .map_err(|e| format!("cannot read body {}: {e}", args.body.display()))?;
    let (message, signature) = Message::from_headers(
        Kind::Request,
        |name| lookup(&received, name),
        &args.target,
        Some(&body),
    )
    .map_err(|e| match e {
        doku_sign::Error::MissingHeader { name } => format!("missing --header '{name}: …'"),
        other => other.to_string(),
    })?;
    let freshness = args.max_age.map(|max_age| Freshness {
        now_unix_seconds: super::now_unix_seconds(),
        tolerance_seconds: max_age,
    });
    match notification::verify(&key, &message, signature, freshness) {
        Ok(()) => {
            println!("valid");
            Ok(ExitCode::SUCCESS)
        }
        Err(reason) => {
            println!("invalid: {reason}");
            eprintln!("notification refused: {reason}");
            Ok(ExitCode::from(1))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{lookup, parse_headers};

    #[test]
    fn header_names_are_case_insensitive_and_the_last_repeat_wins() {
        let args = ["client-id: A".to_owned(), "CLIENT-ID:B ".to_owned()];
        let headers = parse_headers(&args).unwrap();
        assert_eq!(lookup(&headers, doku_sign::headers::CLIENT_ID), Some("B"));
        assert_eq!(lookup(&headers, doku_sign::headers::SIGNATURE), None);
    }

    #[test]
    fn a_header_without_a_colon_is_refused() {
        let error = parse_headers(&["Client-Id M".to_owned()]).unwrap_err();
        assert_eq!(error, "--header `Client-Id M` is not `Name: value`");
    }
}
