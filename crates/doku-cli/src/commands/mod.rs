//! One module per subcommand; `run` dispatches and turns errors into exit codes.

mod sign;
mod verify;

use std::process::ExitCode;

use crate::args::{Cli, Command};

/// Runs the parsed command line and returns the process exit code.
pub(crate) fn run(cli: Cli) -> ExitCode {
    let result = match cli.command {
        Command::Sign(args) => sign::run(&args),
        Command::Verify(args) => verify::run(&args),
    };
    match result {
        Ok(code) => code,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::from(2)
        }
    }
}

/// The current time as Unix seconds (the CLI is where the clock is read; doku-sign never does).
pub(crate) fn now_unix_seconds() -> i64 {
    jiff::Timestamp::now().as_second()
}
