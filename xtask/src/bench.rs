//! `cargo xtask bench`: runs the project's benchmarks (release builds, through cargo) and prints
//! one line per claim. Every benchmark compares against a baseline measured in the same run;
//! record results with their commands in docs/performance.md.
//!
//! 1. doku-sign: `cargo bench -p doku-sign --bench sign --features rsa` (criterion), read from
//!    criterion's text output: Non-SNAP `sign / raw` at 1 KiB and 1 MiB; SNAP transaction signing
//!    of a 1 KiB body (minify, body hash, HMAC-SHA512, base64) against the same work by hand, and
//!    against a Python peer timed in the same run (its `python:` line); the RSA token signature's
//!    cost (reported, no target).
//! 2. doku-sim: `cargo bench -p doku-sim --bench throughput`, its summary line.
//! 3. doku-partner client vs bare hyper: `cargo bench -p doku-partner --bench client`, its
//!    `client:` summary line (throughput and client CPU per call, sdk vs bare, with targets).
//! 4. Many merchants, one process: `cargo bench -p doku-partner --bench merchants`, its
//!    `merchants:` and `receiver:` lines.
//! 5. The idempotency record's memory: `cargo bench -p doku-sim --bench idempotency_memory`,
//!    its `idempotency:` line (bytes per record and the retention bound, with targets).
//! 6. Notifications verified and committed per second by receiver processes:
//!    `cargo bench -p notification-receiver --bench store`, its `notifications:` line
//!    (PostgreSQL with 1 and 4 receivers against SQLite with 1; needs PostgreSQL).
//! 6. Tokens shared in PostgreSQL: `cargo bench -p doku-postgres --bench token_store`, its
//!    `tokens:` line (per call with `PgTokenStore` vs in memory; a refresh through the store).

use std::path::Path;
use std::process::{Command, Stdio};

/// The criterion invocation of the doku-sign bench.
const SIGN_ARGS: &[&str] = &[
    "bench",
    "-p",
    "doku-sign",
    "--bench",
    "sign",
    "--features",
    "rsa",
    "--",
    "--warm-up-time",
    "1",
    "--measurement-time",
    "3",
];
const SIM_ARGS: &[&str] = &["bench", "-p", "doku-sim", "--bench", "throughput"];
const CLIENT_ARGS: &[&str] = &["bench", "-p", "doku-partner", "--bench", "client"];
const MERCHANTS_ARGS: &[&str] = &["bench", "-p", "doku-partner", "--bench", "merchants"];
const IDEMPOTENCY_ARGS: &[&str] = &["bench", "-p", "doku-sim", "--bench", "idempotency_memory"];
/// The notification store bench (receiver processes on SQLite and on PostgreSQL).
const NOTIFICATIONS_ARGS: &[&str] = &["bench", "-p", "notification-receiver", "--bench", "store"];
/// Prefixes of the summary lines of the merchants bench, each required at least once.
const MERCHANTS_PREFIXES: &[&str] = &["merchants:", "receiver:"];
/// (size label, target for sign/raw).
const SIGN_TARGETS: &[(&str, f64)] = &[("1KiB", 1.2), ("1MiB", 1.1)];
/// Target for SNAP transaction signing of 1 KiB against the same work by hand.
const SNAP_TARGET: f64 = 1.2;
/// The Python peer's line in the doku-sign bench's output.
const PYTHON_PREFIX: &str = "python: snap sign 1KiB ";

/// Runs all three; `Err` if a benchmark failed to run or a number could not be read.
pub(crate) fn run(root: &Path, extra_sim_args: &[&str]) -> Result<String, String> {
    let mut failures = Vec::new();

    match cargo(root, SIGN_ARGS) {
        Ok(out) => {
            for line in sign_lines(&out) {
                match line {
                    Ok(l) => println!("{l}"),
                    Err(e) => failures.push(e),
                }
            }
        }
        Err(e) => failures.push(e),
    }

    let mut sim_args = SIM_ARGS.to_vec();
    if !extra_sim_args.is_empty() {
        sim_args.push("--");
        sim_args.extend_from_slice(extra_sim_args);
    }
    match cargo(root, &sim_args) {
        Ok(out) => match out.lines().rev().find(|l| l.starts_with("sim:")) {
            Some(l) => println!("{l}"),
            None => failures.push("doku-sim throughput: no `sim:` summary line".to_owned()),
        },
        Err(e) => failures.push(e),
    }

    match cargo(root, CLIENT_ARGS) {
        Ok(out) => match out.lines().rev().find(|l| l.starts_with("client:")) {
            Some(l) => println!("{l}"),
            None => {
                failures.push("doku-partner client bench: no `client:` summary line".to_owned())
            }
        },
        Err(e) => failures.push(e),
    }

    match cargo(root, MERCHANTS_ARGS) {
        Ok(out) => match merchants_lines(&out) {
            Ok(lines) => lines.iter().for_each(|l| println!("{l}")),
            Err(e) => failures.push(e),
        },
        Err(e) => failures.push(e),
    }

    // Exits non-zero itself when a target is missed; its line says which.
    match cargo(root, IDEMPOTENCY_ARGS) {
        Ok(out) => match out.lines().rev().find(|l| l.starts_with("idempotency:")) {
            Some(l) => println!("{l}"),
            None => failures.push("idempotency bench: no `idempotency:` summary line".to_owned()),
        },
        Err(e) => failures.push(e),
    }

    // Tokens shared in PostgreSQL (starts a throwaway server: needs Debian's `postgresql`).
    match cargo(
        root,
        &["bench", "-p", "doku-postgres", "--bench", "token_store"],
    ) {
        Ok(out) => match out.lines().rev().find(|l| l.starts_with("tokens:")) {
            Some(l) => println!("{l}"),
            None => failures.push("token store bench: no `tokens:` summary line".to_owned()),
        },
        Err(e) => failures.push(e),
    }

    // Notifications verified and committed per second: PostgreSQL with 1 and 4 receiver
    // processes against SQLite with 1, in the same run (needs PostgreSQL installed).
    match cargo(root, NOTIFICATIONS_ARGS) {
        Ok(out) => match out.lines().rev().find(|l| l.starts_with("notifications:")) {
            Some(l) => println!("{l}"),
            None => failures.push("store bench: no `notifications:` summary line".to_owned()),
        },
        Err(e) => failures.push(e),
    }

    if failures.is_empty() {
        Ok("bench: done (record the numbers and commands in docs/performance.md)".to_owned())
    } else {
        Err(failures.join("\n"))
    }
}

/// Runs `cargo ARGS` in `root`; stderr (build progress, notes) passes through, stdout is
/// returned.
fn cargo(root: &Path, args: &[&str]) -> Result<String, String> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    eprintln!("$ cargo {}", args.join(" "));
    let out = Command::new(cargo)
        .args(args)
        .current_dir(root)
        .stdin(Stdio::null())
        .stderr(Stdio::inherit())
        .output()
        .map_err(|e| format!("cannot run cargo: {e}"))?;
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    if out.status.success() {
        Ok(stdout)
    } else {
        Err(format!(
            "`cargo {}` failed ({}); its output:\n{stdout}",
            args.join(" "),
            out.status
        ))
    }
}

/// The summary lines of the merchants bench (those starting with a [`MERCHANTS_PREFIXES`] entry);
/// `Err` when a prefix has no line.
fn merchants_lines(output: &str) -> Result<Vec<&str>, String> {
    let lines: Vec<&str> = output
        .lines()
        .filter(|l| MERCHANTS_PREFIXES.iter().any(|p| l.starts_with(p)))
        .collect();
    match MERCHANTS_PREFIXES
        .iter()
        .find(|p| !lines.iter().any(|l| l.starts_with(*p)))
    {
        Some(p) => Err(format!("merchants bench: no `{p}` summary line")),
        None => Ok(lines),
    }
}

/// One line per size in [`SIGN_TARGETS`] (`doku-sign: sign/raw 1KiB = 0.97 (target <= 1.2)`), then
/// the SNAP lines: [`snap_lines`].
fn sign_lines(criterion_output: &str) -> Vec<Result<String, String>> {
    let mut lines = non_snap_lines(criterion_output);
    lines.extend(snap_lines(criterion_output));
    lines
}

/// SNAP transaction signing at 1 KiB: against the same work by hand (target [`SNAP_TARGET`]),
/// against the Python peer (target: faster), and the RSA token signature (no target).
fn snap_lines(output: &str) -> Vec<Result<String, String>> {
    let raw = median(output, "snap_1KiB/raw/1KiB");
    let sign = median(output, "snap_1KiB/sign/1KiB");
    let hand = match (raw, sign) {
        (Some(raw), Some(sign)) => {
            let ratio = sign / raw;
            let verdict = if ratio <= SNAP_TARGET { "ok" } else { "MISSED" };
            Ok(format!(
                "doku-sign: snap sign/raw 1KiB = {ratio:.2} (target <= {SNAP_TARGET}) {verdict}; minify + body hash + HMAC-SHA512 + base64, raw {}, sign {}",
                human(raw),
                human(sign)
            ))
        }
        _ => Err(
            "doku-sign: cannot find snap_1KiB raw and sign times in criterion's output".to_owned(),
        ),
    };
    let python = output
        .lines()
        .find_map(|l| l.strip_prefix(PYTHON_PREFIX))
        .and_then(|rest| rest.split_once(" ns/op"))
        .and_then(|(ns, _)| ns.trim().parse::<f64>().ok());
    let peer = match (sign, python) {
        (Some(sign), Some(python)) => {
            let verdict = if sign < python { "ok" } else { "MISSED" };
            Ok(format!(
                "doku-sign: snap sign 1KiB vs a Python peer = {:.1}x faster (target: faster) {verdict}; doku-sign {}, python {} (json round trip, hashlib, hmac, base64)",
                python / sign,
                human(sign),
                human(python)
            ))
        }
        _ => Err(match output.lines().find(|l| l.starts_with("python:")) {
            Some(line) => format!("doku-sign: no Python figure: {line}"),
            None => "doku-sign: no `python:` line in the sign bench's output".to_owned(),
        }),
    };
    let rsa = match (
        median(output, "rsa_token/sign"),
        median(output, "rsa_token/verify"),
    ) {
        (Some(sign), Some(verify)) => Ok(format!(
            "doku-sign: rsa token signature (RSA-2048, SHA256withRSA) sign {}, verify {} (reported, no target)",
            human(sign),
            human(verify)
        )),
        _ => Err("doku-sign: cannot find rsa_token sign and verify times in criterion's output".to_owned()),
    };
    vec![hand, peer, rsa]
}

/// One line per size in [`SIGN_TARGETS`].
fn non_snap_lines(criterion_output: &str) -> Vec<Result<String, String>> {
    SIGN_TARGETS
        .iter()
        .map(|(size, target)| {
            let raw = median(criterion_output, &format!("non_snap_{size}/raw/{size}"));
            let sign = median(criterion_output, &format!("non_snap_{size}/sign/{size}"));
            match (raw, sign) {
                (Some(raw), Some(sign)) => {
                    let ratio = sign / raw;
                    let verdict = if ratio <= *target { "ok" } else { "MISSED" };
                    Ok(format!(
                        "doku-sign: sign/raw {size} = {ratio:.2} (target <= {target}) {verdict}; raw {}, sign {}",
                        human(raw),
                        human(sign)
                    ))
                }
                _ => Err(format!(
                    "doku-sign: cannot find raw and sign times for {size} in criterion's output"
                )),
            }
        })
        .collect()
}

/// The middle estimate of `time: [low mid high]` reported for benchmark `id`, in nanoseconds.
///
/// Criterion prints the id then `time:` on the same line, or, when the id is long, the id alone
/// and `time:` on the next line.
fn median(output: &str, id: &str) -> Option<f64> {
    let mut lines = output.lines();
    while let Some(line) = lines.next() {
        let trimmed = line.trim_start();
        let Some(rest) = trimmed.strip_prefix(id) else {
            continue;
        };
        if !rest.is_empty() && !rest.starts_with(char::is_whitespace) {
            continue; // a longer id sharing this prefix
        }
        let time_line = if rest.contains("time:") {
            rest
        } else {
            lines.next()?
        };
        let inside = time_line
            .split_once("time:")?
            .1
            .trim()
            .strip_prefix('[')?
            .split(']')
            .next()?;
        let words: Vec<&str> = inside.split_whitespace().collect();
        // [low unit mid unit high unit]
        let (value, unit) = (words.get(2)?, words.get(3)?);
        let scale = match *unit {
            "ps" => 1e-3,
            "ns" => 1.0,
            "µs" | "us" => 1e3,
            "ms" => 1e6,
            "s" => 1e9,
            _ => return None,
        };
        return value.parse::<f64>().ok().map(|v| v * scale);
    }
    None
}

fn human(ns: f64) -> String {
    if ns >= 1e6 {
        format!("{:.1} ms", ns / 1e6)
    } else if ns >= 1e3 {
        format!("{:.1} µs", ns / 1e3)
    } else {
        format!("{ns:.0} ns")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &str = "\
non_snap_1KiB/raw/1KiB  time:   [950.10 ns 976.00 ns 1.0420 µs]
                        thrpt:  [937.19 MiB/s 1000.6 MiB/s 1.0279 GiB/s]
non_snap_1KiB/sign/1KiB time:   [890.00 ns 900.00 ns 910.00 ns]
non_snap_1MiB/raw/1MiB
                        time:   [515.00 µs 517.70 µs 520.00 µs]
non_snap_1MiB/sign/1MiB
                        time:   [516.00 µs 518.40 µs 521.00 µs]
                        change: [-1.0% +0.1% +1.2%] (p = 0.80 > 0.05)
snap_1KiB/raw/1KiB      time:   [4.8463 µs 5.0000 µs 5.9336 µs]
snap_1KiB/sign/1KiB     time:   [4.0578 µs 4.5000 µs 4.5856 µs]
python: snap sign 1KiB 25278 ns/op over 20000 iterations (json.loads+json.dumps), same signature
rsa_token/sign          time:   [1.7047 ms 1.7835 ms 1.8677 ms]
rsa_token/verify        time:   [190.28 µs 194.95 µs 200.30 µs]
";

    #[test]
    fn keeps_the_merchants_summary_lines() {
        let out = "memory: 10 handles\nmerchants: memory 118 B\nmerchants: check-status\nreceiver: verify\n";
        assert_eq!(
            merchants_lines(out).unwrap(),
            vec![
                "merchants: memory 118 B",
                "merchants: check-status",
                "receiver: verify"
            ]
        );
        let err = merchants_lines("merchants: memory 118 B\n").unwrap_err();
        assert!(err.contains("`receiver:`"), "{err}");
    }

    #[test]
    fn reads_criterion_medians() {
        assert_eq!(median(SAMPLE, "non_snap_1KiB/raw/1KiB"), Some(976.0));
        assert_eq!(median(SAMPLE, "non_snap_1MiB/sign/1MiB"), Some(518_400.0));
        assert_eq!(median(SAMPLE, "non_snap_64KiB/raw/64KiB"), None);
        let lines: Vec<String> = sign_lines(SAMPLE).into_iter().map(Result::unwrap).collect();
        assert!(
            lines[0].starts_with("doku-sign: sign/raw 1KiB = 0.92 (target <= 1.2) ok"),
            "{}",
            lines[0]
        );
        assert!(
            lines[1].starts_with("doku-sign: sign/raw 1MiB = 1.00 (target <= 1.1) ok"),
            "{}",
            lines[1]
        );
        assert!(
            lines[2].starts_with("doku-sign: snap sign/raw 1KiB = 0.90 (target <= 1.2) ok"),
            "{}",
            lines[2]
        );
        assert!(
            lines[3].starts_with(
                "doku-sign: snap sign 1KiB vs a Python peer = 5.6x faster (target: faster) ok"
            ),
            "{}",
            lines[3]
        );
        assert!(
            lines[4].starts_with("doku-sign: rsa token signature (RSA-2048, SHA256withRSA) sign 1.8 ms, verify 194.9 µs"),
            "{}",
            lines[4]
        );
    }

    #[test]
    fn a_missing_python_peer_is_a_failure_that_says_why() {
        let without = SAMPLE.replace(
            "python: snap sign 1KiB 25278 ns/op",
            "python: unavailable: cannot run python3",
        );
        let lines = sign_lines(&without);
        let err = lines[3].as_ref().unwrap_err();
        assert!(
            err.contains("python: unavailable: cannot run python3"),
            "{err}"
        );
    }
}
