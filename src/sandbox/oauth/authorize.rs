//! The authorize page stand-in: it approves at once and redirects back.

use std::collections::HashMap;

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use url::Url;

use super::KNOWN_SCOPES;
use crate::sandbox::errors::ApiError;
use crate::sandbox::state::SharedSandbox;

type Params = web::Query<HashMap<String, String>>;

/// `GET /oauth/authorize`.
pub(crate) async fn authorize(
    sandbox: web::Data<SharedSandbox>,
    params: Params,
) -> Result<HttpResponse, ApiError> {
    let chosen = sandbox.tokens().chosen_portal;
    approve(
        &sandbox,
        &params,
        chosen.unwrap_or(crate::sandbox::PORTAL_ID),
    )
}

/// `GET /oauth/{hubId}/authorize`, which pre-selects one portal.
pub(crate) async fn authorize_for_hub(
    sandbox: web::Data<SharedSandbox>,
    hub_id: web::Path<String>,
    params: Params,
) -> Result<HttpResponse, ApiError> {
    let Some(portal) = hub_id.parse::<u64>().ok().and_then(|id| sandbox.portal(id)) else {
        return Err(page_error(format!(
            "No account with hub id {hub_id} is available to this user."
        )));
    };
    approve(&sandbox, &params, portal.id)
}

/// Builds an error HubSpot shows on its own page instead of redirecting, because
/// the redirect target cannot be trusted.
fn page_error(message: String) -> ApiError {
    ApiError::new(StatusCode::BAD_REQUEST, "VALIDATION_ERROR", message)
}

/// Approves at once for portal `portal_id` and redirects with a code.
fn approve(
    sandbox: &SharedSandbox,
    params: &HashMap<String, String>,
    portal_id: u64,
) -> Result<HttpResponse, ApiError> {
    let client_id = params.get("client_id").map(String::as_str).unwrap_or("");
    if client_id != sandbox.client_id {
        return Err(page_error(
            "Authorization failed because the client_id is missing or invalid.".into(),
        ));
    }
    let redirect_text = params.get("redirect_uri").map(String::as_str).unwrap_or("");
    let redirect_uri = parse_redirect_uri(redirect_text)?;
    let state = params.get("state").cloned();

    let mut tokens = sandbox.tokens();
    if let Some(denial) = tokens.deny_next.take() {
        return Ok(redirect_with_error(
            redirect_uri,
            &denial.error,
            &denial.description,
            state,
        ));
    }
    let Some(scope_text) = params.get("scope").filter(|scope| !scope.trim().is_empty()) else {
        return Err(page_error(
            "Authorization failed because the scope parameter is missing.".into(),
        ));
    };
    let requested: Vec<String> = scope_text.split_whitespace().map(str::to_string).collect();
    if let Some(unknown) = requested
        .iter()
        .find(|scope| !KNOWN_SCOPES.contains(&scope.as_str()))
    {
        let description = format!("The scope {unknown} is not a valid scope for this app.");
        return Ok(redirect_with_error(
            redirect_uri,
            "invalid_scope",
            &description,
            state,
        ));
    }
    let mut scopes = requested;
    let optional = params
        .get("optional_scope")
        .map(String::as_str)
        .unwrap_or("");
    for scope in optional.split_whitespace() {
        // Unknown optional scopes are dropped silently, as HubSpot drops
        // scopes for products the portal lacks.
        if KNOWN_SCOPES.contains(&scope) && !scopes.iter().any(|granted| granted == scope) {
            scopes.push(scope.to_string());
        }
    }
    let ttl = sandbox.settings().auth_code_ttl_secs;
    let code = tokens.issue_code(portal_id, redirect_text, scopes, ttl);
    drop(tokens);
    tracing::info!(portal_id, "sandbox authorize approved");

    let mut location = redirect_uri;
    {
        let mut query = location.query_pairs_mut();
        query.append_pair("code", &code);
        if let Some(state) = &state {
            query.append_pair("state", state);
        }
    }
    Ok(found(location))
}

/// Accepts `http://127.0.0.1...`, `http://localhost...` and any https URL.
fn parse_redirect_uri(text: &str) -> Result<Url, ApiError> {
    let invalid = || {
        page_error("Authorization failed because the redirect_uri is missing or invalid.".into())
    };
    let url = Url::parse(text).map_err(|_| invalid())?;
    let allowed = match url.scheme() {
        "https" => true,
        "http" => matches!(url.host_str(), Some("127.0.0.1" | "localhost" | "[::1]")),
        _ => false,
    };
    if allowed { Ok(url) } else { Err(invalid()) }
}

fn redirect_with_error(
    mut location: Url,
    error: &str,
    description: &str,
    state: Option<String>,
) -> HttpResponse {
    {
        let mut query = location.query_pairs_mut();
        query.append_pair("error", error);
        query.append_pair("error_description", description);
        if let Some(state) = &state {
            query.append_pair("state", state);
        }
    }
    found(location)
}

fn found(location: Url) -> HttpResponse {
    HttpResponse::Found()
        .insert_header(("location", location.to_string()))
        .finish()
}
