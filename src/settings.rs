//! Typed settings: defaults, then an optional TOML file, then `SLOTCHAT_*`
//! environment variables, then command-line flags applied by the caller.
//!
//! Every field is documented in `docs/configuration.md`. Unknown keys in the
//! file are rejected so that a misspelt setting is never silently ignored.

use std::path::Path;

use figment::Figment;
use figment::providers::{Env, Format, Serialized, Toml};
use secrecy::SecretString;
use serde::{Deserialize, Serialize};

/// The service's settings. Durations carry their unit in the field name.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    /// Address the HTTP server binds to.
    pub listen: String,
    /// Base URL under which browsers reach this server, without a trailing
    /// slash. Used for the OAuth redirect URL and the embed snippet.
    pub public_url: String,
    /// `sqlite://PATH` (created on first start) or `postgres://...`.
    pub database_url: String,
    /// Maximum open database connections.
    pub database_max_connections: u32,

    /// HubSpot API base URL; the only host the HubSpot client talks to,
    /// together with `hubspot_auth_base_url`.
    pub hubspot_api_base_url: String,
    /// Base URL of HubSpot's OAuth consent page.
    pub hubspot_auth_base_url: String,
    /// OAuth client id of the HubSpot app.
    pub hubspot_client_id: String,
    /// OAuth client secret of the HubSpot app.
    #[serde(serialize_with = "serialize_secret_option")]
    pub hubspot_client_secret: Option<SecretString>,
    /// Timeout of one HubSpot HTTP request, in milliseconds.
    pub hubspot_request_timeout_ms: u64,
    /// Refresh an access token this many seconds before it expires.
    pub hubspot_token_refresh_margin_secs: u64,
    /// Requests per 10 seconds per portal that slotchat allows itself; HubSpot
    /// allows public apps 110.
    pub hubspot_burst_limit_per_10s: u32,
    /// CRM search requests per second per portal; HubSpot allows 5.
    pub hubspot_search_limit_per_sec: u32,

    /// Key that encrypts HubSpot tokens at rest: 32 bytes, base64-encoded.
    #[serde(serialize_with = "serialize_secret_option")]
    pub encryption_key: Option<SecretString>,
    /// Lifetime of an OAuth `state` value, in seconds.
    pub oauth_state_ttl_secs: u64,

    /// How long the list of meeting links is cached, in seconds.
    pub meeting_links_cache_ttl_secs: u64,
    /// How long a link's availability is cached, in seconds.
    pub availability_cache_ttl_secs: u64,

    /// Interval between WebSocket pings, in seconds.
    pub widget_heartbeat_interval_secs: u64,
    /// A widget that sends nothing for this long is disconnected, in seconds.
    pub widget_client_timeout_secs: u64,
    /// Largest widget frame accepted, in bytes.
    pub widget_max_frame_bytes: usize,
    /// How long a disconnected widget session can be resumed, in seconds.
    pub widget_session_resume_secs: u64,

    /// Maximum attempts of one push before it is marked failed.
    pub push_max_attempts: u32,
    /// First retry delay of a failed push, in milliseconds; doubles each time.
    pub push_retry_base_ms: u64,
    /// Interval at which push workers look for due work when nothing woke
    /// them, in milliseconds.
    pub push_poll_interval_ms: u64,
    /// Push workers per instance.
    pub push_workers: u32,
    /// How long a worker's claim on a push (and on its visitor) lasts, in
    /// milliseconds. A crashed worker's pushes are picked up after it ends.
    pub push_lease_ms: u64,

    /// Output format of log lines: `pretty` or `json`.
    pub log_format: String,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            listen: "127.0.0.1:8080".into(),
            public_url: "http://127.0.0.1:8080".into(),
            database_url: "sqlite://slotchat.db".into(),
            database_max_connections: 10,
            hubspot_api_base_url: "https://api.hubapi.com".into(),
            hubspot_auth_base_url: "https://app.hubspot.com".into(),
            hubspot_client_id: String::new(),
            hubspot_client_secret: None,
            hubspot_request_timeout_ms: 10_000,
            hubspot_token_refresh_margin_secs: 300,
            hubspot_burst_limit_per_10s: 100,
            hubspot_search_limit_per_sec: 4,
            encryption_key: None,
            oauth_state_ttl_secs: 600,
            meeting_links_cache_ttl_secs: 300,
            availability_cache_ttl_secs: 60,
            widget_heartbeat_interval_secs: 20,
            widget_client_timeout_secs: 60,
            widget_max_frame_bytes: 16 * 1024,
            widget_session_resume_secs: 30 * 60,
            push_max_attempts: 6,
            push_retry_base_ms: 2_000,
            push_poll_interval_ms: 1_000,
            push_workers: 2,
            push_lease_ms: 120_000,
            log_format: "pretty".into(),
        }
    }
}

/// `SLOTCHAT_*` variables that other commands and the tests read; they are
/// not settings, so the unknown-key check must not trip on them.
const NOT_SETTINGS: [&str; 6] =
    ["CONFIG", "ADMIN_TOKEN", "SANDBOX_TOKEN", "TEST_POSTGRES_URL", "TEST_LOG", "BROWSER_TESTS"];

/// A setting that could not be read, naming the key or variable.
#[derive(Debug, thiserror::Error)]
#[error("invalid settings: {0}")]
pub struct SettingsError(String);

impl Settings {
    /// Loads defaults, then `file` when given, then `SLOTCHAT_*` variables,
    /// then the unprefixed `DATABASE_URL`.
    pub fn load(file: Option<&Path>) -> Result<Self, SettingsError> {
        let mut figment = Figment::from(Serialized::defaults(Settings::default()));
        if let Some(path) = file {
            if !path.exists() {
                return Err(SettingsError(format!(
                    "config file {} does not exist",
                    path.display()
                )));
            }
            figment = figment.merge(Toml::file(path));
        }
        figment = figment
            .merge(Env::prefixed("SLOTCHAT_").ignore(&NOT_SETTINGS))
            .merge(Env::raw().only(&["DATABASE_URL"]));
        let settings: Settings = figment
            .extract()
            .map_err(|error| SettingsError(describe_figment_error(&error)))?;
        settings.validate()?;
        Ok(settings)
    }

    /// Checks values that serde cannot check by type alone.
    pub fn validate(&self) -> Result<(), SettingsError> {
        if !matches!(self.log_format.as_str(), "pretty" | "json") {
            return Err(SettingsError(format!(
                "log_format (SLOTCHAT_LOG_FORMAT) must be `pretty` or `json`, got `{}`",
                self.log_format
            )));
        }
        if self.public_url.ends_with('/') {
            return Err(SettingsError(
                "public_url (SLOTCHAT_PUBLIC_URL) must not end with `/`".into(),
            ));
        }
        for (key, value) in [
            ("hubspot_api_base_url", &self.hubspot_api_base_url),
            ("hubspot_auth_base_url", &self.hubspot_auth_base_url),
            ("public_url", &self.public_url),
        ] {
            if url::Url::parse(value).is_err() {
                return Err(SettingsError(format!(
                    "{key} (SLOTCHAT_{}) is not a valid URL: `{value}`",
                    key.to_uppercase()
                )));
            }
        }
        if self.hubspot_burst_limit_per_10s == 0 || self.hubspot_search_limit_per_sec == 0 {
            return Err(SettingsError(
                "hubspot_burst_limit_per_10s and hubspot_search_limit_per_sec must be at least 1"
                    .into(),
            ));
        }
        Ok(())
    }

    /// Checks what `serve` needs beyond [`Settings::validate`]: the secrets
    /// that have no default. The demo and tests generate their own.
    pub fn require_secrets(&self) -> Result<(), SettingsError> {
        let mut missing = Vec::new();
        if self.encryption_key.is_none() {
            missing.push("encryption_key (SLOTCHAT_ENCRYPTION_KEY, 32 bytes as base64)");
        }
        if self.hubspot_client_id.trim().is_empty() {
            missing.push("hubspot_client_id (SLOTCHAT_HUBSPOT_CLIENT_ID)");
        }
        if self.hubspot_client_secret.is_none() {
            missing.push("hubspot_client_secret (SLOTCHAT_HUBSPOT_CLIENT_SECRET)");
        }
        if missing.is_empty() {
            Ok(())
        } else {
            Err(SettingsError(format!("missing required settings: {}", missing.join(", "))))
        }
    }

    /// The URL HubSpot redirects the site owner's browser to after consent.
    pub fn oauth_redirect_url(&self) -> String {
        format!("{}/oauth/hubspot/callback", self.public_url)
    }

    /// Whether the database is PostgreSQL rather than SQLite.
    pub fn uses_postgres(&self) -> bool {
        self.database_url.starts_with("postgres://") || self.database_url.starts_with("postgresql://")
    }
}

fn describe_figment_error(error: &figment::Error) -> String {
    error
        .clone()
        .into_iter()
        .map(|e| {
            let key = e.path.join(".");
            if key.is_empty() {
                e.to_string()
            } else {
                format!("{key} (SLOTCHAT_{}): {}", key.to_uppercase(), e.kind)
            }
        })
        .collect::<Vec<_>>()
        .join("; ")
}

fn serialize_secret_option<S: serde::Serializer>(
    value: &Option<SecretString>,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    // Secrets are never serialized back out; defaults carry none.
    match value {
        Some(_) => serializer.serialize_some("[redacted]"),
        None => serializer.serialize_none(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write_config(contents: &str) -> std::path::PathBuf {
        let path = std::env::temp_dir().join(format!("slotchat-settings-{}.toml", uuid::Uuid::new_v4().simple()));
        std::fs::write(&path, contents).expect("write temp config");
        path
    }

    #[test]
    fn file_overrides_defaults() {
        let path = write_config("listen = \"127.0.0.1:9999\"\navailability_cache_ttl_secs = 5\n");
        let settings = Settings::load(Some(&path)).expect("valid file");
        assert_eq!(settings.listen, "127.0.0.1:9999");
        assert_eq!(settings.availability_cache_ttl_secs, 5);
        assert_eq!(settings.meeting_links_cache_ttl_secs, 300);
    }

    #[test]
    fn unknown_key_is_named() {
        let path = write_config("lisen = \"127.0.0.1:9999\"\n");
        let error = Settings::load(Some(&path)).expect_err("unknown key rejected").to_string();
        assert!(error.contains("lisen"), "{error}");
    }

    #[test]
    fn wrong_type_is_named() {
        let path = write_config("availability_cache_ttl_secs = \"soon\"\n");
        let error = Settings::load(Some(&path)).expect_err("wrong type rejected").to_string();
        assert!(error.contains("availability_cache_ttl_secs"), "{error}");
    }

    #[test]
    fn missing_file_is_an_error() {
        let path = std::env::temp_dir().join("slotchat-no-such-config.toml");
        assert!(Settings::load(Some(&path)).is_err());
    }

    #[test]
    fn serve_requires_secrets() {
        let error = Settings::default().require_secrets().expect_err("no secrets by default").to_string();
        assert!(error.contains("SLOTCHAT_ENCRYPTION_KEY"), "{error}");
        assert!(error.contains("SLOTCHAT_HUBSPOT_CLIENT_SECRET"), "{error}");
    }
}
