//! The one error type of the HubSpot client. Each variant says what the
//! caller must do next, so callers never inspect HTTP statuses themselves.

use std::time::Duration;

/// A HubSpot call that did not succeed.
#[derive(Debug, Clone, thiserror::Error)]
pub enum HubSpotError {
    /// The workspace is not connected, its tokens were revoked or HubSpot
    /// rejected them: the site owner must connect HubSpot again.
    #[error("HubSpot is not connected or its authorization was revoked; reconnect HubSpot")]
    ReconnectRequired,
    /// The connection lacks scopes this call needs: reconnect to grant them.
    #[error("the HubSpot connection lacks the scopes {scopes:?}; reconnect HubSpot to grant them")]
    MissingScopes { scopes: Vec<String> },
    /// HubSpot's rate limit was reached and the retries ran out: wait
    /// `retry_after` (when known) before the next call.
    #[error("HubSpot rate limit reached (policy {policy:?}); retry later")]
    RateLimited {
        retry_after: Option<Duration>,
        policy: Option<String>,
    },
    /// The record already exists; `existing_id` is the id HubSpot named.
    #[error("HubSpot reported a conflict: {message}")]
    Conflict {
        existing_id: Option<String>,
        message: String,
    },
    /// HubSpot rejected the input. `errors` lists each rejected property
    /// when HubSpot named them; `sub_category` carries codes such as
    /// `MeetingsBookingSchedulingError.MEETING_START_TIME_NOT_VALID`.
    #[error("HubSpot rejected the input: {message}")]
    Validation {
        errors: Vec<PropertyError>,
        message: String,
        sub_category: Option<String>,
    },
    /// The record, link or slug does not exist.
    #[error("HubSpot returned not found")]
    NotFound,
    /// No response within the configured timeout. When `request_sent` is true
    /// the request may have been carried out: re-read before repeating a
    /// write.
    #[error("HubSpot did not answer in time (request sent: {request_sent})")]
    Timeout { request_sent: bool },
    /// HubSpot is down, locked (423), migrating (477) or unreachable:
    /// retry later.
    #[error("HubSpot is unavailable; retry later")]
    Unavailable,
    /// Anything else, described without secrets.
    #[error("unexpected HubSpot answer: {0}")]
    Unexpected(String),
}

/// One property HubSpot rejected.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct PropertyError {
    /// Internal property name, when HubSpot named one.
    pub property: Option<String>,
    /// HubSpot's code, for example `INVALID_OPTION`, `INVALID_INTEGER` or
    /// `PROPERTY_DOESNT_EXIST`.
    pub code: String,
    pub message: String,
}

impl HubSpotError {
    /// Whether retrying the same call later can succeed without the site
    /// owner doing anything.
    pub fn is_transient(&self) -> bool {
        matches!(
            self,
            HubSpotError::RateLimited { .. }
                | HubSpotError::Timeout { .. }
                | HubSpotError::Unavailable
        )
    }
}
