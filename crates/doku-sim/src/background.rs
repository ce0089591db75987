//! A simulator on a runtime of its own, for callers that have none (blocking tests, tools
//! written without async) and for benchmarks that keep the server's threads apart from the
//! client's.

use std::ops::Deref;

use tokio::runtime::Runtime;

use crate::config::SimConfig;
use crate::error::SimError;
use crate::server::{Sim, SimHandle};

/// A running simulator that owns its tokio runtime. Dereferences to [`SimHandle`]
/// (`base_url`, `stats`, `set_fault`, …). Dropping it stops the server (waiting for the
/// server task, as [`SimHandle::shutdown`] does, unless dropped inside another runtime) and
/// then the runtime's threads.
#[derive(Debug)]
pub struct BackgroundSim {
    handle: Option<SimHandle>,
    runtime: Option<Runtime>,
    spawner: tokio::runtime::Handle,
}

impl BackgroundSim {
    /// Starts the simulator on a new multi-thread runtime with `worker_threads` workers (at
    /// least one), and returns once it listens.
    ///
    /// # Errors
    ///
    /// [`SimError::Io`] when the runtime cannot be built; otherwise as [`Sim::start`].
    pub fn start(config: SimConfig, worker_threads: usize) -> Result<Self, SimError> {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(worker_threads.max(1))
            .thread_name("doku-sim")
            .enable_all()
            .build()?;
        let handle = runtime.block_on(Sim::start(config))?;
        Ok(Self {
            handle: Some(handle),
            spawner: runtime.handle().clone(),
            runtime: Some(runtime),
        })
    }

    /// The runtime the simulator runs on, to run something else on the same threads (e.g. a
    /// benchmark's baseline server) with `block_on` or `spawn`.
    pub fn runtime(&self) -> &tokio::runtime::Handle {
        &self.spawner
    }
}

impl Deref for BackgroundSim {
    type Target = SimHandle;

    fn deref(&self) -> &SimHandle {
        match &self.handle {
            Some(handle) => handle,
            // Only `drop` takes the handle out.
            None => unreachable!("BackgroundSim used after drop"),
        }
    }
}

impl Drop for BackgroundSim {
    fn drop(&mut self) {
        let (Some(handle), Some(runtime)) = (self.handle.take(), self.runtime.take()) else {
            return;
        };
        // `block_on` panics inside another runtime: there, the handle's own drop signals the
        // shutdown and nothing waits for it.
        if tokio::runtime::Handle::try_current().is_err() {
            runtime.block_on(handle.shutdown());
        } else {
            drop(handle);
        }
        // Dropping a runtime blocks on its tasks (and panics inside another runtime); letting
        // it go in the background does neither.
        runtime.shutdown_background();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use doku_sign::SecretKey;

    #[test]
    fn serves_without_a_runtime_of_the_callers_and_stops_when_dropped() {
        let config = SimConfig::builder()
            .credential("BRN-1", SecretKey::new("k"))
            .build()
            .unwrap();
        let sim = BackgroundSim::start(config, 1).unwrap();
        let addr = sim.addr();
        let mut stream = std::net::TcpStream::connect(addr).unwrap();
        use std::io::{Read, Write};
        stream
            .write_all(b"GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            .unwrap();
        let mut answer = String::new();
        stream.read_to_string(&mut answer).unwrap();
        assert!(answer.starts_with("HTTP/1.1 "), "{answer}");
        drop(sim);
        // The listener is gone once the runtime is: a new connection is refused (or, at the
        // latest, closed without an answer).
        let after = std::net::TcpStream::connect(addr).and_then(|mut s| {
            s.set_read_timeout(Some(std::time::Duration::from_secs(5)))?;
            s.write_all(b"GET /health HTTP/1.1\r\nHost: x\r\n\r\n")?;
            let mut buf = [0u8; 1];
            s.read(&mut buf)
        });
        assert!(matches!(after, Err(_) | Ok(0)), "{after:?}");
    }
}
