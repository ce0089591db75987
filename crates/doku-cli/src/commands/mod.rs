//! One module per subcommand; `run` dispatches and turns errors into exit codes.

mod api;
mod client;
mod deliveries;
mod demo;
mod listen;
mod pay;
mod sign;
mod sim;
mod snap;
mod trigger;
mod va;
pub(crate) use sim::SimCommand;
mod verify;

use std::process::ExitCode;

use crate::args::{Cli, Command};

/// Runs the parsed command line and returns the process exit code.
pub(crate) fn run(cli: Cli) -> ExitCode {
    let result = match cli.command {
        Command::Demo(args) => with_runtime(demo::run(args)),
        Command::Token(args) => with_runtime(api::token(args)),
        Command::Requirements(args) => with_runtime(api::requirements(args)),
        Command::Upload(args) => with_runtime(api::upload(args)),
        Command::Register(args) => with_runtime(api::register(args)),
        Command::RegisterLite(args) => with_runtime(api::register_lite(args)),
        Command::Business(args) => with_runtime(api::business(args)),
        Command::Sign(args) => sign::run(&args),
        Command::Verify(args) => verify::run(&args),
        Command::Sim(args) => with_runtime(sim::run(args)),
        Command::Checkout(args) => with_runtime(pay::checkout(args)),
        Command::Status(args) => with_runtime(pay::status(args)),
        Command::Listen(args) => with_runtime(listen::run(args)),
        Command::Va(args) => with_runtime(va::run(args)),
        Command::Snap(args) => with_runtime(snap::run(args)),
    };
    match result {
        Ok(code) => code,
        Err(message) => {
            // Messages are built from local input, or already escaped (`output::chain`).
            eprintln!("error: {message}");
            ExitCode::from(2)
        }
    }
}

/// The current time as Unix seconds, from the one clock (doku-sign's `SystemClock`); the CLI is
/// where it is read for `sign` and `verify`, whose doku-sign calls take the time as an input.
pub(crate) fn now_unix_seconds() -> i64 {
    use doku_sign::clock::Clock as _;
    doku_sign::clock::SystemClock.unix_seconds()
}

/// Runs an async command on a fresh multi-threaded Tokio runtime.
///
/// The runtime is shut down without waiting for blocking work still running (e.g. a DNS lookup
/// the call's deadline gave up on): dropping it would wait for that work, however long, and the
/// command's deadline would no longer bound the process.
pub(crate) fn with_runtime(
    command: impl std::future::Future<Output = Result<ExitCode, String>>,
) -> Result<ExitCode, String> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start the async runtime: {e}"))?;
    let result = runtime.block_on(command);
    runtime.shutdown_background();
    result
}
