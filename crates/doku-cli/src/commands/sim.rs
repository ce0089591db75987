//! `doku sim`: the simulator, exactly as the `doku-sim` binary runs it.

use std::io::Write as _;
use std::process::ExitCode;

use doku_sim::cli::SimArgs;
use doku_sim::Sim;

pub(crate) async fn run(args: SimArgs) -> Result<ExitCode, String> {
    let _ = tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
        .try_init();
    let config = args.into_config().map_err(|e| e.to_string())?;
    let sim = Sim::start(config).await.map_err(|e| e.to_string())?;
    let mut stdout = std::io::stdout().lock();
    writeln!(stdout, "listening on {}", sim.base_url())
        .and_then(|()| stdout.flush())
        .map_err(|e| format!("cannot write to stdout: {e}"))?;
    drop(stdout);
    tokio::signal::ctrl_c()
        .await
        .map_err(|e| format!("cannot wait for Ctrl-C: {e}"))?;
    sim.shutdown().await;
    Ok(ExitCode::SUCCESS)
}
