//! [`PgTokenStore`]: DOKU's tokens shared by every instance of an app through one PostgreSQL table.

use std::fmt;
use std::time::Duration;

use doku_partner::{FetchLease, StoreFuture, StoredToken, TokenKey, TokenStore};

use crate::db::Db;
use crate::error::Error;

/// The DDL [`PgTokenStore::migrate`] runs (idempotent).
pub const TOKENS_DDL: &str = "CREATE TABLE IF NOT EXISTS doku_tokens (
    kind         text        NOT NULL,
    client_id    text        NOT NULL,
    base_url     text        NOT NULL,
    token        text,
    fetched_at   bigint,
    expires_at   bigint,
    lease_holder text,
    lease_until  timestamptz,
    updated_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (kind, client_id, base_url)
)";

/// How long a fetch lease lasts unless released, by default: longer than a token fetch takes,
/// short enough that a crashed holder delays the others by no more.
pub const DEFAULT_LEASE: Duration = Duration::from_secs(30);

/// How often a process waiting for the lease tries again.
pub const DEFAULT_LEASE_POLL: Duration = Duration::from_millis(20);

/// The advisory lock key [`PgTokenStore::migrate`] holds while it creates the table.
const MIGRATE_LOCK: i64 = 0x646f_6b75_746f_6b00; // "dokutok\0"

const LOAD: &str = "SELECT token, fetched_at, expires_at FROM doku_tokens
    WHERE kind = $1 AND client_id = $2 AND base_url = $3
      AND token IS NOT NULL AND fetched_at IS NOT NULL AND expires_at IS NOT NULL";

const SAVE: &str =
    "INSERT INTO doku_tokens (kind, client_id, base_url, token, fetched_at, expires_at)
    VALUES ($1, $2, $3, $4, $5, $6)
    ON CONFLICT (kind, client_id, base_url) DO UPDATE
    SET token = EXCLUDED.token, fetched_at = EXCLUDED.fetched_at,
        expires_at = EXCLUDED.expires_at, updated_at = now()";

const ACQUIRE: &str =
    "INSERT INTO doku_tokens (kind, client_id, base_url, lease_holder, lease_until)
    VALUES ($1, $2, $3, $4, clock_timestamp() + make_interval(secs => $5))
    ON CONFLICT (kind, client_id, base_url) DO UPDATE
    SET lease_holder = EXCLUDED.lease_holder, lease_until = EXCLUDED.lease_until
    WHERE doku_tokens.lease_until IS NULL OR doku_tokens.lease_until <= clock_timestamp()
    RETURNING lease_holder";

const RELEASE: &str = "UPDATE doku_tokens SET lease_holder = NULL, lease_until = NULL
    WHERE kind = $1 AND client_id = $2 AND base_url = $3 AND lease_holder = $4";

/// DOKU's tokens in PostgreSQL, shared by every process whose client is built with it
/// ([`doku_partner::ConfigBuilder::token_store`]).
///
/// # The table
///
/// [`PgTokenStore::migrate`] creates it ([`TOKENS_DDL`]), once, under an advisory lock so instances
/// starting together do not race:
///
/// ```sql
/// CREATE TABLE IF NOT EXISTS doku_tokens (
///     kind         text        NOT NULL,   -- 'partner' or 'snap_b2b'
///     client_id    text        NOT NULL,   -- the client id DOKU issued the token to
///     base_url     text        NOT NULL,   -- the environment (https://api.doku.com, …)
///     token        text,                   -- the bearer token as DOKU issued it; NULL until the first fetch
///     fetched_at   bigint,                 -- Unix seconds the fetch started (the fetching instance's clock)
///     expires_at   bigint,                 -- Unix seconds the token expires
///     lease_holder text,                   -- who is fetching now, if anyone
///     lease_until  timestamptz,            -- until when (the database's clock)
///     updated_at   timestamptz NOT NULL DEFAULT now(),
///     PRIMARY KEY (kind, client_id, base_url)
/// );
/// ```
///
/// One row per token: (kind, client id, environment). No secret key and no RSA key is ever
/// written; the token is a credential for its lifetime (an hour by default), so whoever can
/// `SELECT` from the table can call DOKU as the partner until it expires: grant the table to the
/// app's role only.
///
/// # The fetch lease: a row lease with a deadline
///
/// A process that finds no usable token takes the lease with one statement — an `INSERT … ON
/// CONFLICT DO UPDATE … WHERE lease_until IS NULL OR lease_until <= clock_timestamp()` — which
/// succeeds for exactly one process at a time. It reads the row again (another process may just
/// have saved a token), fetches from DOKU only if it still must, saves the token and clears the
/// lease. The others poll every [`DEFAULT_LEASE_POLL`] (bounded by the caller's wait) and, once the
/// lease is free, find the new token.
///
/// Why not `pg_advisory_lock`: a session lock lives as long as the holder's connection, so a holder
/// that hangs, or whose host vanished without closing its TCP connection, blocks every other
/// instance until the server notices (TCP keepalive: up to hours); it also pins one connection for
/// the whole fetch and does not survive a transaction-mode pooler such as PgBouncer. The row lease
/// ends at `lease_until` whatever happens to its holder ([`DEFAULT_LEASE`], 30 s by default, the
/// database's clock so instances' clocks do not matter), needs no connection held, and costs the
/// waiters a few polls once per token lifetime.
///
/// # Example
///
/// ```no_run
/// # async fn run() -> Result<(), Box<dyn std::error::Error>> {
/// use doku_partner::{Client, Config, Environment};
/// use doku_postgres::PgTokenStore;
/// use doku_sign::SecretKey;
///
/// let store = PgTokenStore::connect("postgresql://app@127.0.0.1/app").await?;
/// store.migrate().await?;
/// let secret = SecretKey::from(std::env::var("DOKU_SECRET_KEY")?);
/// let config = Config::builder("BRN-0001-10791114622547", secret)
///     .environment(Environment::Production)
///     .token_store(store)
///     .build()?;
/// let client = Client::new(config)?;
/// # let _ = client; Ok(()) }
/// ```
pub struct PgTokenStore {
    db: Db,
    lease: Duration,
    poll: Duration,
}

impl fmt::Debug for PgTokenStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PgTokenStore")
            .field("target", &self.db.target())
            .field("lease", &self.lease)
            .finish_non_exhaustive()
    }
}

impl PgTokenStore {
    /// A store for the database `settings` name (a `postgresql://` URL or libpq's `key=value`
    /// form; `connect_timeout` defaults to 5 s). Connects on first use.
    ///
    /// # Errors
    ///
    /// [`Error::Config`] when `settings` cannot be parsed.
    pub fn new(settings: &str) -> Result<Self, Error> {
        Ok(Self {
            db: Db::new(settings)?,
            lease: DEFAULT_LEASE,
            poll: DEFAULT_LEASE_POLL,
        })
    }

    /// A store connected now, so a wrong setting shows at start rather than at the first call.
    ///
    /// # Errors
    ///
    /// [`Error::Config`], [`Error::Connect`] or [`Error::Timeout`].
    pub async fn connect(settings: &str) -> Result<Self, Error> {
        let store = Self::new(settings)?;
        store.db.client().await?;
        Ok(store)
    }

    /// How long a fetch lease lasts unless released (default [`DEFAULT_LEASE`]).
    pub fn lease_duration(mut self, lease: Duration) -> Self {
        self.lease = lease;
        self
    }

    /// Bound on each statement, connecting included (default 5 s).
    pub fn statement_timeout(mut self, timeout: Duration) -> Self {
        self.db.statement_timeout = timeout;
        self
    }

    /// Creates the `doku_tokens` table if it is missing ([`TOKENS_DDL`]).
    ///
    /// # Errors
    ///
    /// Any [`Error`]: the database cannot be reached, or the role may not create tables.
    pub async fn migrate(&self) -> Result<(), Error> {
        let sql =
            format!("BEGIN; SELECT pg_advisory_xact_lock({MIGRATE_LOCK}); {TOKENS_DDL}; COMMIT;");
        self.db
            .run("creating the doku_tokens table", |c| async move {
                c.batch_execute(&sql).await
            })
            .await
    }

    async fn load(&self, key: &TokenKey) -> Result<Option<StoredToken>, Error> {
        let row = self
            .db
            .run("reading the shared token", |c| async move {
                c.query_opt(
                    LOAD,
                    &[&key.kind().as_str(), &key.client_id(), &key.base_url()],
                )
                .await
            })
            .await?;
        let Some(row) = row else {
            return Ok(None);
        };
        let token: String = row
            .try_get(0)
            .map_err(|e| Error::query("reading the shared token", e))?;
        let fetched_at: i64 = row
            .try_get(1)
            .map_err(|e| Error::query("reading the shared token", e))?;
        let expires_at: i64 = row
            .try_get(2)
            .map_err(|e| Error::query("reading the shared token", e))?;
        Ok(Some(StoredToken::new(token, fetched_at, expires_at)))
    }

    async fn save(&self, key: &TokenKey, token: &StoredToken) -> Result<(), Error> {
        self.db
            .run("saving the token", |c| async move {
                c.execute(
                    SAVE,
                    &[
                        &key.kind().as_str(),
                        &key.client_id(),
                        &key.base_url(),
                        &token.token(),
                        &token.fetched_at(),
                        &token.expires_at(),
                    ],
                )
                .await
            })
            .await
            .map(|_| ())
    }

    async fn acquire(&self, key: &TokenKey, wait: Duration) -> Result<FetchLease, Error> {
        let holder = uuid::Uuid::new_v4().simple().to_string();
        let lease_secs = self.lease.as_secs_f64();
        let until = tokio::time::Instant::now() + wait;
        loop {
            let row = self
                .db
                .run("taking the fetch lease", |c| {
                    let holder = holder.clone();
                    async move {
                        c.query_opt(
                            ACQUIRE,
                            &[
                                &key.kind().as_str(),
                                &key.client_id(),
                                &key.base_url(),
                                &holder,
                                &lease_secs,
                            ],
                        )
                        .await
                    }
                })
                .await?;
            if row.is_some() {
                return Ok(FetchLease::new(holder));
            }
            let now = tokio::time::Instant::now();
            if now >= until {
                return Err(Error::Timeout {
                    what: "waiting for another instance's token fetch (the fetch lease)",
                    after: wait,
                });
            }
            tokio::time::sleep_until((now + self.poll).min(until)).await;
        }
    }

    async fn release(&self, key: &TokenKey, lease: FetchLease) -> Result<(), Error> {
        self.db
            .run("releasing the fetch lease", |c| async move {
                c.execute(
                    RELEASE,
                    &[
                        &key.kind().as_str(),
                        &key.client_id(),
                        &key.base_url(),
                        &lease.holder(),
                    ],
                )
                .await
            })
            .await
            .map(|_| ())
    }
}

impl TokenStore for PgTokenStore {
    fn load<'a>(&'a self, key: &'a TokenKey) -> StoreFuture<'a, Option<StoredToken>> {
        Box::pin(async move { Ok(PgTokenStore::load(self, key).await?) })
    }

    fn save<'a>(&'a self, key: &'a TokenKey, token: &'a StoredToken) -> StoreFuture<'a, ()> {
        Box::pin(async move { Ok(PgTokenStore::save(self, key, token).await?) })
    }

    fn acquire_fetch_lease<'a>(
        &'a self,
        key: &'a TokenKey,
        wait: Duration,
    ) -> StoreFuture<'a, FetchLease> {
        Box::pin(async move { Ok(self.acquire(key, wait).await?) })
    }

    fn release<'a>(&'a self, key: &'a TokenKey, lease: FetchLease) -> StoreFuture<'a, ()> {
        Box::pin(async move { Ok(PgTokenStore::release(self, key, lease).await?) })
    }
}
