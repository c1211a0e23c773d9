//! HubSpot connections (one per workspace) and pending OAuth `state` values.
//!
//! Token writes are compare-and-set on `token_version`: every change of the
//! tokens or the status bumps it, and a writer that read an older version
//! changes nothing. That keeps two instances sharing PostgreSQL from
//! overwriting each other's refreshed tokens.

use sqlx::Row;

use super::{Db, to_json_text};

/// The state of a workspace's HubSpot connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ConnectionStatus {
    Connected,
    /// HubSpot rejected the stored tokens; the owner must connect again.
    NeedsReconnect,
    Disconnected,
}

impl ConnectionStatus {
    /// The status as stored and as the status endpoint shows it.
    pub fn as_str(self) -> &'static str {
        match self {
            ConnectionStatus::Connected => "connected",
            ConnectionStatus::NeedsReconnect => "needs_reconnect",
            ConnectionStatus::Disconnected => "disconnected",
        }
    }

    fn parse(text: &str) -> Self {
        match text {
            "connected" => ConnectionStatus::Connected,
            "needs_reconnect" => ConnectionStatus::NeedsReconnect,
            _ => ConnectionStatus::Disconnected,
        }
    }
}

/// A stored connection. Token fields hold ciphertext from `TokenCipher`.
#[derive(Debug, Clone)]
pub struct HubSpotConnection {
    pub workspace_id: String,
    pub status: ConnectionStatus,
    pub portal_id: Option<i64>,
    pub hub_domain: Option<String>,
    pub scopes: Vec<String>,
    pub access_token_enc: Option<String>,
    /// Expiry of the access token, epoch milliseconds.
    pub access_expires_at: Option<i64>,
    pub refresh_token_enc: Option<String>,
    pub connected_at: Option<i64>,
    pub disconnected_at: Option<i64>,
    pub last_error: Option<String>,
    pub token_version: i64,
    pub updated_at: i64,
}

/// Connection data stored by a completed OAuth flow.
#[derive(Debug, Clone)]
pub struct NewConnection<'a> {
    pub workspace_id: &'a str,
    pub portal_id: i64,
    pub hub_domain: Option<&'a str>,
    pub scopes: &'a [String],
    pub access_token_enc: &'a str,
    pub access_expires_at: i64,
    pub refresh_token_enc: &'a str,
}

/// Tokens returned by one refresh, encrypted.
#[derive(Debug, Clone)]
pub struct RefreshedTokens<'a> {
    pub access_token_enc: &'a str,
    pub access_expires_at: i64,
    pub refresh_token_enc: &'a str,
}

const COLUMNS: &str = "workspace_id, status, portal_id, hub_domain, scopes, access_token_enc, \
     access_expires_at, refresh_token_enc, connected_at, disconnected_at, last_error, \
     token_version, updated_at";

impl Db {
    /// Reads the workspace's connection, if it ever connected.
    pub async fn hubspot_connection(
        &self,
        workspace_id: &str,
    ) -> Result<Option<HubSpotConnection>, sqlx::Error> {
        let sql = format!("SELECT {COLUMNS} FROM hubspot_connections WHERE workspace_id = $1");
        let row = sqlx::query(&sql)
            .bind(workspace_id)
            .fetch_optional(self.pool())
            .await?;
        Ok(row.map(|row| connection_from_row(&row)))
    }

    /// Stores a fresh connection, replacing tokens, portal and scopes of an
    /// earlier one, and bumps the token version.
    pub async fn save_hubspot_connection(
        &self,
        connection: &NewConnection<'_>,
        now_ms: i64,
    ) -> Result<(), sqlx::Error> {
        sqlx::query(
            "INSERT INTO hubspot_connections (workspace_id, status, portal_id, hub_domain, scopes, \
                 access_token_enc, access_expires_at, refresh_token_enc, connected_at, \
                 disconnected_at, last_error, token_version, updated_at) \
             VALUES ($1, 'connected', $2, $3, $4, $5, $6, $7, $8, NULL, NULL, 1, $8) \
             ON CONFLICT (workspace_id) DO UPDATE SET status = 'connected', \
                 portal_id = $2, hub_domain = $3, scopes = $4, access_token_enc = $5, \
                 access_expires_at = $6, refresh_token_enc = $7, connected_at = $8, \
                 disconnected_at = NULL, last_error = NULL, \
                 token_version = hubspot_connections.token_version + 1, updated_at = $8",
        )
        .bind(connection.workspace_id)
        .bind(connection.portal_id)
        .bind(connection.hub_domain)
        .bind(to_json_text(&connection.scopes))
        .bind(connection.access_token_enc)
        .bind(connection.access_expires_at)
        .bind(connection.refresh_token_enc)
        .bind(now_ms)
        .execute(self.pool())
        .await?;
        Ok(())
    }

    /// Stores refreshed tokens when the version is still `expected_version`.
    /// Returns false when another writer changed the row first.
    pub async fn update_hubspot_tokens(
        &self,
        workspace_id: &str,
        expected_version: i64,
        tokens: &RefreshedTokens<'_>,
        now_ms: i64,
    ) -> Result<bool, sqlx::Error> {
        let result = sqlx::query(
            "UPDATE hubspot_connections SET access_token_enc = $1, access_expires_at = $2, \
                 refresh_token_enc = $3, token_version = token_version + 1, last_error = NULL, \
                 updated_at = $4 \
             WHERE workspace_id = $5 AND token_version = $6 AND status = 'connected'",
        )
        .bind(tokens.access_token_enc)
        .bind(tokens.access_expires_at)
        .bind(tokens.refresh_token_enc)
        .bind(now_ms)
        .bind(workspace_id)
        .bind(expected_version)
        .execute(self.pool())
        .await?;
        Ok(result.rows_affected() == 1)
    }

    /// Marks the connection as needing a reconnect, with `error` shown to the
    /// owner, when the version is still `expected_version`.
    pub async fn mark_hubspot_needs_reconnect(
        &self,
        workspace_id: &str,
        expected_version: i64,
        error: &str,
        now_ms: i64,
    ) -> Result<bool, sqlx::Error> {
        let result = sqlx::query(
            "UPDATE hubspot_connections SET status = 'needs_reconnect', last_error = $1, \
                 token_version = token_version + 1, updated_at = $2 \
             WHERE workspace_id = $3 AND token_version = $4 AND status = 'connected'",
        )
        .bind(error)
        .bind(now_ms)
        .bind(workspace_id)
        .bind(expected_version)
        .execute(self.pool())
        .await?;
        Ok(result.rows_affected() == 1)
    }

    /// Forgets the tokens and marks the connection disconnected. The row,
    /// with its portal id, stays.
    pub async fn disconnect_hubspot(
        &self,
        workspace_id: &str,
        now_ms: i64,
    ) -> Result<(), sqlx::Error> {
        sqlx::query(
            "UPDATE hubspot_connections SET status = 'disconnected', access_token_enc = NULL, \
                 access_expires_at = NULL, refresh_token_enc = NULL, disconnected_at = $1, \
                 last_error = NULL, token_version = token_version + 1, updated_at = $1 \
             WHERE workspace_id = $2",
        )
        .bind(now_ms)
        .bind(workspace_id)
        .execute(self.pool())
        .await?;
        Ok(())
    }

    /// Stores the hash of a new OAuth `state` and drops expired ones.
    pub async fn insert_oauth_state(
        &self,
        state_hash: &str,
        workspace_id: &str,
        expires_at: i64,
        now_ms: i64,
    ) -> Result<(), sqlx::Error> {
        sqlx::query("DELETE FROM oauth_states WHERE expires_at < $1")
            .bind(now_ms)
            .execute(self.pool())
            .await?;
        sqlx::query(
            "INSERT INTO oauth_states (state_hash, workspace_id, expires_at, created_at) \
             VALUES ($1, $2, $3, $4)",
        )
        .bind(state_hash)
        .bind(workspace_id)
        .bind(expires_at)
        .bind(now_ms)
        .execute(self.pool())
        .await?;
        Ok(())
    }

    /// Deletes the state with `state_hash` and returns its workspace id when
    /// it had not expired. A second call with the same hash finds nothing.
    pub async fn consume_oauth_state(
        &self,
        state_hash: &str,
        now_ms: i64,
    ) -> Result<Option<String>, sqlx::Error> {
        let row = sqlx::query(
            "DELETE FROM oauth_states WHERE state_hash = $1 RETURNING workspace_id, expires_at",
        )
        .bind(state_hash)
        .fetch_optional(self.pool())
        .await?;
        Ok(row.and_then(|row| {
            let expires_at: i64 = row.get("expires_at");
            (expires_at > now_ms).then(|| row.get("workspace_id"))
        }))
    }
}

fn connection_from_row(row: &sqlx::any::AnyRow) -> HubSpotConnection {
    let status: String = row.get("status");
    let scopes: String = row.get("scopes");
    HubSpotConnection {
        workspace_id: row.get("workspace_id"),
        status: ConnectionStatus::parse(&status),
        portal_id: row.get("portal_id"),
        hub_domain: row.get("hub_domain"),
        scopes: serde_json::from_str(&scopes).unwrap_or_default(),
        access_token_enc: row.get("access_token_enc"),
        access_expires_at: row.get("access_expires_at"),
        refresh_token_enc: row.get("refresh_token_enc"),
        connected_at: row.get("connected_at"),
        disconnected_at: row.get("disconnected_at"),
        last_error: row.get("last_error"),
        token_version: row.get("token_version"),
        updated_at: row.get("updated_at"),
    }
}
