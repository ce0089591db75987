//! `cargo xtask` — repository chores, in Rust so they run wherever cargo does.
//!
//! - `cargo xtask vectors` regenerates `vectors/generated/*.json` from the inputs in `cases.rs`.
//! - `cargo xtask vectors --check` fails when a generated file is missing, stale or unexpected.
//! - `cargo xtask conformance` fails when docs/conformance.md names a test that does not exist.
//! - `cargo xtask bench [SIM ARGS…]` runs the benchmarks (release) and prints one line per claim
//!   (extra arguments go to the doku-sim throughput bench, e.g. `--measure 3`).
//! - `cargo xtask package` packages the six published crates (nothing is uploaded) and checks their
//!   manifests and packaged files (no secrets, no oversized fixtures, licences and READMEs in).

mod bench;
mod cases;
mod conformance;
mod endpoint_table;
mod package;
mod package_scan;
mod vectors;

use std::path::PathBuf;
use std::process::ExitCode;

fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask lives one level below the repository root")
        .to_path_buf()
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let result = match args.as_slice() {
        ["vectors"] => vectors::write(&repo_root()),
        ["vectors", "--check"] => vectors::check(&repo_root()),
        ["conformance"] => conformance::check(&repo_root()),
        ["bench", sim_args @ ..] => bench::run(&repo_root(), sim_args),
        ["package"] => package::run(&repo_root()),
        _ => Err(
            "usage: cargo xtask vectors [--check] | cargo xtask conformance | cargo xtask bench [SIM ARGS…] | cargo xtask package"
                .to_owned(),
        ),
    };
    match result {
        Ok(message) => {
            println!("{message}");
            ExitCode::SUCCESS
        }
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}

#[cfg(test)]
mod tests {
    /// `cargo test` enforces that the committed vectors match their inputs.
    #[test]
    fn generated_vectors_are_fresh() {
        if let Err(message) = super::vectors::check(&super::repo_root()) {
            panic!("{message}");
        }
    }

    /// `cargo test` enforces that every test docs/conformance.md names exists.
    #[test]
    fn conformance_rows_name_existing_tests() {
        if let Err(message) = super::conformance::check(&super::repo_root()) {
            panic!("{message}");
        }
    }
}
