//! The HubSpot sandbox: a local stand-in for HubSpot's public API used by the
//! demo and every test. (Being built; see the sandbox helper's brief.)

use std::net::TcpListener;

/// What the sandbox serves and how it behaves.
#[derive(Debug, Clone)]
pub struct SandboxConfig {
    /// OAuth client id of the one registered app.
    pub client_id: String,
    /// OAuth client secret of that app.
    pub client_secret: String,
    /// Static private-app token for the seeded portal, if any.
    pub private_app_token: Option<String>,
    /// Lifetime of issued access tokens, in seconds (HubSpot: 1800).
    pub access_token_ttl_secs: u64,
    /// Delay before a CRM write becomes visible to search, in milliseconds.
    pub search_lag_ms: u64,
}

impl Default for SandboxConfig {
    fn default() -> Self {
        Self {
            client_id: "sandbox-client-id".into(),
            client_secret: "sandbox-client-secret".into(),
            private_app_token: None,
            access_token_ttl_secs: 1800,
            search_lag_ms: 0,
        }
    }
}

/// A running sandbox.
pub struct SandboxHandle {
    /// `http://127.0.0.1:PORT`, the base of both API and OAuth paths.
    pub base_url: String,
    pub port: u16,
}

/// Starts the sandbox on `listener` in the background.
pub async fn spawn(_config: SandboxConfig, listener: TcpListener) -> anyhow::Result<SandboxHandle> {
    let port = listener.local_addr()?.port();
    Ok(SandboxHandle { base_url: format!("http://127.0.0.1:{port}"), port })
}
