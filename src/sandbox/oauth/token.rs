//! The token endpoints: code exchange and refresh.
//!
//! `/oauth/v1/token` returns errors in the v1 shape (`status`, `message`).
//! `/oauth/v3/token` and `/oauth/2026-03/token` add RFC 6749 `error` and
//! `error_description` and reject parameters sent in the query string.

use std::collections::HashMap;

use actix_web::{HttpRequest, HttpResponse, web};
use serde_json::json;

use crate::sandbox::INSTALLING_USER_ID;
use crate::sandbox::errors::ApiError;
use crate::sandbox::ids;
use crate::sandbox::state::SharedSandbox;

/// Error body style of a token endpoint.
#[derive(Clone, Copy)]
pub(crate) enum Style {
    V1,
    Current,
}

impl Style {
    pub(crate) fn error(self, code: &str, message: &str, rfc_error: &str) -> ApiError {
        match self {
            Style::V1 => ApiError::token(code, message, None),
            Style::Current => ApiError::token(code, message, Some(rfc_error)),
        }
    }
}

/// `POST /oauth/v1/token`.
pub(crate) async fn exchange_v1(
    sandbox: web::Data<SharedSandbox>,
    request: HttpRequest,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    exchange(&sandbox, &request, &body, Style::V1)
}

/// `POST /oauth/v3/token` and `POST /oauth/2026-03/token`.
pub(crate) async fn exchange_current(
    sandbox: web::Data<SharedSandbox>,
    request: HttpRequest,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    if !request.query_string().is_empty() {
        let message =
            "parameters must be sent in the form-encoded request body, not in the query string";
        return Err(Style::Current.error("BAD_REQUEST", message, "invalid_request"));
    }
    exchange(&sandbox, &request, &body, Style::Current)
}

/// Parses a form-encoded body; any other content type is rejected.
pub(crate) fn parse_form(
    request: &HttpRequest,
    body: &[u8],
    style: Style,
) -> Result<HashMap<String, String>, ApiError> {
    let content_type = request
        .headers()
        .get("content-type")
        .and_then(|value| value.to_str().ok())
        .unwrap_or("");
    if !content_type.starts_with("application/x-www-form-urlencoded") {
        let message = "the request body must be application/x-www-form-urlencoded";
        return Err(style.error("BAD_REQUEST", message, "invalid_request"));
    }
    serde_urlencoded::from_bytes(body).map_err(|_| {
        style.error(
            "BAD_REQUEST",
            "the form-encoded body could not be parsed",
            "invalid_request",
        )
    })
}

/// Checks `client_id` and `client_secret` against the registered app.
pub(crate) fn check_client(
    sandbox: &SharedSandbox,
    form: &HashMap<String, String>,
    style: Style,
) -> Result<(), ApiError> {
    if form.get("client_id").map(String::as_str) != Some(sandbox.client_id.as_str()) {
        return Err(style.error(
            "BAD_CLIENT_ID",
            "missing or invalid client_id",
            "invalid_client",
        ));
    }
    if form.get("client_secret").map(String::as_str) != Some(sandbox.client_secret.as_str()) {
        return Err(style.error(
            "BAD_CLIENT_SECRET",
            "missing or invalid client_secret",
            "invalid_client",
        ));
    }
    Ok(())
}

fn exchange(
    sandbox: &SharedSandbox,
    request: &HttpRequest,
    body: &[u8],
    style: Style,
) -> Result<HttpResponse, ApiError> {
    let form = parse_form(request, body, style)?;
    check_client(sandbox, &form, style)?;
    let field = |name: &str| form.get(name).map(String::as_str).unwrap_or("");
    match field("grant_type") {
        "authorization_code" => exchange_code(sandbox, field("code"), field("redirect_uri"), style),
        "refresh_token" => refresh(sandbox, field("refresh_token"), style),
        _ => Err(style.error(
            "BAD_GRANT_TYPE",
            "grant_type must be authorization_code or refresh_token",
            "unsupported_grant_type",
        )),
    }
}

fn exchange_code(
    sandbox: &SharedSandbox,
    code: &str,
    redirect_uri: &str,
    style: Style,
) -> Result<HttpResponse, ApiError> {
    let ttl = sandbox.settings().access_token_ttl_secs;
    let mut tokens = sandbox.tokens();
    let Some(grant) = tokens.take_code(code) else {
        return Err(style.error(
            "BAD_AUTH_CODE",
            "missing or unknown auth code",
            "invalid_grant",
        ));
    };
    if grant.expires_at_ms <= ids::now_ms() {
        return Err(style.error("EXPIRED_AUTH_CODE", "auth code is expired", "invalid_grant"));
    }
    if grant.redirect_uri != redirect_uri {
        return Err(style.error(
            "BAD_REDIRECT_URI",
            "redirect_uri does not match the one used in the authorize request",
            "invalid_grant",
        ));
    }
    let portal_id = grant.portal_id;
    let refresh_token = tokens.issue_refresh_token(portal_id, grant.scopes.clone());
    let access_token = tokens.issue_access_token(portal_id, grant.scopes.clone(), ttl);
    drop(tokens);
    tracing::info!(portal_id, "sandbox exchanged an authorization code");
    Ok(token_response(
        portal_id,
        access_token,
        refresh_token,
        ttl,
        &grant.scopes,
    ))
}

fn refresh(
    sandbox: &SharedSandbox,
    refresh_token: &str,
    style: Style,
) -> Result<HttpResponse, ApiError> {
    let ttl = sandbox.settings().access_token_ttl_secs;
    let mut tokens = sandbox.tokens();
    let Some((portal_id, scopes)) = tokens
        .live_refresh_token(refresh_token)
        .map(|refresh| (refresh.portal_id, refresh.scopes.clone()))
    else {
        let message = match style {
            Style::V1 => "missing or invalid refresh token",
            Style::Current => "refresh token is invalid, expired or revoked",
        };
        return Err(style.error("BAD_REFRESH_TOKEN", message, "invalid_grant"));
    };
    let access_token = tokens.issue_access_token(portal_id, scopes.clone(), ttl);
    drop(tokens);
    Ok(token_response(
        portal_id,
        access_token,
        refresh_token.to_string(),
        ttl,
        &scopes,
    ))
}

fn token_response(
    portal_id: u64,
    access_token: String,
    refresh_token: String,
    ttl_secs: u64,
    scopes: &[String],
) -> HttpResponse {
    HttpResponse::Ok().json(json!({
        "token_type": "bearer",
        "access_token": access_token,
        "refresh_token": refresh_token,
        "expires_in": ttl_secs,
        "hub_id": portal_id,
        "user_id": INSTALLING_USER_ID,
        "scopes": scopes,
        "token_use": "access_token",
    }))
}
