//! One connection to the database, shared by every call of a store and re-made when it breaks.
//!
//! `tokio_postgres::Client` pipelines the statements of concurrent callers over one connection, which
//! is all a token store needs (a handful of statements per token lifetime). When the connection
//! breaks, the statement in flight fails (fail closed) and the next one connects again, each attempt
//! bounded by the connect timeout.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio_postgres::{Client, NoTls};

use crate::error::Error;

/// Connect timeout when the settings name none.
pub(crate) const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
/// Bound on one statement, connection included.
pub(crate) const DEFAULT_STATEMENT_TIMEOUT: Duration = Duration::from_secs(5);

/// Connection settings and the current connection.
pub(crate) struct Db {
    config: tokio_postgres::Config,
    /// Hosts and ports, for messages (never the password).
    target: String,
    current: Mutex<Option<Arc<Client>>>,
    /// One connect at a time.
    connecting: tokio::sync::Mutex<()>,
    pub(crate) statement_timeout: Duration,
}

impl Db {
    /// Parses `settings`: a `postgresql://` URL or libpq's `key=value` form.
    pub(crate) fn new(settings: &str) -> Result<Self, Error> {
        let mut config: tokio_postgres::Config = settings
            .parse()
            .map_err(|e: tokio_postgres::Error| Error::Config(e.to_string()))?;
        if config.get_connect_timeout().is_none() {
            config.connect_timeout(DEFAULT_CONNECT_TIMEOUT);
        }
        if config.get_application_name().is_none() {
            config.application_name("doku-rs");
        }
        let target = target_of(&config);
        Ok(Self {
            config,
            target,
            current: Mutex::new(None),
            connecting: tokio::sync::Mutex::new(()),
            statement_timeout: DEFAULT_STATEMENT_TIMEOUT,
        })
    }

    /// Hosts and ports the settings name.
    pub(crate) fn target(&self) -> &str {
        &self.target
    }

    fn cached(&self) -> Option<Arc<Client>> {
        let current = self.current.lock().unwrap_or_else(|p| p.into_inner());
        current.as_ref().filter(|c| !c.is_closed()).cloned()
    }

    /// The open connection, or a new one.
    pub(crate) async fn client(&self) -> Result<Arc<Client>, Error> {
        if let Some(client) = self.cached() {
            return Ok(client);
        }
        let _one = self.connecting.lock().await;
        if let Some(client) = self.cached() {
            return Ok(client);
        }
        let bound = self
            .config
            .get_connect_timeout()
            .copied()
            .unwrap_or(DEFAULT_CONNECT_TIMEOUT)
            + Duration::from_secs(1);
        let connected = tokio::time::timeout(bound, self.config.connect(NoTls))
            .await
            .map_err(|_| Error::Timeout {
                what: "connecting",
                after: bound,
            })?;
        let (client, connection) = connected.map_err(|e| Error::Connect {
            target: self.target.clone(),
            source: Box::new(e),
        })?;
        let target = self.target.clone();
        tokio::spawn(async move {
            if let Err(e) = connection.await {
                tracing::warn!(target = %target, error = %e, "PostgreSQL connection closed");
            }
        });
        let client = Arc::new(client);
        *self.current.lock().unwrap_or_else(|p| p.into_inner()) = Some(client.clone());
        Ok(client)
    }

    /// Runs `statement` on the connection within the statement timeout (connecting included).
    pub(crate) async fn run<T, F, Fut>(&self, what: &'static str, statement: F) -> Result<T, Error>
    where
        F: FnOnce(Arc<Client>) -> Fut,
        Fut: std::future::Future<Output = Result<T, tokio_postgres::Error>>,
    {
        let bound = self.statement_timeout;
        let work = async {
            let client = self.client().await?;
            statement(client).await.map_err(|e| Error::query(what, e))
        };
        tokio::time::timeout(bound, work)
            .await
            .map_err(|_| Error::Timeout { what, after: bound })?
    }
}

/// `host:port` pairs of `config`, comma-separated.
fn target_of(config: &tokio_postgres::Config) -> String {
    let ports = config.get_ports();
    config
        .get_hosts()
        .iter()
        .enumerate()
        .map(|(i, host)| {
            let host = match host {
                tokio_postgres::config::Host::Tcp(name) => name.clone(),
                tokio_postgres::config::Host::Unix(path) => path.display().to_string(),
            };
            let port = ports.get(i).or(ports.first()).copied().unwrap_or(5432);
            format!("{host}:{port}")
        })
        .collect::<Vec<_>>()
        .join(",")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_are_parsed_and_the_password_never_shown() {
        let db = Db::new("postgresql://app:s3cret@db.internal:6543/doku").unwrap();
        assert_eq!(db.target(), "db.internal:6543");
        let db = Db::new("host=127.0.0.1 port=5433 user=app password=s3cret").unwrap();
        assert_eq!(db.target(), "127.0.0.1:5433");
        assert!(matches!(
            Db::new("postgresql://[::1"),
            Err(Error::Config(_))
        ));
        let refused = Db::new("not a=setting=").err().unwrap().to_string();
        assert!(!refused.contains("s3cret"), "{refused}");
    }
}
