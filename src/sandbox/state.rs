//! Shared sandbox state: run-time settings, the issued OAuth credentials,
//! each portal's stored data and the traffic record, each behind its own
//! lock.
//!
//! Handlers never hold a lock across an `.await`, so one request's changes
//! to the data are atomic with respect to every other request. No handler
//! holds the token lock and a portal's data lock at the same time.

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

/// Everything the CRM and scheduler endpoints of one portal read and write.
pub(crate) struct World {
    pub portal_id: u64,
    pub hub_domain: &'static str,
    pub crm: CrmStore,
    pub associations: AssociationStore,
    pub scheduler: Scheduler,
}

/// How far the second portal's record ids start above the first portal's:
/// its first contact is `590201`, its first company `19030201`.
const SECOND_PORTAL_ID_OFFSET: u64 = 500_000;

/// One seeded portal: its identity, its private-app token and its data.
pub(crate) struct Portal {
    pub id: u64,
    pub hub_domain: &'static str,
    pub private_app_token: Option<String>,
    world: Mutex<World>,
}

impl Portal {
    fn seeded(
        id: u64,
        hub_domain: &'static str,
        private_app_token: Option<String>,
        id_offset: u64,
    ) -> Self {
        let world = World {
            portal_id: id,
            hub_domain,
            crm: CrmStore::with_id_offset(id_offset),
            associations: AssociationStore::default(),
            scheduler: Scheduler::seeded(super::ids::now_ms()),
        };
        Self {
            id,
            hub_domain,
            private_app_token,
            world: Mutex::new(world),
        }
    }
}

/// Shared state passed to every handler.
pub(crate) struct Sandbox {
    pub client_id: String,
    pub client_secret: String,
    pub base_url: String,
    pub settings: RwLock<RuntimeSettings>,
    /// The seeded portals, first portal first.
    pub portals: Vec<Portal>,
    tokens: Mutex<TokenStore>,
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
        let portals = vec![
            Portal::seeded(
                super::PORTAL_ID,
                super::HUB_DOMAIN,
                config.private_app_token,
                0,
            ),
            Portal::seeded(
                super::SECOND_PORTAL_ID,
                super::SECOND_HUB_DOMAIN,
                config.second_private_app_token,
                SECOND_PORTAL_ID_OFFSET,
            ),
        ];
        Arc::new(Sandbox {
            client_id: config.client_id,
            client_secret: config.client_secret,
            base_url,
            settings: RwLock::new(settings),
            portals,
            tokens: Mutex::new(TokenStore::default()),
            traffic: Mutex::new(Traffic::default()),
        })
    }

    /// Returns the seeded portal with `portal_id`, if there is one.
    pub(crate) fn portal(&self, portal_id: u64) -> Option<&Portal> {
        self.portals.iter().find(|portal| portal.id == portal_id)
    }

    /// Locks the stored data of portal `portal_id`. A panic in another
    /// handler does not make the data unusable, because every change is made
    /// in one step.
    ///
    /// Panics when no portal has that id; callers take the id from an
    /// authenticated principal or an issued token, which only name seeded
    /// portals.
    pub(crate) fn world(&self, portal_id: u64) -> MutexGuard<'_, World> {
        self.portal(portal_id)
            .expect("portal ids come from seeded portals")
            .world
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Locks the issued OAuth codes and tokens of every portal.
    pub(crate) fn tokens(&self) -> MutexGuard<'_, TokenStore> {
        self.tokens
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
