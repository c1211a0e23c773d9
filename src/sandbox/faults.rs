//! Injected faults: delays and canned error responses, matched per endpoint.

use actix_web::http::StatusCode;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::errors::ApiError;
use super::ids;

/// Kind of fault.
#[derive(Debug, Clone, Copy, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub(crate) enum FaultKind {
    /// Delay the response by `delay_ms`.
    Timeout,
    /// Respond with `status` and a HubSpot error body.
    Status,
}

/// When a timeout fault delays: before the action (which then does not
/// happen and the response is a 504) or after it (the action happens and
/// the normal response comes late).
#[derive(Debug, Clone, Copy, Default, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub(crate) enum When {
    #[default]
    Before,
    After,
}

/// A fault as posted to `POST /_sandbox/faults`.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct FaultSpec {
    /// HTTP method to match; any method when absent.
    pub method: Option<String>,
    /// Path prefix to match, for example `/crm/v3/objects/contacts`.
    pub path: Option<String>,
    /// Route template to match exactly, for example
    /// `/crm/v3/objects/contacts/{contactId}`.
    pub route: Option<String>,
    pub kind: FaultKind,
    /// Delay of a timeout fault, in milliseconds.
    #[serde(default)]
    pub delay_ms: u64,
    #[serde(default)]
    pub when: When,
    /// Status of a status fault: 400, 401, 403, 404, 409, 423, 429, 477 or 5xx.
    pub status: Option<u16>,
    /// Body to send instead of the canned one (a correlation id is added).
    pub body: Option<serde_json::Map<String, Value>>,
    /// `policyName` of an injected 429 (default `TEN_SECONDLY_ROLLING`).
    pub policy_name: Option<String>,
    /// Id named in an injected 409 (default `1`).
    pub existing_id: Option<String>,
    /// How many matching requests the fault applies to; until cleared when
    /// absent.
    pub times: Option<u32>,
}

/// A stored fault with its remaining uses.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Fault {
    pub id: u64,
    #[serde(flatten)]
    pub spec: FaultSpec,
    pub hits: u32,
}

/// Action the gateway takes for a request that matched a fault.
#[derive(Debug)]
pub(crate) enum FaultAction {
    Respond(ApiError),
    DelayBefore(u64),
    DelayAfter(u64),
}

impl FaultSpec {
    /// Checks the spec before it is stored.
    pub(crate) fn validate(&self) -> Result<(), String> {
        if self.path.is_none() && self.route.is_none() {
            return Err(
                "a fault needs `path` (a path prefix) or `route` (a route template)".into(),
            );
        }
        if self.kind == FaultKind::Status {
            let status = self.status.ok_or("a status fault needs `status`")?;
            if StatusCode::from_u16(status).is_err() || status < 400 {
                return Err(format!(
                    "`status` {status} is not an error status (400 to 599)"
                ));
            }
        }
        if self.kind == FaultKind::Timeout && self.delay_ms == 0 {
            return Err("a timeout fault needs `delay_ms` greater than 0".into());
        }
        Ok(())
    }

    pub(crate) fn matches(&self, method: &str, path: &str, route: Option<&str>) -> bool {
        let method_matches = self
            .method
            .as_deref()
            .is_none_or(|wanted| wanted.eq_ignore_ascii_case(method));
        let path_matches = self
            .path
            .as_deref()
            .is_some_and(|prefix| path.starts_with(prefix));
        let route_matches = self
            .route
            .as_deref()
            .is_some_and(|template| Some(template) == route);
        method_matches && (path_matches || route_matches)
    }

    pub(crate) fn action(&self) -> FaultAction {
        match (self.kind, self.when) {
            (FaultKind::Timeout, When::Before) => FaultAction::DelayBefore(self.delay_ms),
            (FaultKind::Timeout, When::After) => FaultAction::DelayAfter(self.delay_ms),
            (FaultKind::Status, _) => FaultAction::Respond(self.error()),
        }
    }

    fn error(&self) -> ApiError {
        let status = StatusCode::from_u16(self.status.unwrap_or(500))
            .unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        if let Some(body) = &self.body {
            return ApiError::raw(status, body.clone());
        }
        canned_error(
            status,
            self.policy_name.as_deref(),
            self.existing_id.as_deref(),
        )
    }
}

/// HubSpot's body for an injected status.
fn canned_error(status: StatusCode, policy: Option<&str>, existing_id: Option<&str>) -> ApiError {
    match status.as_u16() {
        401 => {
            let now = ids::now_ms();
            ApiError::expired_authentication(now, now)
        }
        403 => ApiError::missing_scopes(&["crm.objects.contacts.write"]),
        404 => ApiError::not_found(),
        409 => ApiError::conflict(format!("Contact already exists. Existing ID: {}", existing_id.unwrap_or("1"))),
        423 => ApiError::new(status, "LOCKED", "Too much data was written to this portal in a short time. Wait 2 seconds before the next request."),
        429 => ApiError::rate_limited(policy.unwrap_or("TEN_SECONDLY_ROLLING"), "sandbox:injected"),
        477 => ApiError::new(status, "MIGRATION_IN_PROGRESS", "Migration in Progress").with_header("retry-after", "30".into()),
        400 => ApiError::validation("Invalid input (injected by the sandbox).")
            .with("errors", json!([{ "message": "Invalid input (injected by the sandbox).", "code": "INVALID_INPUT" }])),
        code if code >= 500 => ApiError::new(status, "", "internal error"),
        _ => ApiError::new(status, "", status.canonical_reason().unwrap_or("error")),
    }
}
