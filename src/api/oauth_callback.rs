//! `GET /oauth/hubspot/callback`: where HubSpot sends the owner's browser
//! after consent. The answer is a small HTML page, never JSON, and never
//! repeats the code, the state or a token.

use actix_web::http::StatusCode;
use actix_web::http::header::{CACHE_CONTROL, CONTENT_TYPE, HeaderValue, REFERRER_POLICY};
use actix_web::{HttpResponse, web};
use serde::Deserialize;

use crate::crypto::hash_token;
use crate::hubspot::{ConnectedPortal, HubSpotError};
use crate::startup::AppState;

/// Query parameters HubSpot adds to the redirect URL.
#[derive(Debug, Deserialize)]
pub struct CallbackQuery {
    code: Option<String>,
    state: Option<String>,
    error: Option<String>,
}

/// Handles the redirect: checks the state, exchanges the code and stores
/// the connection.
pub async fn hubspot_oauth_callback(
    query: web::Query<CallbackQuery>,
    state: web::Data<AppState>,
) -> HttpResponse {
    let query = query.into_inner();
    let Some(oauth_state) = query.state.filter(|value| !value.is_empty()) else {
        return page(
            StatusCode::BAD_REQUEST,
            "HubSpot was not connected",
            "The link is missing its state parameter. Start again from slotchat.",
        );
    };
    let now = state.clock.now_ms();
    let workspace_id = match state
        .db
        .consume_oauth_state(&hash_token(&oauth_state), now)
        .await
    {
        Ok(Some(workspace_id)) => workspace_id,
        Ok(None) => {
            tracing::warn!("OAuth callback with an unknown, used or expired state");
            return page(
                StatusCode::BAD_REQUEST,
                "HubSpot was not connected",
                "This link has expired or was already used. Start again from slotchat.",
            );
        }
        Err(error) => {
            tracing::error!(%error, "failed to read the OAuth state");
            return page(
                StatusCode::SERVICE_UNAVAILABLE,
                "HubSpot was not connected",
                "The database is unavailable. Try again in a moment.",
            );
        }
    };
    if let Some(error) = query.error {
        tracing::warn!(%workspace_id, error = %safe_code(&error), "HubSpot denied the authorization");
        let message = format!(
            "HubSpot did not grant access ({}). Start again from slotchat.",
            safe_code(&error)
        );
        return page(
            StatusCode::BAD_REQUEST,
            "HubSpot was not connected",
            &message,
        );
    }
    let Some(code) = query.code.filter(|value| !value.is_empty()) else {
        return page(
            StatusCode::BAD_REQUEST,
            "HubSpot was not connected",
            "HubSpot sent no authorization code. Start again from slotchat.",
        );
    };
    let result = state.hubspot.complete_connection(&workspace_id, &code).await;
    // Meeting links cached for an earlier connection may belong to another
    // portal.
    state.catalogue.invalidate_workspace(&workspace_id).await;
    if result.is_ok() {
        // Pushes waiting for a connection can run now.
        state.push_queue.wake();
    }
    match result {
        Ok(portal) => page(
            StatusCode::OK,
            "HubSpot connected",
            &connected_message(&portal),
        ),
        Err(error) => {
            tracing::warn!(%workspace_id, %error, "finishing the HubSpot connection failed");
            let (status, message) = failure_message(&error);
            page(status, "HubSpot was not connected", message)
        }
    }
}

fn connected_message(portal: &ConnectedPortal) -> String {
    let mut message = format!(
        "slotchat is connected to HubSpot portal {}.",
        portal.portal_id
    );
    if let Some(previous) = portal.previous_portal_id {
        message.push_str(&format!(
            " This is a different portal from the one connected before ({previous}); \
             records pushed earlier stay in that portal."
        ));
    }
    let missing = crate::hubspot::missing_scopes(&portal.scopes);
    if !missing.is_empty() {
        message.push_str(&format!(" Missing scopes: {}.", missing.join(", ")));
    }
    message.push_str(" You can close this window.");
    message
}

fn failure_message(error: &HubSpotError) -> (StatusCode, &'static str) {
    match error {
        HubSpotError::ReconnectRequired => (
            StatusCode::BAD_REQUEST,
            "HubSpot rejected the authorization code (it may have expired). Start again from slotchat.",
        ),
        HubSpotError::Timeout { .. }
        | HubSpotError::Unavailable
        | HubSpotError::RateLimited { .. } => (
            StatusCode::BAD_GATEWAY,
            "HubSpot did not answer. Start again from slotchat in a moment.",
        ),
        _ => (
            StatusCode::BAD_GATEWAY,
            "Finishing the connection with HubSpot failed. Start again from slotchat.",
        ),
    }
}

/// An OAuth error code is shown only when it looks like one
/// (`access_denied`); anything else is replaced.
fn safe_code(code: &str) -> &str {
    let looks_like_code = !code.is_empty()
        && code.len() <= 64
        && code
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.');
    if looks_like_code {
        code
    } else {
        "unknown error"
    }
}

fn page(status: StatusCode, title: &str, message: &str) -> HttpResponse {
    let body = format!(
        "<!doctype html>\n<html lang=\"en\">\n<head><meta charset=\"utf-8\"><title>{title}</title></head>\n\
         <body>\n<main>\n<h1>{title}</h1>\n<p>{message}</p>\n</main>\n</body>\n</html>\n",
        title = escape_html(title),
        message = escape_html(message),
    );
    let mut response = HttpResponse::build(status).body(body);
    let headers = response.headers_mut();
    headers.insert(
        CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    headers.insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    // The callback URL carries the authorization code.
    headers.insert(REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    response
}

fn escape_html(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}
