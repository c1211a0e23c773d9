//! The one JSON error shape of the admin API and the OAuth callback.
//!
//! Every 4xx and 5xx body is
//! `{"error": {"code": "...", "message": "...", "field": "...", "request_id": "..."}}`.
//! A 5xx body carries a fixed sentence; its cause is logged once, here.

use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpResponse, ResponseError};
use serde::Serialize;

use crate::telemetry::current_request_id;

/// An error returned by an admin API handler.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// The request is invalid; `field` names the offending input.
    #[error("{message}")]
    Invalid { field: Option<String>, message: String },
    /// The bearer token is missing or wrong.
    #[error("missing or invalid admin token")]
    Unauthorized,
    /// The resource does not exist in this workspace.
    #[error("{0} not found")]
    NotFound(&'static str),
    /// The request conflicts with stored state.
    #[error("{message}")]
    Conflict { code: &'static str, message: String },
    /// A precondition outside the request is not met (for example HubSpot
    /// is not connected).
    #[error("{message}")]
    Unavailable { code: &'static str, message: String },
    /// The database could not be reached.
    #[error("database unavailable")]
    DatabaseUnavailable(#[source] sqlx::Error),
    /// Anything else; details go to the log only.
    #[error("internal error")]
    Internal(#[from] anyhow::Error),
}

impl ApiError {
    /// An invalid-input error naming `field`.
    pub fn invalid(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self::Invalid { field: Some(field.into()), message: message.into() }
    }

    fn code(&self) -> &'static str {
        match self {
            ApiError::Invalid { .. } => "invalid_request",
            ApiError::Unauthorized => "unauthorized",
            ApiError::NotFound(_) => "not_found",
            ApiError::Conflict { code, .. } | ApiError::Unavailable { code, .. } => code,
            ApiError::DatabaseUnavailable(_) => "database_unavailable",
            ApiError::Internal(_) => "internal_error",
        }
    }
}

impl From<sqlx::Error> for ApiError {
    fn from(error: sqlx::Error) -> Self {
        match error {
            sqlx::Error::PoolTimedOut | sqlx::Error::Io(_) | sqlx::Error::PoolClosed => {
                ApiError::DatabaseUnavailable(error)
            }
            other => ApiError::Internal(anyhow::Error::new(other)),
        }
    }
}

#[derive(Serialize)]
struct ErrorBody<'a> {
    error: ErrorDetail<'a>,
}

#[derive(Serialize)]
struct ErrorDetail<'a> {
    code: &'a str,
    message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    field: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    request_id: Option<String>,
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        match self {
            ApiError::Invalid { .. } => StatusCode::BAD_REQUEST,
            ApiError::Unauthorized => StatusCode::UNAUTHORIZED,
            ApiError::NotFound(_) => StatusCode::NOT_FOUND,
            ApiError::Conflict { .. } => StatusCode::CONFLICT,
            ApiError::Unavailable { .. } => StatusCode::CONFLICT,
            ApiError::DatabaseUnavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            ApiError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        let status = self.status_code();
        let message = match self {
            ApiError::Internal(cause) => {
                tracing::error!(error = ?cause, "request failed with an internal error");
                "The server failed to handle this request; retry later or report the request id."
                    .to_string()
            }
            ApiError::DatabaseUnavailable(cause) => {
                tracing::error!(error = %cause, "database unavailable");
                "The database is unavailable; retry shortly.".to_string()
            }
            other => other.to_string(),
        };
        let field = match self {
            ApiError::Invalid { field, .. } => field.as_deref(),
            _ => None,
        };
        let body = ErrorBody {
            error: ErrorDetail { code: self.code(), message, field, request_id: current_request_id() },
        };
        let mut response = HttpResponse::build(status).json(body);
        if matches!(self, ApiError::DatabaseUnavailable(_)) {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from_static("5"));
        }
        if matches!(self, ApiError::Unauthorized) {
            response
                .headers_mut()
                .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        response
    }
}

/// Routes actix's own JSON, query and path extractor errors through
/// [`ApiError`], so a malformed body names the field like any other error.
pub fn json_config() -> actix_web::web::JsonConfig {
    actix_web::web::JsonConfig::default()
        .limit(1024 * 1024)
        .error_handler(|error, _request| {
            let message = match &error {
                actix_web::error::JsonPayloadError::Deserialize(inner) => {
                    format!("invalid JSON body: {inner}")
                }
                actix_web::error::JsonPayloadError::ContentType => {
                    "expected Content-Type: application/json".to_string()
                }
                other => format!("invalid JSON body: {other}"),
            };
            ApiError::Invalid { field: Some("body".into()), message }.into()
        })
}

/// Query-string extractor errors, in the shared shape.
pub fn query_config() -> actix_web::web::QueryConfig {
    actix_web::web::QueryConfig::default().error_handler(|error, _request| {
        ApiError::Invalid { field: Some("query".into()), message: format!("invalid query string: {error}") }
            .into()
    })
}

/// Path extractor errors, in the shared shape.
pub fn path_config() -> actix_web::web::PathConfig {
    actix_web::web::PathConfig::default().error_handler(|error, _request| {
        ApiError::Invalid { field: Some("path".into()), message: format!("invalid path: {error}") }
            .into()
    })
}
