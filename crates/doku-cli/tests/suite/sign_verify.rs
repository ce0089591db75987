//! `doku sign` and `doku verify`, run as the built binary.

use std::ffi::OsStr;
use std::process::{Command, Output};

/// `doku ARGS` with `secret` as the key: the partner's `DOKU_SECRET_KEY` for `sign`, the
/// merchant's `DOKU_MERCHANT_KEY` for `verify` (a notification is signed with the merchant's).
fn doku(args: &[impl AsRef<OsStr>], secret: Option<&str>) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_doku"));
    command
        .args(args)
        .env_remove("DOKU_CLIENT_ID")
        .env_remove("DOKU_SECRET_KEY")
        .env_remove("DOKU_MERCHANT_KEY");
    let verify = args.first().is_some_and(|a| a.as_ref() == "verify");
    let variable = if verify {
        "DOKU_MERCHANT_KEY"
    } else {
        "DOKU_SECRET_KEY"
    };
    if let Some(secret) = secret {
        command.env(variable, secret);
    }
    command.output().expect("run doku")
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// `body` written to `file` in this test binary's own temp dir; the path, as an argument.
fn body_file(file: &str, body: &[u8]) -> String {
    let dir = std::env::temp_dir().join(format!("doku-cli-sign-verify-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let path = dir.join(file);
    std::fs::write(&path, body).expect("body file");
    path.to_str().expect("a UTF-8 temp path").to_owned()
}

/// `doku verify --target target --body body` with every header `doku sign` printed for the same
/// target and body (signed with `secret`, `sign_flags` added) passed back as `-H`.
fn verify_what_sign_printed(
    target: &str,
    body: &str,
    sign_flags: &[&str],
    secret: &str,
) -> Vec<String> {
    let mut sign = vec!["sign", "--target", target, "--body", body];
    sign.extend_from_slice(sign_flags);
    let signed = doku(&sign, Some(secret));
    assert!(signed.status.success(), "{signed:?}");
    let mut args: Vec<String> = ["verify", "--target", target, "--body", body]
        .map(str::to_owned)
        .into();
    for header in stdout(&signed).lines() {
        args.extend(["-H".to_owned(), header.to_owned()]);
    }
    args
}

/// The spec's worked example; the expected value was computed independently with
/// `printf '%s' "<string to sign>" | openssl dgst -sha256 -hmac SK-EXAMPLE-ONLY -binary | base64`.
#[test]
fn sign_reproduces_the_openssl_value_for_the_spec_example() {
    let output = doku(
        &[
            "sign",
            "--method",
            "GET",
            "--target",
            "/orders/v1/status/INV-123123-12313",
            "--client-id",
            "MCH-0001-10791114622547",
            "--request-id",
            "d895fb53-479c-4f77-a76a-ab81b40d77cb",
            "--timestamp",
            "2020-08-11T08:45:42Z",
            "--explain",
        ],
        Some("SK-EXAMPLE-ONLY"),
    );
    assert!(output.status.success(), "{output:?}");
    let out = stdout(&output);
    assert!(
        out.contains("Signature: HMACSHA256=KSgh3PzuvO1Ayq0cJVGJ4ScZIcfqUtrXSpuy/We5C24=\n"),
        "{out}"
    );
    assert!(out.contains("Request-Timestamp: 2020-08-11T08:45:42Z\n"));
    let err = String::from_utf8_lossy(&output.stderr);
    assert!(
        err.contains("Request-Target:/orders/v1/status/INV-123123-12313"),
        "{err}"
    );
    assert!(err.contains("No body: no Digest line."), "{err}");
    assert!(!out.contains("SK-EXAMPLE-ONLY") && !err.contains("SK-EXAMPLE-ONLY"));
}

#[test]
fn sign_without_a_secret_fails_clearly() {
    let output = doku(&["sign", "--target", "/x", "--client-id", "C"], None);
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("DOKU_SECRET_KEY"));
}

#[test]
fn sign_refuses_a_get_with_a_body_and_a_url_target() {
    let body = body_file("get-body.json", b"{}");
    let get = doku(
        &[
            "sign",
            "--method",
            "GET",
            "--target",
            "/x",
            "--client-id",
            "C",
            "--body",
            &body,
        ],
        Some("k"),
    );
    assert_eq!(get.status.code(), Some(2));
    let url = doku(
        &[
            "sign",
            "--target",
            "https://api.doku.com/x",
            "--client-id",
            "C",
        ],
        Some("k"),
    );
    assert_eq!(url.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&url.stderr).contains("must be a path"));
}

#[test]
fn verify_accepts_a_signed_notification_and_refuses_a_tampered_one() {
    let body = body_file(
        "notification.json",
        br#"{"order":{"invoice_number":"INV-1","amount":10000.00}}"#,
    );
    // Sign with the CLI itself, then verify the printed headers.
    let sign_flags = ["--client-id", "MCH-1", "--request-id", "n-1"];
    let args = verify_what_sign_printed("/payments/notifications", &body, &sign_flags, "SK-notify");
    let valid = doku(&args, Some("SK-notify"));
    assert_eq!(valid.status.code(), Some(0), "{valid:?}");
    assert_eq!(stdout(&valid), "valid\n");

    let mut fresh = args.clone();
    fresh.extend(["--max-age".to_owned(), "300".to_owned()]);
    assert_eq!(doku(&fresh, Some("SK-notify")).status.code(), Some(0));

    let wrong_key = doku(&args, Some("SK-other"));
    assert_eq!(wrong_key.status.code(), Some(1));
    assert!(stdout(&wrong_key).contains("does not match"));

    body_file(
        "notification.json",
        br#"{"order":{"invoice_number":"INV-1","amount":10000.01}}"#,
    );
    let tampered = doku(&args, Some("SK-notify"));
    assert_eq!(tampered.status.code(), Some(1));
}

#[test]
fn verify_refuses_a_stale_notification_and_names_missing_headers() {
    let body = body_file("n.json", b"{}");
    let sign_flags = [
        "--client-id",
        "M",
        "--request-id",
        "r",
        "--timestamp",
        "2020-01-01T00:00:00Z",
    ];
    let mut args = verify_what_sign_printed("/n", &body, &sign_flags, "k");
    args.extend(["--max-age".to_owned(), "60".to_owned()]);
    let stale = doku(&args, Some("k"));
    assert_eq!(stale.status.code(), Some(1));
    assert!(
        stdout(&stale).contains("outside the tolerance"),
        "{stale:?}"
    );

    let missing = doku(
        &[
            "verify",
            "--target",
            "/n",
            "--body",
            &body,
            "-H",
            "Client-Id: M",
        ],
        Some("k"),
    );
    assert_eq!(missing.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&missing.stderr).contains("Request-Id"));
}

/// `doku verify` reads the merchant's key; the older `DOKU_SECRET_KEY` and `--secret-key-file`
/// still work for one release, each with a warning naming the new name.
#[test]
fn verify_still_takes_the_deprecated_names_with_a_warning() {
    let body = body_file("deprecated.json", b"{}");
    let args = verify_what_sign_printed("/n", &body, &["--client-id", "M"], "SK-old");
    let old_env = Command::new(env!("CARGO_BIN_EXE_doku"))
        .args(&args)
        .env_remove("DOKU_MERCHANT_KEY")
        .env("DOKU_SECRET_KEY", "SK-old")
        .output()
        .expect("run doku");
    assert_eq!(old_env.status.code(), Some(0), "{old_env:?}");
    let stderr = String::from_utf8_lossy(&old_env.stderr);
    assert!(
        stderr.contains("warning: DOKU_SECRET_KEY is deprecated")
            && stderr.contains("DOKU_MERCHANT_KEY"),
        "{stderr}"
    );

    let key_file = body_file("merchant.key", b"SK-old\n");
    let mut old_flag = args.clone();
    old_flag.extend(["--secret-key-file".to_owned(), key_file.clone()]);
    let output = doku(&old_flag, None);
    assert_eq!(output.status.code(), Some(0), "{output:?}");
    assert!(String::from_utf8_lossy(&output.stderr).contains("--merchant-key-file"));

    let mut new_flag = args;
    new_flag.extend(["--merchant-key-file".to_owned(), key_file]);
    let output = doku(&new_flag, None);
    assert_eq!(output.status.code(), Some(0), "{output:?}");
    assert!(output.stderr.is_empty(), "no warning: {output:?}");

    let none = doku(
        &["verify", "--target", "/n", "--body", &body, "-H", "A: b"],
        None,
    );
    assert_eq!(none.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&none.stderr).contains("set DOKU_MERCHANT_KEY"));
}
