//! Token metadata, introspection, revocation and app uninstall.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use serde_json::{Value, json};

use super::token::{Style, check_client, parse_form};
use crate::sandbox::auth;
use crate::sandbox::errors::ApiError;
use crate::sandbox::ids;
use crate::sandbox::state::SharedSandbox;
use crate::sandbox::{APP_ID, INSTALLING_USER_ID};

/// Email of the installing user, as token metadata reports it.
const INSTALLING_USER_EMAIL: &str = "ana.ruiz@slotchat-demo.sandbox.hubspot.local";

/// Domain of a seeded portal, as token metadata reports it.
fn hub_domain(sandbox: &SharedSandbox, portal_id: u64) -> &'static str {
    sandbox
        .portal(portal_id)
        .map(|portal| portal.hub_domain)
        .unwrap_or_default()
}

fn access_token_fields(
    sandbox: &SharedSandbox,
    portal_id: u64,
    token: &str,
    scopes: &[String],
    expires_in: i64,
) -> serde_json::Map<String, Value> {
    let value = json!({
        "token": token,
        "user": INSTALLING_USER_EMAIL,
        "hub_domain": hub_domain(sandbox, portal_id),
        "hub_id": portal_id,
        "app_id": APP_ID,
        "user_id": INSTALLING_USER_ID,
        "scopes": scopes,
        "token_type": "access",
        "expires_in": expires_in,
        "is_private_distribution": false,
        "signed_access_token": {
            "expiresAt": ids::now_ms() + expires_in * 1000,
            "scopes": scopes.join(" "),
            "hubId": portal_id,
            "userId": INSTALLING_USER_ID,
            "appId": APP_ID,
        },
    });
    value.as_object().expect("a JSON object literal").clone()
}

fn refresh_token_fields(
    sandbox: &SharedSandbox,
    portal_id: u64,
    token: &str,
    scopes: &[String],
) -> serde_json::Map<String, Value> {
    let value = json!({
        "token": token,
        "user": INSTALLING_USER_EMAIL,
        "hub_domain": hub_domain(sandbox, portal_id),
        "hub_id": portal_id,
        "client_id": sandbox.client_id,
        "user_id": INSTALLING_USER_ID,
        "scopes": scopes,
        "token_type": "refresh",
    });
    value.as_object().expect("a JSON object literal").clone()
}

fn token_not_found(kind: &str) -> ApiError {
    ApiError::new(
        StatusCode::NOT_FOUND,
        "",
        format!("{kind} not found or expired"),
    )
}

/// `GET /oauth/v1/access-tokens/{token}`.
pub(crate) async fn get_access_token(
    sandbox: web::Data<SharedSandbox>,
    token: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let now = ids::now_ms();
    let lookup = sandbox.tokens().lookup_access_token(&token, now);
    match lookup {
        super::TokenLookup::Valid {
            portal_id,
            scopes,
            expires_at_ms,
        } => {
            let expires_in = (expires_at_ms - now) / 1000;
            let fields = access_token_fields(&sandbox, portal_id, &token, &scopes, expires_in);
            Ok(HttpResponse::Ok().json(fields))
        }
        _ => Err(token_not_found("access token")),
    }
}

/// `GET /oauth/v1/refresh-tokens/{token}`.
pub(crate) async fn get_refresh_token(
    sandbox: web::Data<SharedSandbox>,
    token: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let Some(refresh) = sandbox.tokens().live_refresh_token(&token).cloned() else {
        return Err(token_not_found("refresh token"));
    };
    let fields = refresh_token_fields(&sandbox, refresh.portal_id, &token, &refresh.scopes);
    Ok(HttpResponse::Ok().json(fields))
}

/// `DELETE /oauth/v1/refresh-tokens/{token}`: revokes the refresh token only;
/// access tokens already issued keep working until they expire.
pub(crate) async fn delete_refresh_token(
    sandbox: web::Data<SharedSandbox>,
    token: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    if sandbox.tokens().revoke_refresh_token(&token) {
        tracing::info!("sandbox revoked a refresh token");
        Ok(HttpResponse::NoContent().finish())
    } else {
        Err(token_not_found("refresh token"))
    }
}

/// `POST /oauth/2026-03/token/introspect` (and `/oauth/v3/...`).
pub(crate) async fn introspect(
    sandbox: web::Data<SharedSandbox>,
    request: HttpRequest,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let form = parse_form(&request, &body, Style::Current)?;
    check_client(&sandbox, &form, Style::Current)?;
    let token = form.get("token").map(String::as_str).unwrap_or("");
    let now = ids::now_ms();
    let tokens = sandbox.tokens();
    if let super::TokenLookup::Valid {
        portal_id,
        scopes,
        expires_at_ms,
    } = tokens.lookup_access_token(token, now)
    {
        let expires_in = (expires_at_ms - now) / 1000;
        let mut fields = access_token_fields(&sandbox, portal_id, token, &scopes, expires_in);
        fields.insert("active".into(), json!(true));
        fields.insert("token_use".into(), json!("access_token"));
        fields.insert("client_id".into(), json!(sandbox.client_id));
        return Ok(HttpResponse::Ok().json(fields));
    }
    if let Some(refresh) = tokens.live_refresh_token(token) {
        let mut fields = refresh_token_fields(&sandbox, refresh.portal_id, token, &refresh.scopes);
        fields.insert("active".into(), json!(true));
        fields.insert("token_use".into(), json!("refresh_token"));
        fields.insert("app_id".into(), json!(APP_ID));
        fields.insert("is_private_distribution".into(), json!(false));
        return Ok(HttpResponse::Ok().json(fields));
    }
    Ok(HttpResponse::Ok().json(json!({ "active": false })))
}

/// `POST /oauth/2026-03/token/revoke` (and `/oauth/v3/...`): revokes the
/// named refresh or access token.
pub(crate) async fn revoke(
    sandbox: web::Data<SharedSandbox>,
    request: HttpRequest,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let form = parse_form(&request, &body, Style::Current)?;
    check_client(&sandbox, &form, Style::Current)?;
    let token = form.get("token").map(String::as_str).unwrap_or("");
    let mut tokens = sandbox.tokens();
    let revoked = tokens.revoke_refresh_token(token) || tokens.revoke_access_token(token);
    if !revoked {
        return Err(Style::Current.error(
            "BAD_REFRESH_TOKEN",
            "token is invalid, expired or already revoked",
            "invalid_grant",
        ));
    }
    tracing::info!("sandbox revoked a token");
    Ok(HttpResponse::Ok().finish())
}

/// `DELETE /appinstalls/v3/external-install`: uninstalls the app from the
/// caller's portal, which revokes every token of that portal. No CRM data is
/// removed, and other portals' tokens keep working.
pub(crate) async fn uninstall(
    sandbox: web::Data<SharedSandbox>,
    request: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let principal = auth::require_any(&request, &["oauth"])?;
    if principal.is_private_app {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            "VALIDATION_ERROR",
            "a private app cannot be uninstalled through this API",
        ));
    }
    sandbox.tokens().revoke_portal(principal.portal_id);
    tracing::info!(portal_id = principal.portal_id, "sandbox app uninstalled");
    Ok(HttpResponse::NoContent().finish())
}
