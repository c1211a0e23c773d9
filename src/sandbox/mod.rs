//! The HubSpot sandbox: a local stand-in for HubSpot's public API used by the
//! demo and every test.
//!
//! It serves two seeded portals over real HTTP with HubSpot's paths (both the
//! numbered `v1`/`v3`/`v4` scheme and the dated `2026-03` scheme), JSON shapes,
//! status codes, error bodies and limits, and it rejects what HubSpot rejects.
//! All state lives in memory. A control API under `/_sandbox/` lets tests
//! inject faults, read traffic counters and change settings at run time; it
//! is described in `docs/sandbox.md`.

mod associations;
mod auth;
mod control;
mod crm;
mod errors;
mod faults;
mod gateway;
mod ids;
mod oauth;
mod rate_limit;
mod scheduler;
mod server;
mod state;

use std::net::TcpListener;

use actix_web::dev::ServerHandle;

/// Portal (hub) id of the first seeded portal, the one an authorization
/// connects unless the test picks another.
pub const PORTAL_ID: u64 = 48_213_377;
/// Domain of the first seeded portal, as token metadata reports it.
pub const HUB_DOMAIN: &str = "slotchat-demo.sandbox.hubspot.local";
/// Portal (hub) id of the second seeded portal, which starts with an empty
/// CRM and the same meeting links as the first.
pub const SECOND_PORTAL_ID: u64 = 48_213_378;
/// Domain of the second seeded portal.
pub const SECOND_HUB_DOMAIN: &str = "slotchat-second.sandbox.hubspot.local";
/// HubSpot user id of the portal's installing user (Ana Ruiz in the seed).
pub const INSTALLING_USER_ID: u64 = 51_200_447;
/// App id of the one registered OAuth app.
pub const APP_ID: u64 = 3_141_592;

/// What the sandbox serves and how it behaves.
#[derive(Debug, Clone)]
pub struct SandboxConfig {
    /// OAuth client id of the one registered app.
    pub client_id: String,
    /// OAuth client secret of that app.
    pub client_secret: String,
    /// Static private-app token for the first portal, if any.
    pub private_app_token: Option<String>,
    /// Static private-app token for the second portal, if any.
    pub second_private_app_token: Option<String>,
    /// Lifetime of issued access tokens, in seconds (HubSpot: 1800).
    pub access_token_ttl_secs: u64,
    /// Delay before a CRM write becomes visible to search, in milliseconds.
    pub search_lag_ms: u64,
    /// Requests allowed per portal per burst interval for the OAuth app
    /// (HubSpot: 110 per 10 seconds). CRM search is not counted here.
    pub burst_limit: u32,
    /// Length of the rolling burst interval, in milliseconds (HubSpot: 10000).
    pub burst_interval_ms: u64,
    /// CRM search requests allowed per portal per second (HubSpot: 5).
    pub search_limit_per_second: u32,
    /// Create and associate a company from a new contact's email domain, as
    /// HubSpot's portal setting of that name does (off by default).
    pub auto_create_company: bool,
}

impl Default for SandboxConfig {
    fn default() -> Self {
        Self {
            client_id: "sandbox-client-id".into(),
            client_secret: "sandbox-client-secret".into(),
            private_app_token: None,
            second_private_app_token: None,
            access_token_ttl_secs: 1800,
            search_lag_ms: 0,
            burst_limit: 110,
            burst_interval_ms: 10_000,
            search_limit_per_second: 5,
            auto_create_company: false,
        }
    }
}

/// A running sandbox. Dropping the handle leaves the server running; call
/// [`SandboxHandle::stop`] to end it.
pub struct SandboxHandle {
    /// `http://127.0.0.1:PORT`, the base of both API and OAuth paths.
    pub base_url: String,
    /// Port the sandbox listens on.
    pub port: u16,
    server: ServerHandle,
}

impl SandboxHandle {
    /// Stops the server gracefully and waits until it has stopped.
    pub async fn stop(&self) {
        self.server.stop(true).await;
    }
}

/// Starts the sandbox on `listener` in the background.
///
/// The server runs on the current tokio runtime until [`SandboxHandle::stop`]
/// is called or the runtime ends.
pub async fn spawn(config: SandboxConfig, listener: TcpListener) -> anyhow::Result<SandboxHandle> {
    let address = listener.local_addr()?;
    let port = address.port();
    let host = match address.ip() {
        std::net::IpAddr::V6(ip) => format!("[{ip}]"),
        std::net::IpAddr::V4(ip) if ip.is_unspecified() => "127.0.0.1".to_string(),
        std::net::IpAddr::V4(ip) => ip.to_string(),
    };
    let base_url = format!("http://{host}:{port}");
    let sandbox = state::Sandbox::new(config, base_url.clone());
    let server = server::run(sandbox, listener)?;
    let handle = server.handle();
    tokio::spawn(server);
    tracing::info!(port, "HubSpot sandbox listening");
    Ok(SandboxHandle {
        base_url,
        port,
        server: handle,
    })
}
