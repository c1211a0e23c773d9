//! Bearer-token authentication and scope checks for API calls.

use std::sync::Arc;

use actix_web::{HttpMessage, HttpRequest};

use super::errors::ApiError;
use super::ids;
use super::oauth::TokenLookup;
use super::state::Sandbox;

/// The caller of an API call, stored in the request extensions by the gateway.
#[derive(Debug, Clone)]
pub(crate) struct Principal {
    /// Portal whose data the token reads and writes.
    pub portal_id: u64,
    /// Granted scopes; empty for the private app, which has every scope.
    pub scopes: Arc<Vec<String>>,
    pub is_private_app: bool,
    /// Key of the burst-limit bucket: per app per portal for OAuth, per
    /// token for the private app.
    pub rate_key: String,
}

/// Resolves the `Authorization: Bearer` header to a principal.
pub(crate) fn authenticate(
    sandbox: &Sandbox,
    request: &actix_web::dev::ServiceRequest,
) -> Result<Principal, ApiError> {
    let header = request
        .headers()
        .get("authorization")
        .and_then(|value| value.to_str().ok())
        .unwrap_or("");
    let token = header
        .strip_prefix("Bearer ")
        .or_else(|| header.strip_prefix("bearer "))
        .map(str::trim)
        .filter(|token| !token.is_empty())
        .ok_or_else(ApiError::invalid_authentication)?;

    let private_app = sandbox
        .portals
        .iter()
        .find(|portal| portal.private_app_token.as_deref() == Some(token));
    if let Some(portal) = private_app {
        return Ok(Principal {
            portal_id: portal.id,
            scopes: Arc::new(Vec::new()),
            is_private_app: true,
            rate_key: format!("private:{}", short_hash(token)),
        });
    }
    let now = ids::now_ms();
    let lookup = sandbox.tokens().lookup_access_token(token, now);
    match lookup {
        TokenLookup::Valid {
            portal_id, scopes, ..
        } => Ok(Principal {
            portal_id,
            scopes: Arc::new(scopes),
            is_private_app: false,
            rate_key: format!("oauth:{}:{portal_id}", super::APP_ID),
        }),
        TokenLookup::Expired { expires_at_ms } => {
            Err(ApiError::expired_authentication(expires_at_ms, now))
        }
        TokenLookup::Unknown => Err(ApiError::invalid_authentication()),
    }
}

/// Derives a short, non-reversible tag from a token, so bucket keys never contain it.
fn short_hash(token: &str) -> String {
    use sha2::Digest;
    hex::encode(&sha2::Sha256::digest(token.as_bytes())[..6])
}

/// Checks that the caller has at least one of `any_of`.
pub(crate) fn require_any(request: &HttpRequest, any_of: &[&str]) -> Result<Principal, ApiError> {
    let principal = request
        .extensions()
        .get::<Principal>()
        .cloned()
        .ok_or_else(ApiError::invalid_authentication)?;
    let granted = principal.is_private_app
        || any_of
            .iter()
            .any(|scope| principal.scopes.iter().any(|held| held == scope));
    if granted {
        Ok(principal)
    } else {
        Err(ApiError::missing_scopes(any_of))
    }
}
