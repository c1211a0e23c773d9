//! The widget session: the `/ws` WebSocket and its protocol.
//!
//! `GET /ws?site_key=KEY` checks the site key and the `Origin` header
//! against the site's allowed origins, upgrades, and hands the connection to
//! [`connection::run_connection`] with a [`handler::SessionHandler`].

pub mod connection;
pub mod handler;
pub mod identify;
pub mod hub;
pub mod protocol;

use std::sync::Arc;
use std::time::Duration;

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;

use crate::error::ApiError;
use crate::startup::AppState;

/// Query string of the WebSocket URL.
#[derive(Debug, Deserialize)]
pub struct SocketQuery {
    site_key: String,
}

/// `GET /ws?site_key=KEY`: opens a widget session.
pub async fn open_socket(
    request: HttpRequest,
    body: web::Payload,
    query: web::Query<SocketQuery>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, actix_web::Error> {
    let site = state
        .db
        .site_by_key(&query.site_key)
        .await
        .map_err(ApiError::from)?
        .ok_or(ApiError::NotFound("site"))?;
    let origin = request
        .headers()
        .get(header::ORIGIN)
        .and_then(|value| value.to_str().ok())
        .unwrap_or("");
    if !site.allowed_origins.iter().any(|allowed| allowed == origin) {
        tracing::warn!(site_id = %site.id, "widget socket rejected: origin not allowed");
        return Ok(HttpResponse::Forbidden().json(serde_json::json!({
            "error": {
                "code": "origin_not_allowed",
                "message": "this page's origin is not an allowed origin of the site; add it in the site settings"
            }
        })));
    }

    let (response, session, stream) = actix_ws::handle(&request, body)?;
    let settings = &state.settings;
    let stream = stream
        .max_frame_size(settings.widget_max_frame_bytes)
        .aggregate_continuations()
        .max_continuation_size(settings.widget_max_frame_bytes);
    let handler = Arc::new(handler::SessionHandler::new(state.get_ref().clone(), site.clone()));
    let slots_rx = state.slots_hub.subscribe();
    let heartbeat = Duration::from_secs(settings.widget_heartbeat_interval_secs);
    let timeout = Duration::from_secs(settings.widget_client_timeout_secs);
    let span = tracing::info_span!(
        "widget_session",
        request_id = %crate::telemetry::current_request_id().unwrap_or_default(),
        site_id = %site.id,
        workspace_id = %site.workspace_id,
        session_id = tracing::field::Empty,
    );
    actix_web::rt::spawn(tracing::Instrument::instrument(
        connection::run_connection(handler, session, stream, slots_rx, heartbeat, timeout),
        span,
    ));
    Ok(response)
}
