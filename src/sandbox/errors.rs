//! HubSpot's error bodies.
//!
//! Most errors are `{"status": "error", "message", "correlationId",
//! "category"}` plus optional `subCategory`, `errors[]`, `context` and
//! `links`. The correlation id is generated when the response is built and
//! sent both in the body and in the `x-hubspot-correlation-id` header.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, ResponseError};
use serde_json::{Map, Value, json};

use super::ids;

/// Response header that carries the correlation id.
pub(crate) const CORRELATION_HEADER: &str = "x-hubspot-correlation-id";

/// An error returned in HubSpot's shape.
#[derive(Debug, Clone)]
pub(crate) struct ApiError {
    pub status: StatusCode,
    pub body: Map<String, Value>,
    /// False for OAuth token errors, whose body has no `correlationId`.
    correlation_in_body: bool,
    extra_headers: Vec<(&'static str, String)>,
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let message = self
            .body
            .get("message")
            .and_then(Value::as_str)
            .unwrap_or("");
        write!(formatter, "{} {}", self.status.as_u16(), message)
    }
}

impl ApiError {
    /// Builds an error with `category` and `message` in the general shape.
    pub(crate) fn new(status: StatusCode, category: &str, message: impl Into<String>) -> Self {
        let mut body = Map::new();
        body.insert("status".into(), json!("error"));
        body.insert("message".into(), json!(message.into()));
        if !category.is_empty() {
            body.insert("category".into(), json!(category));
        }
        Self {
            status,
            body,
            correlation_in_body: true,
            extra_headers: Vec::new(),
        }
    }

    /// Builds an error whose body is `body` as given (a correlation id is added).
    pub(crate) fn raw(status: StatusCode, body: Map<String, Value>) -> Self {
        Self {
            status,
            body,
            correlation_in_body: true,
            extra_headers: Vec::new(),
        }
    }

    /// Builds an OAuth token-endpoint error: `status` is a code such as
    /// `BAD_REFRESH_TOKEN`; `rfc_error` adds the RFC 6749 `error` and
    /// `error_description` fields that the current endpoints send.
    pub(crate) fn token(code: &str, message: &str, rfc_error: Option<&str>) -> Self {
        let mut body = Map::new();
        body.insert("status".into(), json!(code));
        body.insert("message".into(), json!(message));
        if let Some(error) = rfc_error {
            body.insert("error".into(), json!(error));
            body.insert("error_description".into(), json!(message));
        }
        Self {
            status: StatusCode::BAD_REQUEST,
            body,
            correlation_in_body: false,
            extra_headers: Vec::new(),
        }
    }

    /// Adds or replaces one body field.
    pub(crate) fn with(mut self, key: &str, value: Value) -> Self {
        self.body.insert(key.into(), value);
        self
    }

    /// Adds a response header.
    pub(crate) fn with_header(mut self, name: &'static str, value: String) -> Self {
        self.extra_headers.push((name, value));
        self
    }

    pub(crate) fn validation(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "VALIDATION_ERROR", message)
    }

    /// Builds the 404 of an unknown record id.
    pub(crate) fn not_found() -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            "OBJECT_NOT_FOUND",
            "resource not found",
        )
    }

    pub(crate) fn conflict(message: impl Into<String>) -> Self {
        Self::new(StatusCode::CONFLICT, "CONFLICT", message)
    }

    /// Builds the 401 for a missing, unknown or revoked token.
    pub(crate) fn invalid_authentication() -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            "INVALID_AUTHENTICATION",
            "Authentication credentials not found. This API supports OAuth 2.0 authentication and you can find more details at https://developers.hubspot.com/docs/methods/auth/oauth-overview",
        )
        .with_header("x-hubspot-auth-failure", "401 Unauthorized".into())
    }

    /// Builds the 401 for an access token past its expiry at `expired_at_ms`.
    pub(crate) fn expired_authentication(expired_at_ms: i64, now_ms: i64) -> Self {
        let seconds = ((now_ms - expired_at_ms).max(0)) / 1000;
        let message =
            format!("The OAuth token used to make this call expired {seconds} second(s) ago.");
        Self::new(StatusCode::UNAUTHORIZED, "EXPIRED_AUTHENTICATION", message).with(
            "context",
            json!({ "expire time": [ids::iso_ms(expired_at_ms)] }),
        )
    }

    /// Builds the 403 for a token that has none of `required_scopes`.
    pub(crate) fn missing_scopes(required_scopes: &[&str]) -> Self {
        Self::new(
            StatusCode::FORBIDDEN,
            "MISSING_SCOPES",
            "This app hasn't been granted all required scopes to make this call. Read more about required scopes here: https://developers.hubspot.com/scopes.",
        )
        .with(
            "errors",
            json!([{
                "message": "One or more of the following scopes are required.",
                "context": { "requiredScopes": required_scopes }
            }]),
        )
        .with("links", json!({ "scopes": "https://developers.hubspot.com/scopes" }))
    }

    /// Builds the 429 body; `policy` is `TEN_SECONDLY_ROLLING`, `SECONDLY` or `DAILY`.
    pub(crate) fn rate_limited(policy: &str, group: &str) -> Self {
        let message = match policy {
            "SECONDLY" => "You have reached your secondly limit.".to_string(),
            "DAILY" => "You have reached your daily limit.".to_string(),
            _ => "You have reached your ten_secondly_rolling limit.".to_string(),
        };
        let mut body = Map::new();
        body.insert("status".into(), json!("error"));
        body.insert("message".into(), json!(message));
        body.insert("errorType".into(), json!("RATE_LIMIT"));
        body.insert("policyName".into(), json!(policy));
        body.insert("groupName".into(), json!(group));
        body.insert(
            "requestId".into(),
            json!(uuid::Uuid::new_v4().simple().to_string()),
        );
        Self::raw(StatusCode::TOO_MANY_REQUESTS, body)
    }

    /// Builds a scheduler booking error with HubSpot's `subCategory`.
    pub(crate) fn booking(sub_category: &str, message: impl Into<String>) -> Self {
        Self::validation(message).with(
            "subCategory",
            json!(format!("MeetingsBookingSchedulingError.{sub_category}")),
        )
    }

    /// Builds the error for an invalid JSON request body.
    pub(crate) fn invalid_json(detail: impl std::fmt::Display) -> Self {
        Self::validation(format!("Invalid input JSON: {detail}"))
    }

    /// Returns the body as a JSON value, without a correlation id (used inside batch
    /// responses, where each error is a `StandardError`).
    pub(crate) fn as_standard_error(&self) -> Value {
        let mut body = self.body.clone();
        body.insert("status".into(), json!(self.status.as_u16().to_string()));
        body.entry("context").or_insert_with(|| json!({}));
        body.entry("errors").or_insert_with(|| json!([]));
        body.entry("links").or_insert_with(|| json!({}));
        Value::Object(body)
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        self.status
    }

    fn error_response(&self) -> HttpResponse {
        let correlation_id = ids::correlation_id();
        let mut body = self.body.clone();
        if self.correlation_in_body {
            body.insert("correlationId".into(), json!(correlation_id));
        }
        let mut response = HttpResponse::build(self.status);
        response.insert_header((CORRELATION_HEADER, correlation_id));
        for (name, value) in &self.extra_headers {
            response.insert_header((*name, value.clone()));
        }
        response
            .content_type("application/json;charset=utf-8")
            .json(Value::Object(body))
    }
}

/// One invalid property value, as listed in a `Property values were not
/// valid` error.
#[derive(Debug, Clone)]
pub(crate) struct PropertyProblem {
    pub name: String,
    pub code: &'static str,
    pub message: String,
    pub value: Option<String>,
}

/// The 400 for invalid property values: a message that embeds a JSON array,
/// plus the parsed `errors[]` that newer HubSpot responses carry.
pub(crate) fn property_errors(problems: &[PropertyProblem], portal_id: u64) -> ApiError {
    let embedded: Vec<Value> = problems
        .iter()
        .map(|problem| {
            let mut item = json!({
                "isValid": false,
                "message": problem.message,
                "error": problem.code,
                "name": problem.name,
                "localizedErrorMessage": problem.message,
            });
            if let Some(value) = &problem.value {
                item["propertyValue"] = json!(value);
                item["portalId"] = json!(portal_id);
            }
            item
        })
        .collect();
    let errors: Vec<Value> = problems
        .iter()
        .map(|problem| {
            json!({
                "message": problem.message,
                "code": problem.code,
                "context": { "propertyName": [problem.name] }
            })
        })
        .collect();
    let embedded_text =
        serde_json::to_string(&embedded).expect("a JSON array of plain values serializes");
    ApiError::validation(format!("Property values were not valid: {embedded_text}"))
        .with("errors", Value::Array(errors))
}

/// Parses a JSON request body. Handlers call it after the scope check,
/// because HubSpot returns 403 for a missing scope before it reads the body.
pub(crate) fn parse_json<T: serde::de::DeserializeOwned>(body: &[u8]) -> Result<T, ApiError> {
    serde_json::from_slice(body).map_err(|error| {
        ApiError::validation(format!(
            "Invalid input JSON on line {}, column {}: {error}",
            error.line(),
            error.column()
        ))
    })
}
