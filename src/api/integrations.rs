//! `/api/v1/integrations/hubspot`: connection status, the start of the
//! OAuth flow, and disconnect.

use actix_web::{HttpResponse, web};
use chrono::{TimeZone, Utc};
use serde::Serialize;

use crate::api::auth::AdminWorkspace;
use crate::crypto::{hash_token, random_token};
use crate::error::ApiError;
use crate::hubspot::{REQUIRED_SCOPES, missing_scopes};
use crate::startup::AppState;
use crate::storage::connections::{ConnectionStatus, HubSpotConnection};

/// The connection status as the admin API shows it.
#[derive(Debug, Serialize)]
pub struct HubSpotStatus {
    pub connected: bool,
    /// `connected`, `needs_reconnect` or `disconnected`.
    pub status: &'static str,
    pub portal_id: Option<i64>,
    pub hub_domain: Option<String>,
    pub scopes: Vec<String>,
    /// RFC 3339, UTC.
    pub connected_at: Option<String>,
    pub disconnected_at: Option<String>,
    /// Required scopes the connection was not granted.
    pub missing_scopes: Vec<String>,
    /// Reason the connection needs a reconnect, in words for the owner.
    pub last_error: Option<String>,
}

impl HubSpotStatus {
    fn from_connection(connection: Option<HubSpotConnection>) -> Self {
        let Some(connection) = connection else {
            return Self {
                connected: false,
                status: ConnectionStatus::Disconnected.as_str(),
                portal_id: None,
                hub_domain: None,
                scopes: Vec::new(),
                connected_at: None,
                disconnected_at: None,
                missing_scopes: Vec::new(),
                last_error: None,
            };
        };
        let missing = match connection.status {
            ConnectionStatus::Disconnected => Vec::new(),
            _ => missing_scopes(&connection.scopes),
        };
        Self {
            connected: connection.status == ConnectionStatus::Connected,
            status: connection.status.as_str(),
            portal_id: connection.portal_id,
            hub_domain: connection.hub_domain,
            scopes: connection.scopes,
            connected_at: connection.connected_at.and_then(rfc3339),
            disconnected_at: connection.disconnected_at.and_then(rfc3339),
            missing_scopes: missing,
            last_error: connection.last_error,
        }
    }
}

fn rfc3339(epoch_ms: i64) -> Option<String> {
    Utc.timestamp_millis_opt(epoch_ms)
        .single()
        .map(|instant| instant.to_rfc3339_opts(chrono::SecondsFormat::Millis, true))
}

/// `GET /api/v1/integrations/hubspot`.
pub async fn get_hubspot_integration(
    AdminWorkspace(workspace): AdminWorkspace,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let connection = state.db.hubspot_connection(&workspace.id).await?;
    Ok(HttpResponse::Ok().json(HubSpotStatus::from_connection(connection)))
}

#[derive(Serialize)]
struct ConnectResponse {
    authorize_url: String,
}

/// `POST /api/v1/integrations/hubspot/connect`: stores a single-use
/// `state` (hashed) and returns HubSpot's consent URL.
pub async fn connect_hubspot(
    AdminWorkspace(workspace): AdminWorkspace,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    if !state.hubspot.is_configured() {
        return Err(ApiError::Unavailable {
            code: "hubspot_not_configured",
            message: "the HubSpot app is not configured: set hubspot_client_id \
                      (SLOTCHAT_HUBSPOT_CLIENT_ID) and hubspot_client_secret \
                      (SLOTCHAT_HUBSPOT_CLIENT_SECRET)"
                .into(),
        });
    }
    let oauth_state = random_token();
    let now = state.clock.now_ms();
    let ttl_ms = (state.settings.oauth_state_ttl_secs as i64).saturating_mul(1000);
    state
        .db
        .insert_oauth_state(&hash_token(&oauth_state), &workspace.id, now + ttl_ms, now)
        .await?;
    let authorize_url = state.hubspot.authorize_url(&oauth_state, &REQUIRED_SCOPES);
    tracing::info!(workspace_id = %workspace.id, "HubSpot connect started");
    Ok(HttpResponse::Ok().json(ConnectResponse { authorize_url }))
}

#[derive(Serialize)]
struct DisconnectResponse {
    #[serde(flatten)]
    status: HubSpotStatus,
    /// Whether HubSpot confirmed that the refresh token was revoked.
    revoked: bool,
}

/// `DELETE /api/v1/integrations/hubspot`: revokes slotchat's refresh token
/// and forgets the tokens. Nothing is deleted in HubSpot.
pub async fn delete_hubspot_integration(
    AdminWorkspace(workspace): AdminWorkspace,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let revoked = state
        .hubspot
        .disconnect(&workspace.id)
        .await
        .map_err(|error| ApiError::Internal(anyhow::Error::new(error)))?;
    let connection = state.db.hubspot_connection(&workspace.id).await?;
    let status = HubSpotStatus::from_connection(connection);
    Ok(HttpResponse::Ok().json(DisconnectResponse { status, revoked }))
}
