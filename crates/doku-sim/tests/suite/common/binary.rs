//! The built `doku-sim` binary, started on loopback for a test and killed when the handle drops.

use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};

use super::{CLIENT_ID, SECRET};

/// A running `doku-sim` process (killed on drop), its address and what it wrote to stderr.
pub struct SimBinary {
    child: Child,
    /// Where it listens, from its `listening on` line.
    pub addr: SocketAddr,
    /// Its process id (for `/proc`).
    pub pid: u32,
    stderr: Arc<Mutex<Vec<String>>>,
}

impl Drop for SimBinary {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl SimBinary {
    /// Starts `doku-sim --listen 127.0.0.1:0 --client-id CLIENT_ID` (key from the environment)
    /// with `extra` flags, and waits for its first stdout line.
    pub fn start(extra: &[&str]) -> Self {
        Self::spawn(Command::new(env!("CARGO_BIN_EXE_doku-sim")), extra)
    }

    /// As [`SimBinary::start`], with at most `nofile` descriptors (`ulimit -n`, then exec, so the
    /// simulator keeps the shell's pid). Panics if the limit did not take (`/proc/PID/limits`).
    pub fn start_with_nofile(nofile: u32, extra: &[&str]) -> Self {
        let mut shell = Command::new("sh");
        shell
            .arg("-c")
            .arg(format!("ulimit -n {nofile} && exec \"$0\" \"$@\""))
            .arg(env!("CARGO_BIN_EXE_doku-sim"));
        let sim = Self::spawn(shell, extra);
        let limits = std::fs::read_to_string(format!("/proc/{}/limits", sim.pid)).unwrap();
        let open_files = limits
            .lines()
            .find(|l| l.starts_with("Max open files"))
            .unwrap()
            .to_owned();
        assert!(
            open_files.split_whitespace().nth(3) == Some(&nofile.to_string()),
            "descriptor limit not applied: {open_files}"
        );
        sim
    }

    fn spawn(mut command: Command, extra: &[&str]) -> Self {
        let mut child = command
            .args(["--listen", "127.0.0.1:0", "--client-id", CLIENT_ID])
            .args(extra)
            .env("DOKU_SECRET_KEY", SECRET)
            .env_remove("DOKU_CLIENT_ID")
            .env_remove("DOKU_SIM_LISTEN")
            .env("RUST_LOG", "warn")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("the doku-sim binary");
        let pid = child.id();
        let stdout = child.stdout.take().unwrap();
        let stderr_pipe = child.stderr.take().unwrap();
        let stderr = Arc::new(Mutex::new(Vec::new()));
        let sink = Arc::clone(&stderr);
        std::thread::spawn(move || {
            for line in BufReader::new(stderr_pipe).lines().map_while(Result::ok) {
                sink.lock().unwrap().push(line);
            }
        });
        let mut line = String::new();
        BufReader::new(stdout).read_line(&mut line).unwrap();
        let url = line
            .trim()
            .strip_prefix("listening on http://")
            .unwrap_or_else(|| panic!("unexpected first line {line:?}"));
        SimBinary {
            addr: url.parse().unwrap(),
            child,
            pid,
            stderr,
        }
    }

    /// (VmRSS, VmHWM) in MiB, from `/proc/PID/status`.
    pub fn rss_mib(&self) -> (u64, u64) {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.pid)).unwrap();
        let field = |name: &str| -> u64 {
            status
                .lines()
                .find_map(|l| l.strip_prefix(name))
                .and_then(|rest| rest.split_whitespace().next())
                .and_then(|kib| kib.parse::<u64>().ok())
                .unwrap_or_else(|| panic!("no {name} in /proc status"))
                / 1024
        };
        (field("VmRSS:"), field("VmHWM:"))
    }

    /// Open descriptors of the simulator.
    pub fn open_fds(&self) -> usize {
        std::fs::read_dir(format!("/proc/{}/fd", self.pid))
            .map(|d| d.count())
            .unwrap_or(0)
    }

    /// Lines the simulator wrote to stderr so far.
    pub fn stderr_lines(&self) -> Vec<String> {
        self.stderr.lock().unwrap().clone()
    }
}
