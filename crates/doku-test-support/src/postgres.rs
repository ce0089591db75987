//! A throwaway PostgreSQL server for tests (feature `postgres`): a temporary data directory, a free
//! loopback port, `initdb` and `pg_ctl` from the machine's PostgreSQL (Debian's `postgresql`
//! package), fsync off; stopped and deleted on drop.
//!
//! ```no_run
//! let Some(pg) = doku_test_support::postgres::TestPostgres::start() else {
//!     return; // DOKU_SKIP_POSTGRES=1
//! };
//! let url = pg.connection_string(); // host=127.0.0.1 port=… user=postgres dbname=postgres
//! ```
//!
//! - **Not installed**: [`TestPostgres::start`] panics with one line naming what to install
//!   (`apt-get install postgresql`); it never skips on its own. `DOKU_SKIP_POSTGRES=1` makes it
//!   return `None` (saying so on stderr), for machines where the tests are not meant to run.
//! - **Binaries**: `initdb` and `pg_ctl` on `PATH`, else the newest `/usr/lib/postgresql/*/bin/`
//!   (where Debian puts them, off `PATH`).
//! - **Root**: `initdb` refuses to run as root, and the server refuses to start as root. Under uid 0
//!   both run as the `postgres` user (which Debian's package creates) through `runuser`; the data
//!   directory is handed to that user.
//! - **Bounds**: `initdb` 60 s, start 30 s, stop 10 s (then the server is killed): no wait is
//!   unbounded. Trust authentication, loopback only, no Unix socket.

use std::io::Read as _;
use std::net::TcpListener;
use std::os::unix::fs::PermissionsExt as _;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

/// The one line printed when PostgreSQL is missing.
pub const INSTALL_HINT: &str = "PostgreSQL is not installed (no initdb/pg_ctl on PATH or in /usr/lib/postgresql/*/bin): apt-get install postgresql (or set DOKU_SKIP_POSTGRES=1 to skip the PostgreSQL tests)";

/// The database user the server is initialised with (trust authentication, loopback only).
pub const USER: &str = "postgres";

const INITDB_TIMEOUT: Duration = Duration::from_secs(60);
const START_TIMEOUT: Duration = Duration::from_secs(30);
const STOP_TIMEOUT: Duration = Duration::from_secs(10);

/// A running throwaway server. Dropping it stops the server and deletes its directory.
#[derive(Debug)]
pub struct TestPostgres {
    dir: PathBuf,
    port: u16,
    bin: PathBuf,
    run_as: Option<&'static str>,
}

impl TestPostgres {
    /// Starts a server, or `None` when `DOKU_SKIP_POSTGRES=1`.
    ///
    /// # Panics
    ///
    /// With [`INSTALL_HINT`] when PostgreSQL is not installed, or with the server's own message
    /// (its log's last lines) when it cannot be started.
    pub fn start() -> Option<Self> {
        if std::env::var("DOKU_SKIP_POSTGRES").is_ok_and(|v| v == "1") {
            eprintln!("skipped: DOKU_SKIP_POSTGRES=1 (the PostgreSQL tests did not run)");
            return None;
        }
        match Self::try_start() {
            Ok(pg) => Some(pg),
            Err(message) => panic!("{message}"),
        }
    }

    /// Starts a server, or says in one line why it cannot.
    ///
    /// # Errors
    ///
    /// [`INSTALL_HINT`] when the binaries are missing; what `initdb` or `pg_ctl` said otherwise.
    pub fn try_start() -> Result<Self, String> {
        let bin = find_bin_dir().ok_or_else(|| INSTALL_HINT.to_owned())?;
        let run_as = if is_root() {
            if !user_exists(USER) {
                return Err(format!(
                    "initdb refuses to run as root and there is no `{USER}` user to run it as: apt-get install postgresql (it creates the user)"
                ));
            }
            Some(USER)
        } else {
            None
        };
        let dir = fresh_dir()?;
        let mut pg = Self {
            dir,
            port: 0,
            bin,
            run_as,
        };
        pg.init()?;
        // A free port can be taken between our probe and the server's bind: try a few.
        let mut last = String::new();
        for _ in 0..3 {
            pg.port = free_port()?;
            match pg.pg_ctl_start() {
                Ok(()) => return Ok(pg),
                Err(e) => last = e,
            }
        }
        Err(last)
    }

    /// The loopback port the server listens on.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// A connection string in libpq's key=value form (what `tokio_postgres::Config` parses).
    pub fn connection_string(&self) -> String {
        format!(
            "host=127.0.0.1 port={} user={USER} dbname=postgres connect_timeout=5",
            self.port
        )
    }

    /// The same as a URL: `postgresql://postgres@127.0.0.1:PORT/postgres`.
    pub fn url(&self) -> String {
        format!("postgresql://{USER}@127.0.0.1:{}/postgres", self.port)
    }

    /// The data directory.
    pub fn data_dir(&self) -> PathBuf {
        self.dir.join("data")
    }

    fn command(&self, program: &str) -> Command {
        let path = self.bin.join(program);
        match self.run_as {
            Some(user) => {
                let mut c = Command::new("runuser");
                c.arg("-u").arg(user).arg("--").arg(path);
                c
            }
            None => Command::new(path),
        }
    }

    fn init(&self) -> Result<(), String> {
        if let Some(user) = self.run_as {
            chown_to(&self.dir, user)?;
        }
        let mut initdb = self.command("initdb");
        initdb
            .arg("-D")
            .arg(self.data_dir())
            .args(["-U", USER, "--auth=trust", "--no-sync", "-E", "UTF8"])
            .arg("--locale=C");
        run_bounded(initdb, INITDB_TIMEOUT, "initdb")
    }

    fn pg_ctl_start(&self) -> Result<(), String> {
        let options = format!(
            "-c listen_addresses=127.0.0.1 -p {} -c unix_socket_directories='' -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200",
            self.port
        );
        let log = self.dir.join("server.log");
        let mut start = self.command("pg_ctl");
        start
            .arg("start")
            .arg("-D")
            .arg(self.data_dir())
            .arg("-l")
            .arg(&log)
            .arg("-o")
            .arg(options)
            .args(["-w", "-t", &START_TIMEOUT.as_secs().to_string()]);
        run_bounded(
            start,
            START_TIMEOUT + Duration::from_secs(5),
            "pg_ctl start",
        )
        .map_err(|e| {
            let tail = std::fs::read_to_string(&log).unwrap_or_default();
            let tail: Vec<&str> = tail.lines().rev().take(5).collect();
            format!(
                "{e}; server log: {}",
                tail.into_iter().rev().collect::<Vec<_>>().join(" | ")
            )
        })
    }
}

impl Drop for TestPostgres {
    fn drop(&mut self) {
        if self.port != 0 {
            let mut stop = self.command("pg_ctl");
            stop.arg("stop")
                .arg("-D")
                .arg(self.data_dir())
                .args(["-m", "immediate", "-w", "-t"])
                .arg(STOP_TIMEOUT.as_secs().to_string());
            if run_bounded(stop, STOP_TIMEOUT + Duration::from_secs(5), "pg_ctl stop").is_err() {
                kill_postmaster(&self.data_dir());
            }
        }
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// Kills the postmaster whose pid is the first line of `data/postmaster.pid`, if any.
fn kill_postmaster(data: &Path) {
    let Ok(text) = std::fs::read_to_string(data.join("postmaster.pid")) else {
        return;
    };
    if let Some(pid) = text
        .lines()
        .next()
        .and_then(|l| l.trim().parse::<u32>().ok())
    {
        let _ = Command::new("kill")
            .args(["-KILL", &pid.to_string()])
            .status();
    }
}

/// Runs `command` to completion within `limit` (killed after it), its output captured; `Err` with
/// its last output lines when it fails.
fn run_bounded(mut command: Command, limit: Duration, what: &str) -> Result<(), String> {
    let mut child: Child = command
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot run {what}: {e}"))?;
    // Drain the pipes on threads, so a chatty child never blocks on a full pipe.
    let drain = |pipe: Option<Box<dyn std::io::Read + Send>>| {
        std::thread::spawn(move || {
            let mut text = String::new();
            if let Some(mut pipe) = pipe {
                let _ = pipe.read_to_string(&mut text);
            }
            text
        })
    };
    let out = drain(
        child
            .stdout
            .take()
            .map(|p| Box::new(p) as Box<dyn std::io::Read + Send>),
    );
    let err = drain(
        child
            .stderr
            .take()
            .map(|p| Box::new(p) as Box<dyn std::io::Read + Send>),
    );
    let until = Instant::now() + limit;
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break Some(status),
            Ok(None) if Instant::now() < until => std::thread::sleep(Duration::from_millis(20)),
            _ => {
                let _ = child.kill();
                let _ = child.wait();
                break None;
            }
        }
    };
    let output = format!(
        "{}{}",
        out.join().unwrap_or_default(),
        err.join().unwrap_or_default()
    );
    let last: Vec<&str> = output.lines().rev().take(3).collect();
    let last = last.into_iter().rev().collect::<Vec<_>>().join(" | ");
    match status {
        Some(s) if s.success() => Ok(()),
        Some(s) => Err(format!("{what} failed ({s}): {last}")),
        None => Err(format!("{what} did not finish within {limit:?}: {last}")),
    }
}

/// `initdb`'s directory: `PATH` first, else the newest `/usr/lib/postgresql/*/bin`.
fn find_bin_dir() -> Option<PathBuf> {
    let has_both = |dir: &Path| dir.join("initdb").is_file() && dir.join("pg_ctl").is_file();
    if let Some(path) = std::env::var_os("PATH") {
        if let Some(dir) = std::env::split_paths(&path).find(|d| has_both(d)) {
            return Some(dir);
        }
    }
    let mut versions: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .ok()?
        .flatten()
        .filter_map(|entry| {
            let version = entry.file_name().to_str()?.parse::<u32>().ok()?;
            let bin = entry.path().join("bin");
            has_both(&bin).then_some((version, bin))
        })
        .collect();
    versions.sort();
    versions.pop().map(|(_, bin)| bin)
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
}

fn user_exists(user: &str) -> bool {
    Command::new("id")
        .arg("-u")
        .arg(user)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// Hands `dir` to `user` (the server refuses a data directory it does not own).
fn chown_to(dir: &Path, user: &str) -> Result<(), String> {
    let status = Command::new("chown")
        .arg(user)
        .arg(dir)
        .status()
        .map_err(|e| format!("cannot run chown: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("chown {user} {} failed", dir.display()))
    }
}

/// A new empty directory under the temporary directory, reachable by the `postgres` user.
fn fresh_dir() -> Result<PathBuf, String> {
    static SEQ: AtomicU32 = AtomicU32::new(0);
    let base = std::env::temp_dir();
    for _ in 0..100 {
        let name = format!(
            "doku-pg-{}-{}-{}",
            std::process::id(),
            SEQ.fetch_add(1, Ordering::Relaxed),
            fastrand_u32()
        );
        let dir = base.join(name);
        match std::fs::create_dir(&dir) {
            Ok(()) => {
                std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o700))
                    .map_err(|e| format!("cannot set the mode of {}: {e}", dir.display()))?;
                return Ok(dir);
            }
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(format!("cannot create {}: {e}", dir.display())),
        }
    }
    Err("cannot create a temporary directory for PostgreSQL".to_owned())
}

/// A few bits of entropy for the directory name (the clock's nanoseconds).
fn fastrand_u32() -> u32 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos())
}

fn free_port() -> Result<u16, String> {
    let listener =
        TcpListener::bind("127.0.0.1:0").map_err(|e| format!("no free loopback port: {e}"))?;
    listener
        .local_addr()
        .map(|a| a.port())
        .map_err(|e| format!("no free loopback port: {e}"))
}
