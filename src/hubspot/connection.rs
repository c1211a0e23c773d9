//! Connecting and disconnecting a workspace: finishing the OAuth flow,
//! revoking on disconnect, and the portal id other parts compare against.

use secrecy::ExposeSecret;

use super::HubSpot;
use super::error::HubSpotError;
use super::tokens::database_error;
use crate::storage::connections::{ConnectionStatus, NewConnection};

/// The scopes slotchat requests, each needed by a feature:
/// `oauth` for token introspection and revocation, contact scopes for the
/// upsert path, notes and booking (a booking needs
/// `crm.objects.contacts.write`), company scopes for the company upsert,
/// and the meeting-link scope for meeting types and availability.
pub const REQUIRED_SCOPES: [&str; 6] = [
    "oauth",
    "crm.objects.contacts.read",
    "crm.objects.contacts.write",
    "crm.objects.companies.read",
    "crm.objects.companies.write",
    "scheduler.meetings.meeting-link.read",
];

/// Returns the required scopes missing from `granted`.
pub fn missing_scopes(granted: &[String]) -> Vec<String> {
    REQUIRED_SCOPES
        .iter()
        .filter(|scope| !granted.iter().any(|granted| granted == *scope))
        .map(|scope| scope.to_string())
        .collect()
}

/// The portal a finished OAuth flow connected.
#[derive(Debug, Clone)]
pub struct ConnectedPortal {
    pub portal_id: i64,
    pub hub_domain: Option<String>,
    pub scopes: Vec<String>,
    /// The portal of the earlier connection, when it was a different one.
    pub previous_portal_id: Option<i64>,
}

impl HubSpot {
    /// Exchanges `code`, reads the token's portal and scopes, and stores the
    /// connection for `workspace_id`.
    pub async fn complete_connection(
        &self,
        workspace_id: &str,
        code: &str,
    ) -> Result<ConnectedPortal, HubSpotError> {
        let grant = self.exchange_code(code).await?;
        let info = self.introspect(&grant.access_token).await?;
        let previous = self
            .inner
            .db
            .hubspot_connection(workspace_id)
            .await
            .map_err(database_error)?;
        let previous_portal_id = previous
            .and_then(|connection| connection.portal_id)
            .filter(|previous| *previous != info.hub_id);
        let now = self.inner.clock.now_ms();
        let access_enc = self
            .inner
            .cipher
            .encrypt(grant.access_token.expose_secret());
        let refresh_enc = self
            .inner
            .cipher
            .encrypt(grant.refresh_token.expose_secret());
        let connection = NewConnection {
            workspace_id,
            portal_id: info.hub_id,
            hub_domain: info.hub_domain.as_deref(),
            scopes: &info.scopes,
            access_token_enc: &access_enc,
            access_expires_at: grant.expires_at_ms(now),
            refresh_token_enc: &refresh_enc,
        };
        self.inner
            .db
            .save_hubspot_connection(&connection, now)
            .await
            .map_err(database_error)?;
        if let Some(previous) = previous_portal_id {
            tracing::warn!(
                workspace_id,
                portal_id = info.hub_id,
                previous_portal_id = previous,
                "HubSpot reconnected to a different portal"
            );
        }
        tracing::info!(workspace_id, portal_id = info.hub_id, "HubSpot connected");
        Ok(ConnectedPortal {
            portal_id: info.hub_id,
            hub_domain: info.hub_domain,
            scopes: info.scopes,
            previous_portal_id,
        })
    }

    /// Revokes the workspace's refresh token at HubSpot and forgets its
    /// tokens; the portal id stays stored and nothing is deleted in HubSpot.
    /// Returns whether HubSpot confirmed the revocation. A failed revocation
    /// is logged and the tokens are forgotten anyway.
    pub async fn disconnect(&self, workspace_id: &str) -> Result<bool, HubSpotError> {
        let lock = self.refresh_lock(workspace_id);
        let _guard = lock.lock().await;
        let Some(connection) = self
            .inner
            .db
            .hubspot_connection(workspace_id)
            .await
            .map_err(database_error)?
        else {
            return Ok(false);
        };
        let mut revoked = false;
        if let Some(sealed) = &connection.refresh_token_enc {
            match self.inner.cipher.decrypt(sealed) {
                Ok(refresh_token) => match self.revoke_refresh_token(&refresh_token).await {
                    Ok(()) => revoked = true,
                    Err(error) => {
                        tracing::warn!(workspace_id, %error, "revoking the HubSpot refresh token failed")
                    }
                },
                Err(error) => {
                    tracing::warn!(workspace_id, %error, "stored refresh token cannot be decrypted")
                }
            }
        }
        let now = self.inner.clock.now_ms();
        self.inner
            .db
            .disconnect_hubspot(workspace_id, now)
            .await
            .map_err(database_error)?;
        tracing::info!(
            workspace_id,
            portal_id = connection.portal_id,
            revoked,
            "HubSpot disconnected"
        );
        Ok(revoked)
    }

    /// Returns the portal id of the workspace's current connection, or `None` when
    /// it is not connected. Callers compare it with the portal id stored on
    /// earlier pushes to notice a reconnect to a different portal.
    pub async fn current_portal_id(&self, workspace_id: &str) -> Result<Option<i64>, HubSpotError> {
        let connection = self
            .inner
            .db
            .hubspot_connection(workspace_id)
            .await
            .map_err(database_error)?;
        Ok(connection
            .filter(|connection| connection.status == ConnectionStatus::Connected)
            .and_then(|connection| connection.portal_id))
    }
}
