//! Access tokens per workspace, refreshed ahead of expiry.
//!
//! Every call reads the connection row, so a disconnect or a refresh made by
//! another instance is seen at once. When the access token is within
//! `hubspot_token_refresh_margin_secs` of expiry, the caller takes the
//! workspace's refresh lock, reads the row again (another task may have
//! refreshed meanwhile) and only then calls HubSpot. The new tokens are
//! stored with a compare-and-set on `token_version`; a writer that lost the
//! race uses the winner's tokens instead.

use std::sync::Arc;

use secrecy::{ExposeSecret, SecretString};

use super::HubSpot;
use super::error::HubSpotError;
use super::oauth::TokenGrant;
use crate::storage::connections::{ConnectionStatus, HubSpotConnection, RefreshedTokens};

/// A usable access token and the row version it came from.
pub(crate) struct AccessToken {
    pub secret: SecretString,
    pub portal_id: i64,
    pub version: i64,
}

/// Message stored when HubSpot rejects the refresh token.
const REVOKED_MESSAGE: &str = "HubSpot rejected the refresh token (the app was uninstalled or access was revoked); reconnect HubSpot";

impl HubSpot {
    /// A valid access token for `workspace_id`, refreshed first when it is
    /// about to expire.
    pub(crate) async fn access_token(
        &self,
        workspace_id: &str,
    ) -> Result<AccessToken, HubSpotError> {
        let connection = self.load_connection(workspace_id).await?;
        if let Some(token) = self.fresh_token(&connection)? {
            return Ok(token);
        }
        let lock = self.refresh_lock(workspace_id);
        let _guard = lock.lock().await;
        let connection = self.load_connection(workspace_id).await?;
        if let Some(token) = self.fresh_token(&connection)? {
            return Ok(token);
        }
        self.refresh(connection).await
    }

    /// A new access token after HubSpot called the one from `stale_version`
    /// expired. Refreshes unless another task already did.
    pub(crate) async fn refresh_after_expired(
        &self,
        workspace_id: &str,
        stale_version: i64,
    ) -> Result<AccessToken, HubSpotError> {
        let lock = self.refresh_lock(workspace_id);
        let _guard = lock.lock().await;
        let connection = self.load_connection(workspace_id).await?;
        // A changed version means another task refreshed after the 401.
        if connection.token_version != stale_version
            && let Some(token) = self.fresh_token(&connection)?
        {
            return Ok(token);
        }
        self.refresh(connection).await
    }

    /// Marks the connection as needing a reconnect, unless its tokens
    /// changed since `version` was read.
    pub(crate) async fn mark_rejected(&self, workspace_id: &str, version: i64, message: &str) {
        let now = self.inner.clock.now_ms();
        match self
            .inner
            .db
            .mark_hubspot_needs_reconnect(workspace_id, version, message, now)
            .await
        {
            Ok(true) => tracing::warn!(workspace_id, "HubSpot connection needs a reconnect"),
            Ok(false) => {}
            Err(error) => {
                tracing::error!(workspace_id, %error, "failed to mark the HubSpot connection")
            }
        }
    }

    async fn load_connection(&self, workspace_id: &str) -> Result<HubSpotConnection, HubSpotError> {
        let connection = self
            .inner
            .db
            .hubspot_connection(workspace_id)
            .await
            .map_err(database_error)?
            .ok_or(HubSpotError::ReconnectRequired)?;
        if connection.status != ConnectionStatus::Connected {
            return Err(HubSpotError::ReconnectRequired);
        }
        Ok(connection)
    }

    /// The stored access token when it stays valid past the refresh margin.
    fn fresh_token(
        &self,
        connection: &HubSpotConnection,
    ) -> Result<Option<AccessToken>, HubSpotError> {
        let (Some(sealed), Some(expires_at), Some(portal_id)) = (
            &connection.access_token_enc,
            connection.access_expires_at,
            connection.portal_id,
        ) else {
            return Ok(None);
        };
        let now = self.inner.clock.now_ms();
        if expires_at - self.inner.refresh_margin_ms <= now {
            return Ok(None);
        }
        let secret = self.decrypt(&connection.workspace_id, sealed)?;
        Ok(Some(AccessToken {
            secret,
            portal_id,
            version: connection.token_version,
        }))
    }

    async fn refresh(&self, connection: HubSpotConnection) -> Result<AccessToken, HubSpotError> {
        let workspace_id = connection.workspace_id.as_str();
        let portal_id = connection
            .portal_id
            .ok_or(HubSpotError::ReconnectRequired)?;
        let sealed = connection
            .refresh_token_enc
            .as_deref()
            .ok_or(HubSpotError::ReconnectRequired)?;
        let refresh_token = self.decrypt(workspace_id, sealed)?;

        let grant = match self.refresh_grant(&refresh_token).await {
            Ok(grant) => grant,
            Err(HubSpotError::ReconnectRequired) => {
                self.mark_rejected(workspace_id, connection.token_version, REVOKED_MESSAGE)
                    .await;
                return Err(HubSpotError::ReconnectRequired);
            }
            Err(other) => return Err(other),
        };

        if self
            .store_grant(workspace_id, connection.token_version, &grant)
            .await?
        {
            tracing::info!(
                workspace_id,
                portal_id,
                "refreshed the HubSpot access token"
            );
            let version = connection.token_version + 1;
            return Ok(AccessToken {
                secret: grant.access_token,
                portal_id,
                version,
            });
        }

        // Another instance stored its refresh first, so its tokens win.
        tracing::info!(
            workspace_id,
            portal_id,
            "another writer refreshed the HubSpot token first"
        );
        let connection = self.load_connection(workspace_id).await?;
        self.fresh_token(&connection)?.ok_or_else(|| {
            HubSpotError::Unexpected(
                "the HubSpot token stored by another writer is already expiring".into(),
            )
        })
    }

    /// Stores `grant` encrypted if the row is still at `version`; returns
    /// whether it was stored.
    async fn store_grant(
        &self,
        workspace_id: &str,
        version: i64,
        grant: &TokenGrant,
    ) -> Result<bool, HubSpotError> {
        let now = self.inner.clock.now_ms();
        let access_enc = self
            .inner
            .cipher
            .encrypt(grant.access_token.expose_secret());
        let refresh_enc = self
            .inner
            .cipher
            .encrypt(grant.refresh_token.expose_secret());
        let tokens = RefreshedTokens {
            access_token_enc: &access_enc,
            access_expires_at: grant.expires_at_ms(now),
            refresh_token_enc: &refresh_enc,
        };
        self.inner
            .db
            .update_hubspot_tokens(workspace_id, version, &tokens, now)
            .await
            .map_err(database_error)
    }

    fn decrypt(&self, workspace_id: &str, sealed: &str) -> Result<SecretString, HubSpotError> {
        self.inner.cipher.decrypt(sealed).map_err(|error| {
            tracing::error!(workspace_id, %error, "stored HubSpot token cannot be decrypted");
            HubSpotError::ReconnectRequired
        })
    }

    pub(crate) fn refresh_lock(&self, workspace_id: &str) -> Arc<tokio::sync::Mutex<()>> {
        let mut locks = self
            .inner
            .refresh_locks
            .lock()
            .expect("refresh lock map is never poisoned");
        locks.entry(workspace_id.to_string()).or_default().clone()
    }
}

/// A database failure inside a HubSpot call.
pub(crate) fn database_error(error: sqlx::Error) -> HubSpotError {
    tracing::error!(%error, "database error while preparing a HubSpot call");
    HubSpotError::Unexpected(format!("database error: {error}"))
}
