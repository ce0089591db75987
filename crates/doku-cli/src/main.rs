//! `doku` — the doku-rs command line.
//!
//! Results go to stdout (JSON for API calls), human messages to stderr, and the exit code is non-zero with a
//! clear message on any error. Credentials come from `DOKU_CLIENT_ID` / `DOKU_SECRET_KEY` or
//! `--secret-key-file`, never from a flag value that would show up in `ps`.
//!
//! Logs (tracing) go to stderr: the simulator's (`doku sim`) at `info`, each HTTP attempt with
//! `-v`, anything `RUST_LOG` asks for; without colour codes unless stderr is a terminal and
//! `NO_COLOR` is unset.

mod args;
mod commands;
mod credentials;
mod output;
mod pay_args;
mod sim_pay;
mod snap_args;

use std::io::IsTerminal as _;
use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = args::Cli::parse();
    init_logging(&cli);
    commands::run(cli)
}

/// Installs the one log subscriber of the process (the simulator's `try_init` then finds it).
///
/// `RUST_LOG`, when set, decides what is logged. Otherwise: the running simulator logs at `info`
/// (as `doku-sim` does); `-v` adds one line per HTTP attempt of the client (doku-partner at
/// `debug`: method, URL without its query, status, Request-Id, latency, signature verdict — never
/// a header value or a body); `-vv` adds the transport's and the simulator's `debug` lines;
/// without either nothing is logged, so a command's own output stays as documented.
fn init_logging(cli: &args::Cli) {
    use tracing_subscriber::EnvFilter;
    let serving = matches!(&cli.command, args::Command::Sim(sim) if sim.action.is_none());
    let base = if serving { "info" } else { "off" };
    let default = match cli.verbose {
        0 => base.to_owned(),
        1 => format!("{base},doku_partner=debug"),
        _ => format!("{base},doku_partner=trace,doku_transport=debug,doku_sim=debug"),
    };
    let filter = match std::env::var("RUST_LOG") {
        Ok(text) if !text.trim().is_empty() => EnvFilter::try_new(&text).unwrap_or_else(|e| {
            eprintln!(
                "warning: RUST_LOG={} is not a log filter ({e}); using {default}",
                output::escape(&text, false)
            );
            EnvFilter::new(&default)
        }),
        _ => EnvFilter::new(&default),
    };
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(colour(std::io::stderr().is_terminal()))
        .try_init();
}

/// Whether to write colour codes: only to a terminal, and not when `NO_COLOR` is set to
/// anything but the empty string (<https://no-color.org>).
fn colour(terminal: bool) -> bool {
    terminal && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
}
