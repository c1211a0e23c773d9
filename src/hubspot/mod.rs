//! The HubSpot client: OAuth tokens per workspace, rate limits, meetings and
//! CRM calls.
//!
//! Every call names a workspace; the client loads that workspace's
//! connection, refreshes its access token ahead of expiry, waits for a
//! permit from the portal's rate limiter, sends the request to
//! `hubspot_api_base_url` (the only API host it talks to, with redirects
//! disabled) and turns the response into a typed result or a [`HubSpotError`]
//! that says what the caller must do. The client never sends a `DELETE` of
//! CRM data; the only `DELETE`-like call it makes is the revocation of its
//! own refresh token on disconnect.

mod classify;
mod connection;
pub mod crm;
mod error;
pub mod meetings;
mod oauth;
mod rate_limit;
mod retry;
mod tokens;
mod transport;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use anyhow::Context;
use secrecy::SecretString;

use crate::clock::Clock;
use crate::crypto::TokenCipher;
use crate::settings::Settings;
use crate::storage::Db;

pub use connection::{ConnectedPortal, REQUIRED_SCOPES, missing_scopes};
pub use crm::{
    AssociatedRecord, AssociationInput, CreateInput, CrmObject, Filter, FilterGroup, Operator,
    Properties, PropertyDefinition, PropertyOption, Record, SearchPage, SearchRequest, Sort,
    SortDirection, UpsertedRecord,
};
pub use error::{HubSpotError, PropertyError};
pub use meetings::{AvailabilityPage, BookingInfo, BookingRequest, BookingResponse, MeetingLink};
pub use rate_limit::Priority;

/// The HubSpot client, cheap to clone and shared by every part of the
/// service.
#[derive(Clone)]
pub struct HubSpot {
    inner: Arc<Inner>,
    priority: Priority,
}

struct Inner {
    http: reqwest::Client,
    api_base_url: url::Url,
    auth_base_url: url::Url,
    client_id: String,
    client_secret: Option<SecretString>,
    redirect_url: String,
    refresh_margin_ms: i64,
    db: Db,
    cipher: TokenCipher,
    clock: Clock,
    limiters: rate_limit::Limiters,
    /// One lock per workspace, held while its token is refreshed.
    refresh_locks: Mutex<HashMap<String, Arc<tokio::sync::Mutex<()>>>>,
}

impl std::fmt::Debug for HubSpot {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter
            .debug_struct("HubSpot")
            .field("api_base_url", &self.inner.api_base_url.as_str())
            .field("priority", &self.priority)
            .finish_non_exhaustive()
    }
}

impl HubSpot {
    /// Builds the client from the settings. It stores tokens through `db`,
    /// encrypted with `cipher`, and judges token expiry by `clock`.
    pub fn new(
        settings: &Settings,
        db: Db,
        cipher: TokenCipher,
        clock: Clock,
    ) -> anyhow::Result<Self> {
        let timeout = Duration::from_millis(settings.hubspot_request_timeout_ms);
        let http = reqwest::Client::builder()
            .timeout(timeout)
            .connect_timeout(timeout)
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("slotchat/", env!("CARGO_PKG_VERSION")))
            .build()
            .context("failed to build the HubSpot HTTP client")?;
        let api_base_url = url::Url::parse(&settings.hubspot_api_base_url)
            .context("hubspot_api_base_url (SLOTCHAT_HUBSPOT_API_BASE_URL) is not a valid URL")?;
        let auth_base_url = url::Url::parse(&settings.hubspot_auth_base_url)
            .context("hubspot_auth_base_url (SLOTCHAT_HUBSPOT_AUTH_BASE_URL) is not a valid URL")?;
        let inner = Inner {
            http,
            api_base_url,
            auth_base_url,
            client_id: settings.hubspot_client_id.clone(),
            client_secret: settings.hubspot_client_secret.clone(),
            redirect_url: settings.oauth_redirect_url(),
            refresh_margin_ms: (settings.hubspot_token_refresh_margin_secs as i64)
                .saturating_mul(1000),
            db,
            cipher,
            clock,
            limiters: rate_limit::Limiters::new(
                settings.hubspot_burst_limit_per_10s,
                settings.hubspot_search_limit_per_sec,
            ),
            refresh_locks: Mutex::new(HashMap::new()),
        };
        Ok(Self {
            inner: Arc::new(inner),
            priority: Priority::Urgent,
        })
    }

    /// A handle whose calls wait for permits at `priority`. Bulk pushes and
    /// workflows use [`Priority::Bulk`], which keeps 30% of each portal's
    /// burst budget free for urgent calls such as bookings.
    pub fn with_priority(&self, priority: Priority) -> HubSpot {
        Self {
            inner: self.inner.clone(),
            priority,
        }
    }
}
