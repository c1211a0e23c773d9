//! Logging setup and the per-request span.
//!
//! Each request gets a request id (taken from a well-formed `X-Request-Id`
//! header or generated), a span carrying it with the route template, and the
//! id echoed in the response. The query string is never logged because the
//! OAuth callback carries the authorization code in it.

use std::time::Instant;

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::middleware::Next;
use tracing::Instrument;
use tracing_subscriber::EnvFilter;

tokio::task_local! {
    static REQUEST_ID: String;
}

/// Header that carries the request id in both directions.
pub const REQUEST_ID_HEADER: &str = "x-request-id";

/// Installs the global tracing subscriber. `RUST_LOG` overrides the default
/// filter. Calling it twice is harmless, which tests rely on.
pub fn init(format: &str) {
    let filter = EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn,actix_server=warn"));
    let builder = tracing_subscriber::fmt().with_env_filter(filter).with_target(true);
    let _ = if format == "json" {
        builder.json().flatten_event(true).try_init()
    } else {
        builder.try_init()
    };
}

/// Installs logging for tests only when `SLOTCHAT_TEST_LOG` is set, so test
/// output stays quiet by default.
pub fn init_for_tests() {
    if std::env::var_os("SLOTCHAT_TEST_LOG").is_some() {
        init("pretty");
    }
}

/// The request id of the request being handled, if any.
pub fn current_request_id() -> Option<String> {
    REQUEST_ID.try_with(Clone::clone).ok()
}

/// Generates a new request or session id.
pub fn new_request_id() -> String {
    uuid::Uuid::new_v4().simple().to_string()
}

fn incoming_request_id(request: &ServiceRequest) -> Option<String> {
    let value = request.headers().get(REQUEST_ID_HEADER)?.to_str().ok()?;
    let well_formed = !value.is_empty()
        && value.len() <= 64
        && value.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    well_formed.then(|| value.to_string())
}

/// Middleware that opens the request span and echoes the request id.
pub async fn request_span(
    request: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let request_id = incoming_request_id(&request).unwrap_or_else(new_request_id);
    let route = request.match_pattern().unwrap_or_else(|| "unmatched".to_string());
    let span = tracing::info_span!(
        "request",
        request_id = %request_id,
        method = %request.method(),
        route = %route,
        workspace_id = tracing::field::Empty,
    );
    let started = Instant::now();
    let result = REQUEST_ID
        .scope(request_id.clone(), next.call(request).instrument(span.clone()))
        .await;
    let _entered = span.enter();
    let duration_ms = started.elapsed().as_millis() as u64;
    match result {
        Ok(mut response) => {
            let status = response.status().as_u16();
            if status >= 500 {
                tracing::warn!(status, duration_ms, "request finished with a server error");
            } else {
                tracing::debug!(status, duration_ms, "request finished");
            }
            if let Ok(value) = HeaderValue::from_str(&request_id) {
                response
                    .headers_mut()
                    .insert(HeaderName::from_static(REQUEST_ID_HEADER), value);
            }
            Ok(response)
        }
        Err(error) => {
            tracing::warn!(duration_ms, error = %error, "request failed in middleware");
            Err(error)
        }
    }
}
