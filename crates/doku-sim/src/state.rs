//! In-memory state: uploaded files, registered businesses, invitations, and the shared
//! application context.

use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use doku_model::BusinessData;
use doku_sign::SecretKey;

use crate::body::BodyBudget;
use crate::config::SimConfig;
use doku_model::{Credentials, Endpoint};

use crate::faults::FaultTable;
use crate::idempotency::IdempotencyStore;
use crate::limits::Limits;
use crate::notify::Notifier;
use crate::orders::Orders;
use crate::stats::Stats;
use crate::tokens::TokenIssuer;

/// An uploaded file (content is not kept, only what registration needs).
#[derive(Debug, Clone)]
pub(crate) struct StoredFile {
    pub(crate) owner: String,
    pub(crate) requirement_code: String,
}

/// A registered business and who registered it.
#[derive(Debug, Clone)]
pub(crate) struct StoredBusiness {
    pub(crate) owner: String,
    pub(crate) data: BusinessData,
}

/// A Create Business Lite invitation.
#[derive(Debug, Clone)]
#[allow(dead_code)]
pub(crate) struct Invitation {
    pub(crate) owner: String,
    pub(crate) partner_ref_id: String,
    pub(crate) invited_email: String,
    pub(crate) brand_id: String,
}

/// Business data of the simulator.
#[derive(Debug, Default)]
pub(crate) struct Store {
    pub(crate) files: HashMap<String, StoredFile>,
    pub(crate) businesses: HashMap<String, StoredBusiness>,
    pub(crate) invitations: Vec<Invitation>,
}

/// Everything a request handler can reach.
pub(crate) struct App {
    pub(crate) config: SimConfig,
    pub(crate) tokens: TokenIssuer,
    pub(crate) base_url: String,
    store: Mutex<Store>,
    stats: Arc<Mutex<Stats>>,
    orders: Mutex<Orders>,
    pub(crate) notifier: Notifier,
    pub(crate) snap: crate::snap::SnapState,
    faults: Mutex<FaultTable>,
    idempotency: Mutex<IdempotencyStore>,
    next_id: AtomicU64,
    body_budget: BodyBudget,
    /// Each merchant's own Notification URL, set at start or at run time (a brand's id is
    /// known only once it is registered).
    notification_urls: Mutex<BTreeMap<String, String>>,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    // A panic while holding a lock must not take the whole simulator down.
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

impl App {
    pub(crate) fn new(config: SimConfig, base_url: String) -> Self {
        let body_budget = BodyBudget::new(limits_of(&config).max_inflight_body_bytes);
        let idempotency = IdempotencyStore::new(config.retention, Arc::clone(&config.clock));
        let stats = Arc::new(Mutex::new(Stats::default()));
        let notifier = Notifier::new(
            Arc::clone(&stats),
            Arc::clone(&config.clock),
            config.time_scale,
            config.readings.notification_retry_request_id,
            config.deliveries_kept,
        );
        let start = u64::try_from(config.clock.unix_seconds().saturating_mul(1000))
            .unwrap_or(1_700_000_000_000);
        let keys = config
            .snap_keys
            .clone()
            .or_else(|| crate::snap::DokuKeys::shipped().ok());
        let snap = crate::snap::SnapState::new(&config.snap_registered, keys);
        let notification_urls = Mutex::new(config.notification_urls.clone());
        Self {
            notification_urls,
            snap,
            config,
            tokens: TokenIssuer::new(),
            base_url,
            store: Mutex::default(),
            stats,
            orders: Mutex::default(),
            notifier,
            faults: Mutex::default(),
            idempotency: Mutex::new(idempotency),
            next_id: AtomicU64::new(start),
            body_budget,
        }
    }

    pub(crate) fn store(&self) -> MutexGuard<'_, Store> {
        lock(&self.store)
    }

    /// The shared counters (for work that outlives a request).
    pub(crate) fn stats_handle(&self) -> Arc<Mutex<Stats>> {
        Arc::clone(&self.stats)
    }

    pub(crate) fn stats(&self) -> MutexGuard<'_, Stats> {
        lock(&self.stats)
    }

    pub(crate) fn orders(&self) -> MutexGuard<'_, Orders> {
        lock(&self.orders)
    }

    /// The key of a brand registered through the Partner calls: its `shared_key`.
    pub(crate) fn brand_key(&self, brand_id: &str) -> Option<SecretKey> {
        let store = self.store();
        let business = store.businesses.get(brand_id)?;
        let brand = business.data.brands.iter().find(|b| b.id == brand_id)?;
        brand
            .shared_key
            .as_ref()
            .map(|k| SecretKey::new(k.expose().as_bytes().to_vec()))
    }

    /// The key `client_id` signs with on `endpoint`: on the Partner API, a configured
    /// credential; on Checkout and Check Status, a registered brand's shared key or a configured
    /// credential (which then acts as a merchant too).
    pub(crate) fn key_for(&self, endpoint: Endpoint, client_id: &str) -> Option<SecretKey> {
        if endpoint.credentials() == Credentials::Merchant {
            if let Some(key) = self.brand_key(client_id) {
                return Some(key);
            }
        }
        self.config.secret_for(client_id).cloned()
    }

    /// Where `client_id`'s payment notifications go: its own Notification URL, else the
    /// default one (DOKU's Back Office setting is per merchant).
    pub(crate) fn notification_url_for(&self, client_id: &str) -> Option<String> {
        lock(&self.notification_urls)
            .get(client_id)
            .or(self.config.notification_url.as_ref())
            .cloned()
    }

    /// Whether any notification can be delivered (a default or a merchant's own URL).
    pub(crate) fn notifies_any(&self) -> bool {
        self.config.notification_url.is_some() || !lock(&self.notification_urls).is_empty()
    }

    /// Sets (`Some`) or removes (`None`: the default applies again) `client_id`'s own
    /// Notification URL; an URL the simulator cannot deliver to is refused.
    pub(crate) fn set_notification_url(
        &self,
        client_id: &str,
        url: Option<&str>,
    ) -> Result<(), String> {
        if client_id.is_empty() || doku_model::ClientId::new(client_id).is_err() {
            return Err(format!(
                "client id {} is not visible ASCII",
                crate::echo::echo(client_id)
            ));
        }
        let mut urls = lock(&self.notification_urls);
        match url {
            Some(url) => {
                crate::notify::Target::parse(url)?;
                urls.insert(client_id.to_owned(), url.to_owned());
            }
            None => {
                urls.remove(client_id);
            }
        }
        Ok(())
    }

    /// The merchants' own Notification URLs (client id, URL).
    pub(crate) fn notification_urls(&self) -> Vec<(String, String)> {
        lock(&self.notification_urls)
            .iter()
            .map(|(id, url)| (id.clone(), url.clone()))
            .collect()
    }

    pub(crate) fn faults(&self) -> MutexGuard<'_, FaultTable> {
        lock(&self.faults)
    }

    pub(crate) fn idempotency(&self) -> MutexGuard<'_, IdempotencyStore> {
        lock(&self.idempotency)
    }

    /// The resource bounds.
    pub(crate) fn limits(&self) -> Limits {
        limits_of(&self.config)
    }

    /// The permits (one per byte) of request bodies held at once.
    pub(crate) fn body_budget(&self) -> &BodyBudget {
        &self.body_budget
    }

    /// A snapshot of the counters.
    pub(crate) fn stats_snapshot(&self) -> Stats {
        self.stats().clone()
    }

    /// Number of Create Business Lite invitations recorded for `client_id`.
    pub(crate) fn invitations_for(&self, client_id: &str) -> usize {
        self.store()
            .invitations
            .iter()
            .filter(|i| i.owner == client_id)
            .count()
    }

    /// Counts one received request.
    pub(crate) fn count_request(&self) {
        self.stats().total_requests += 1;
    }

    /// The simulator's clock as a `Response-Timestamp` value.
    pub(crate) fn response_timestamp(&self) -> String {
        doku_sign::timestamp::format_utc(self.config.clock.unix_seconds())
    }

    /// A fresh DOKU-looking id, e.g. `DCM-0131-1700000000001`.
    pub(crate) fn new_id(&self, prefix: &str) -> String {
        let n = self.next_id.fetch_add(1, Ordering::Relaxed);
        format!("{prefix}-0131-{n}")
    }
}

/// The bounds configured in `config`.
fn limits_of(config: &SimConfig) -> Limits {
    config.limits
}
