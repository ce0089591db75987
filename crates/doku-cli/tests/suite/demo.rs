//! `doku demo`, the README's main command, as a user runs it.

use std::process::Command;

#[test]
fn demo_completes_every_step_with_verified_signatures() {
    let output = Command::new(env!("CARGO_BIN_EXE_doku"))
        .arg("demo")
        .env_remove("DOKU_CLIENT_ID")
        .env_remove("DOKU_SECRET_KEY")
        .env_remove("DOKU_BASE_URL")
        .output()
        .expect("run doku demo");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "stdout:\n{stdout}\nstderr:\n{stderr}"
    );
    for step in [
        "Generate Token",
        "Check Requirements",
        "Upload File KTP",
        "Business Registration",
        "Get Business Data",
        "Create Business Lite",
        "Checkout (merchant)",
        "Check Status (merchant)",
    ] {
        let line = stdout
            .lines()
            .find(|l| l.contains(step))
            .unwrap_or_else(|| panic!("no progress line for {step}:\n{stdout}"));
        assert!(
            line.contains(" ok ") && line.contains("status 200") && line.contains("request-id "),
            "{line}"
        );
    }
    // The payment half: the simulator pays, the embedded receiver verifies the notification
    // with the brand's shared key, and Check Status agrees.
    let notification = stdout
        .lines()
        .find(|l| l.contains("Notification verified"))
        .unwrap_or_else(|| panic!("no notification line:\n{stdout}"));
    assert!(
        notification.contains(" ok ") && notification.contains("status SUCCESS"),
        "{notification}"
    );
    assert!(stdout.contains("Simulator pays the order"), "{stdout}");
    assert!(stdout.contains("(final)"), "{stdout}");
    assert!(
        stdout.contains("check status: ") && stdout.contains(" is SUCCESS\n"),
        "{stdout}"
    );
    // The SNAP half: the merchant registers its (demo, test-only) public key, creates a
    // Virtual Account, the simulator pays it, asks the embedded receiver's token endpoint for a
    // token and delivers the SNAP notification, which the receiver verifies (our bearer, the
    // HMAC over the raw body) and acknowledges; Check Status VA shows it paid.
    for step in ["Create VA (SNAP)", "Check Status VA (SNAP)"] {
        let line = stdout
            .lines()
            .find(|l| l.contains(step))
            .unwrap_or_else(|| panic!("no progress line for {step}:\n{stdout}"));
        assert!(
            line.contains(" ok ") && line.contains("status 200") && line.contains("external-id "),
            "{line}"
        );
    }
    for step in [
        "ok   Register SNAP public key",
        "ok   Simulator pays the VA",
        "ok   SNAP notification verified",
    ] {
        assert!(stdout.contains(step), "no {step:?} line:\n{stdout}");
    }
    let snap = stdout
        .lines()
        .find(|l| l.contains("SNAP notification verified   external-id"))
        .unwrap_or_else(|| panic!("no SNAP notification line:\n{stdout}"));
    assert!(
        snap.contains("HMAC over raw body") && snap.contains("ack 2002500"),
        "{snap}"
    );
    assert!(
        stdout.contains("SNAP check status: ") && stdout.contains("is paid (75000.00, Success)"),
        "{stdout}"
    );
    assert!(stdout.contains("summary: all 17 steps ok"), "{stdout}");
    assert!(
        stdout.contains("response signatures verified: 10/10"),
        "{stdout}"
    );
    assert!(
        !stdout.contains("SK-") && !stderr.contains("SK-"),
        "neither the demo secret nor the brand's shared key is printed"
    );
    assert!(
        !stdout.contains("eyJ") && !stderr.contains("eyJ"),
        "no token (Partner API or SNAP JWT) is printed"
    );
    assert!(
        !stdout.contains("PRIVATE KEY") && !stderr.contains("PRIVATE KEY"),
        "no key is printed"
    );
}

#[test]
fn demo_against_uat_without_credentials_fails_before_any_network_call() {
    let output = Command::new(env!("CARGO_BIN_EXE_doku"))
        .args(["demo", "--env", "uat"])
        .env_remove("DOKU_CLIENT_ID")
        .env_remove("DOKU_SECRET_KEY")
        .output()
        .expect("run doku demo");
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("DOKU_CLIENT_ID"));
}
