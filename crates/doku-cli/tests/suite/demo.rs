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
        stdout.contains("is SUCCESS\n") || stdout.trim_end().ends_with("is SUCCESS"),
        "{stdout}"
    );
    assert!(stdout.contains("summary: all 12 steps ok"), "{stdout}");
    assert!(
        stdout.contains("response signatures verified: 10/10"),
        "{stdout}"
    );
    assert!(
        !stdout.contains("SK-") && !stderr.contains("SK-"),
        "neither the demo secret nor the brand's shared key is printed"
    );
    assert!(!stdout.contains("eyJ"), "no token is printed");
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
