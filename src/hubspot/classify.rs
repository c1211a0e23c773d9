//! Reading HubSpot's error bodies into a [`Failure`], the client's internal
//! view of an unsuccessful response before retries are decided.

use std::time::Duration;

use reqwest::StatusCode;
use serde::Deserialize;
use serde_json::Value;

use super::error::{HubSpotError, PropertyError};

/// An unsuccessful response, classified.
#[derive(Debug, Clone)]
pub(crate) enum Failure {
    /// `401 EXPIRED_AUTHENTICATION`: refresh the token and retry once.
    ExpiredToken,
    /// `401` for any other reason: the token is unknown or revoked.
    InvalidToken,
    /// `429`; `policy` is HubSpot's `policyName`.
    RateLimited {
        policy: Option<String>,
        secondly: bool,
        retry_after: Option<Duration>,
    },
    /// `423`: the portal is locked for about 2 seconds.
    Locked,
    /// `5xx`, `477` or a connection error; `retry_after` from the header.
    ServerError {
        retry_after: Option<Duration>,
    },
    /// The request was not written at all (connection refused, DNS, ...).
    NotSent,
    Timeout {
        request_sent: bool,
    },
    /// An answer that retrying cannot change.
    Final(HubSpotError),
}

impl Failure {
    /// The error handed to the caller when no retry follows.
    pub(crate) fn into_error(self) -> HubSpotError {
        match self {
            Failure::ExpiredToken | Failure::InvalidToken => HubSpotError::ReconnectRequired,
            Failure::RateLimited {
                policy,
                retry_after,
                ..
            } => HubSpotError::RateLimited {
                retry_after,
                policy,
            },
            Failure::Locked | Failure::ServerError { .. } | Failure::NotSent => {
                HubSpotError::Unavailable
            }
            Failure::Timeout { request_sent } => HubSpotError::Timeout { request_sent },
            Failure::Final(error) => error,
        }
    }
}

/// HubSpot's error body. Every field may be missing, so all default.
#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub(crate) struct ErrorBody {
    pub message: String,
    pub correlation_id: Option<String>,
    pub category: Option<String>,
    pub sub_category: Option<Value>,
    pub errors: Vec<ErrorDetail>,
    pub policy_name: Option<String>,
    /// OAuth token endpoints: a code such as `BAD_REFRESH_TOKEN`.
    pub status: Option<String>,
    /// OAuth token endpoints (RFC 6749): for example `invalid_grant`.
    pub error: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub(crate) struct ErrorDetail {
    pub message: String,
    pub code: Option<String>,
    pub sub_category: Option<Value>,
    pub context: Option<Value>,
}

/// One entry of the JSON array HubSpot embeds in a validation `message`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct EmbeddedError {
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    error: Option<String>,
    #[serde(default)]
    message: String,
}

impl ErrorBody {
    /// Parses a body; a body that is not JSON gives an empty one.
    pub(crate) fn parse(bytes: &[u8]) -> Self {
        serde_json::from_slice(bytes).unwrap_or_default()
    }

    /// Whether a token endpoint rejected the refresh token or code for good.
    pub(crate) fn is_bad_grant(&self) -> bool {
        let status = self.status.as_deref().unwrap_or_default();
        matches!(
            status,
            "BAD_REFRESH_TOKEN" | "EXPIRED_AUTH_CODE" | "BAD_AUTH_CODE"
        ) || self.error.as_deref() == Some("invalid_grant")
    }
}

/// Classifies a non-2xx answer.
pub(crate) fn classify(
    status: StatusCode,
    retry_after: Option<Duration>,
    body: &ErrorBody,
) -> Failure {
    let category = body.category.as_deref().unwrap_or_default();
    match status.as_u16() {
        401 if category == "EXPIRED_AUTHENTICATION" => Failure::ExpiredToken,
        401 => Failure::InvalidToken,
        403 => Failure::Final(HubSpotError::MissingScopes {
            scopes: required_scopes(body),
        }),
        404 => Failure::Final(HubSpotError::NotFound),
        409 => Failure::Final(HubSpotError::Conflict {
            existing_id: existing_id(&body.message),
            message: body.message.clone(),
        }),
        400 | 422 => Failure::Final(validation_error(body)),
        423 => Failure::Locked,
        429 => Failure::RateLimited {
            policy: body.policy_name.clone(),
            secondly: body.policy_name.as_deref() == Some("SECONDLY")
                || body.message.contains("secondly limit"),
            retry_after,
        },
        477 | 500..=599 => Failure::ServerError { retry_after },
        other => Failure::Final(HubSpotError::Unexpected(format!(
            "HTTP status {other}, category {category:?}"
        ))),
    }
}

/// Reads `Existing ID: N` out of a 409 message.
pub(crate) fn existing_id(message: &str) -> Option<String> {
    let start = message.find("Existing ID:")? + "Existing ID:".len();
    let digits: String = message[start..]
        .trim_start()
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    (!digits.is_empty()).then_some(digits)
}

fn required_scopes(body: &ErrorBody) -> Vec<String> {
    let mut scopes = Vec::new();
    for detail in &body.errors {
        for key in ["requiredScopes", "requiredGranularScopes"] {
            if let Some(Value::Array(values)) = detail.context.as_ref().and_then(|c| c.get(key)) {
                scopes.extend(values.iter().filter_map(Value::as_str).map(str::to_string));
            }
        }
    }
    scopes.sort();
    scopes.dedup();
    scopes
}

fn validation_error(body: &ErrorBody) -> HubSpotError {
    let mut errors: Vec<PropertyError> = body.errors.iter().map(detail_to_property_error).collect();
    if errors.is_empty() {
        errors = embedded_errors(&body.message);
    }
    let sub_category = body
        .sub_category
        .as_ref()
        .and_then(sub_category_text)
        .or_else(|| {
            body.errors
                .iter()
                .find_map(|d| d.sub_category.as_ref().and_then(sub_category_text))
        });
    HubSpotError::Validation {
        errors,
        message: body.message.clone(),
        sub_category,
    }
}

fn detail_to_property_error(detail: &ErrorDetail) -> PropertyError {
    let property = detail
        .context
        .as_ref()
        .and_then(|context| match context.get("propertyName") {
            Some(Value::Array(names)) => names.first().and_then(Value::as_str).map(str::to_string),
            Some(Value::String(name)) => Some(name.clone()),
            _ => None,
        });
    PropertyError {
        property,
        code: detail
            .code
            .clone()
            .unwrap_or_else(|| "VALIDATION_ERROR".to_string()),
        message: detail.message.clone(),
    }
}

/// Parses the JSON array HubSpot embeds in a message such as
/// `Property values were not valid: [{"name": ..., "error": ...}]`.
fn embedded_errors(message: &str) -> Vec<PropertyError> {
    let (Some(start), Some(end)) = (message.find('['), message.rfind(']')) else {
        return Vec::new();
    };
    if end <= start {
        return Vec::new();
    }
    let Ok(entries) = serde_json::from_str::<Vec<EmbeddedError>>(&message[start..=end]) else {
        return Vec::new();
    };
    entries
        .into_iter()
        .map(|entry| PropertyError {
            property: entry.name,
            code: entry
                .error
                .unwrap_or_else(|| "VALIDATION_ERROR".to_string()),
            message: entry.message,
        })
        .collect()
}

/// `subCategory` is a string in most answers and an object in batch errors.
fn sub_category_text(value: &Value) -> Option<String> {
    match value {
        Value::String(text) => Some(text.clone()),
        Value::Null => None,
        other => Some(other.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn conflict_message_yields_existing_id() {
        assert_eq!(
            existing_id("Contact already exists. Existing ID: 90211"),
            Some("90211".into())
        );
        assert_eq!(existing_id("Contact already exists."), None);
    }

    #[test]
    fn validation_prefers_errors_array() {
        let body = ErrorBody::parse(
            br#"{"status":"error","message":"Property values were not valid: [{\"isValid\":false,\"message\":\"other\",\"error\":\"INVALID_OPTION\",\"name\":\"industry\"}]",
                "errors":[{"message":"12,5 was not a valid number.","code":"INVALID_INTEGER","context":{"propertyName":["numberofemployees"]}}],
                "category":"VALIDATION_ERROR"}"#,
        );
        let HubSpotError::Validation { errors, .. } = validation_error(&body) else {
            panic!("expected a validation error");
        };
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].property.as_deref(), Some("numberofemployees"));
        assert_eq!(errors[0].code, "INVALID_INTEGER");
    }

    #[test]
    fn validation_falls_back_to_message() {
        let body = ErrorBody::parse(
            br#"{"status":"error","message":"Property values were not valid: [{\"isValid\":false,\"message\":\"Technology was not one of the allowed options: [ACCOUNTING, AIRLINES_AVIATION]\",\"error\":\"INVALID_OPTION\",\"name\":\"industry\"}]","category":"VALIDATION_ERROR"}"#,
        );
        let HubSpotError::Validation { errors, .. } = validation_error(&body) else {
            panic!("expected a validation error");
        };
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].property.as_deref(), Some("industry"));
        assert_eq!(errors[0].code, "INVALID_OPTION");
    }

    #[test]
    fn missing_scopes_read_both_keys() {
        let body = ErrorBody::parse(
            br#"{"category":"MISSING_SCOPES","message":"x","errors":[{"message":"m","context":{"requiredScopes":["a"],"requiredGranularScopes":["b"]}}]}"#,
        );
        let failure = classify(StatusCode::FORBIDDEN, None, &body);
        let Failure::Final(HubSpotError::MissingScopes { scopes }) = failure else {
            panic!("expected missing scopes");
        };
        assert_eq!(scopes, vec!["a".to_string(), "b".to_string()]);
    }

    #[test]
    fn expired_token_is_told_apart() {
        let body =
            ErrorBody::parse(br#"{"category":"EXPIRED_AUTHENTICATION","message":"expired"}"#);
        assert!(matches!(
            classify(StatusCode::UNAUTHORIZED, None, &body),
            Failure::ExpiredToken
        ));
        let body = ErrorBody::parse(br#"{"category":"INVALID_AUTHENTICATION","message":"x"}"#);
        assert!(matches!(
            classify(StatusCode::UNAUTHORIZED, None, &body),
            Failure::InvalidToken
        ));
    }

    #[test]
    fn secondly_rate_limit_is_detected() {
        let body = ErrorBody::parse(
            br#"{"message":"You have reached your secondly limit.","errorType":"RATE_LIMIT","policyName":"SECONDLY"}"#,
        );
        let Failure::RateLimited {
            secondly, policy, ..
        } = classify(StatusCode::TOO_MANY_REQUESTS, None, &body)
        else {
            panic!("expected a rate limit");
        };
        assert!(secondly);
        assert_eq!(policy.as_deref(), Some("SECONDLY"));
    }
}
