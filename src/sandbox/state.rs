//! Shared sandbox state: run-time settings, the stored data and the traffic
//! record, each behind its own lock.
//!
//! Handlers never hold a lock across an `.await`, so one request's changes
//! to the data are atomic with respect to every other request.

use std::sync::{Arc, Mutex, MutexGuard, RwLock};

use super::SandboxConfig;
use super::associations::AssociationStore;
use super::control::Traffic;
use super::crm::CrmStore;
use super::oauth::TokenStore;
use super::scheduler::Scheduler;

/// Settings a test may change at run time through `POST /_sandbox/config`.
#[derive(Debug, Clone, serde::Serialize)]
pub(crate) struct RuntimeSettings {
    /// Lifetime of access tokens issued from now on, in seconds.
    pub access_token_ttl_secs: u64,
    /// Delay before a CRM write becomes visible to search, in milliseconds.
    pub search_lag_ms: u64,
    /// Requests per burst interval for the OAuth app, per portal.
    pub burst_limit: u32,
    /// Requests per burst interval for the private-app token.
    pub private_app_burst_limit: u32,
    /// Daily requests for the private-app token.
    pub private_app_daily_limit: u32,
    /// Length of the burst interval, in milliseconds.
    pub burst_interval_ms: u64,
    /// CRM search requests per second per portal.
    pub search_limit_per_second: u32,
    /// Whether a new contact gets a company made from its email domain.
    pub auto_create_company: bool,
    /// Delay before that company appears, in milliseconds.
    pub auto_create_company_delay_ms: u64,
    /// Lifetime of an authorization code, in seconds.
    pub auth_code_ttl_secs: u64,
}

/// Everything the CRM and scheduler endpoints read and write.
pub(crate) struct World {
    pub tokens: TokenStore,
    pub crm: CrmStore,
    pub associations: AssociationStore,
    pub scheduler: Scheduler,
}

/// Shared state passed to every handler.
pub(crate) struct Sandbox {
    pub client_id: String,
    pub client_secret: String,
    pub private_app_token: Option<String>,
    pub base_url: String,
    pub settings: RwLock<RuntimeSettings>,
    pub world: Mutex<World>,
    pub traffic: Mutex<Traffic>,
}

/// The shared handle stored as actix application data.
pub(crate) type SharedSandbox = Arc<Sandbox>;

impl Sandbox {
    pub(crate) fn new(config: SandboxConfig, base_url: String) -> SharedSandbox {
        let settings = RuntimeSettings {
            access_token_ttl_secs: config.access_token_ttl_secs,
            search_lag_ms: config.search_lag_ms,
            burst_limit: config.burst_limit,
            private_app_burst_limit: 190,
            private_app_daily_limit: 625_000,
            burst_interval_ms: config.burst_interval_ms,
            search_limit_per_second: config.search_limit_per_second,
            auto_create_company: config.auto_create_company,
            auto_create_company_delay_ms: 0,
            auth_code_ttl_secs: 300,
        };
        let world = World {
            tokens: TokenStore::default(),
            crm: CrmStore::default(),
            associations: AssociationStore::default(),
            scheduler: Scheduler::seeded(super::ids::now_ms()),
        };
        Arc::new(Sandbox {
            client_id: config.client_id,
            client_secret: config.client_secret,
            private_app_token: config.private_app_token,
            base_url,
            settings: RwLock::new(settings),
            world: Mutex::new(world),
            traffic: Mutex::new(Traffic::default()),
        })
    }

    /// Locks the stored data. A panic in another handler does not make the
    /// data unusable, because every change is made in one step.
    pub(crate) fn world(&self) -> MutexGuard<'_, World> {
        self.world
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    pub(crate) fn traffic(&self) -> MutexGuard<'_, Traffic> {
        self.traffic
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Returns a copy of the current run-time settings.
    pub(crate) fn settings(&self) -> RuntimeSettings {
        self.settings
            .read()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .clone()
    }
}
