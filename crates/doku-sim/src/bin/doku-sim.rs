//! `doku-sim`: run the Partner API simulator until Ctrl-C.

use std::io::Write as _;
use std::process::ExitCode;

use clap::Parser;
use doku_sim::cli::{BoundArgs, SimArgs};
use doku_sim::Sim;

/// The simulator's arguments and its resource bounds.
#[derive(Parser)]
#[command(
    name = "doku-sim",
    about = "A local simulator of DOKU's Partner API",
    version
)]
struct Args {
    #[command(flatten)]
    sim: SimArgs,
    #[command(flatten)]
    bounds: BoundArgs,
}

#[tokio::main]
async fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
        // No colour codes when stderr is a file or a pipe (logs kept by a test or a CI job), or
        // when NO_COLOR is set to anything but "" (https://no-color.org).
        .with_ansi(
            std::io::IsTerminal::is_terminal(&std::io::stderr())
                && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()),
        )
        .init();
    let args = Args::parse();
    let config = match args.sim.into_config().and_then(|c| args.bounds.apply_to(c)) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("doku-sim: {e}");
            return ExitCode::from(2);
        }
    };
    let sim = match Sim::start(config).await {
        Ok(s) => s,
        Err(e) => {
            eprintln!("doku-sim: {e}");
            return ExitCode::FAILURE;
        }
    };
    let mut stdout = std::io::stdout().lock();
    if writeln!(stdout, "listening on {}", sim.base_url())
        .and_then(|()| stdout.flush())
        .is_err()
    {
        return ExitCode::FAILURE;
    }
    drop(stdout);
    let _ = tokio::signal::ctrl_c().await;
    sim.shutdown().await;
    ExitCode::SUCCESS
}
