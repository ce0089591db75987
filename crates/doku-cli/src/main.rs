//! `doku` — the doku-rs command line.
//!
//! Results go to stdout (JSON for API calls), human messages to stderr, and the exit code is non-zero with a
//! clear message on any error. Credentials come from `DOKU_CLIENT_ID` / `DOKU_SECRET_KEY` or
//! `--secret-key-file`, never from a flag value that would show up in `ps`.

mod args;
mod commands;
mod credentials;
mod output;
mod pay_args;
mod sim_pay;
mod snap_args;

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = args::Cli::parse();
    commands::run(cli)
}
