//! One authenticated API call: token, rate-limit permit, request, error
//! classification, one refresh after `EXPIRED_AUTHENTICATION`, and retries.
//!
//! Logs carry the workspace, portal, operation name, status and HubSpot's
//! correlation id, never the URL (it can hold an email), a token or a body.

use std::time::{Duration, Instant};

use reqwest::Method;
use reqwest::header::{CONTENT_TYPE, HeaderMap, RETRY_AFTER};
use secrecy::ExposeSecret;
use serde::Serialize;
use serde::de::DeserializeOwned;

use super::HubSpot;
use super::classify::{ErrorBody, Failure, classify};
use super::error::HubSpotError;
use super::rate_limit::Budget;
use super::retry::retry_delay;
use super::tokens::AccessToken;

const CORRELATION_HEADER: &str = "x-hubspot-correlation-id";

/// A request to HubSpot's API, described once and sent one or more times.
#[derive(Debug, Clone)]
pub(crate) struct ApiCall {
    /// Short name for logs, for example `crm.batch_upsert`.
    operation: &'static str,
    method: Method,
    /// Path segments; each is percent-encoded on its own, so a `/` inside a
    /// slug becomes `%2F`.
    segments: Vec<String>,
    query: Vec<(&'static str, String)>,
    body: Option<Vec<u8>>,
    idempotent: bool,
    budget: Budget,
}

impl ApiCall {
    fn new(operation: &'static str, method: Method, segments: &[impl AsRef<str>]) -> Self {
        let idempotent = matches!(method, Method::GET | Method::PUT | Method::PATCH);
        Self {
            operation,
            method,
            segments: segments
                .iter()
                .map(|segment| segment.as_ref().to_string())
                .collect(),
            query: Vec::new(),
            body: None,
            idempotent,
            budget: Budget::Burst,
        }
    }

    pub(crate) fn get(operation: &'static str, segments: &[impl AsRef<str>]) -> Self {
        Self::new(operation, Method::GET, segments)
    }

    pub(crate) fn put(operation: &'static str, segments: &[impl AsRef<str>]) -> Self {
        Self::new(operation, Method::PUT, segments)
    }

    /// A `POST`, treated as not idempotent unless marked with
    /// [`ApiCall::idempotent`].
    pub(crate) fn post(
        operation: &'static str,
        segments: &[impl AsRef<str>],
        body: &impl Serialize,
    ) -> Self {
        Self::new(operation, Method::POST, segments).with_body(body)
    }

    pub(crate) fn patch(
        operation: &'static str,
        segments: &[impl AsRef<str>],
        body: &impl Serialize,
    ) -> Self {
        Self::new(operation, Method::PATCH, segments).with_body(body)
    }

    fn with_body(mut self, body: &impl Serialize) -> Self {
        self.body = Some(serde_json::to_vec(body).expect("request bodies serialize to JSON"));
        self
    }

    pub(crate) fn query(mut self, name: &'static str, value: impl Into<String>) -> Self {
        self.query.push((name, value.into()));
        self
    }

    /// Marks a `POST` that can be repeated safely (reads, searches,
    /// upserts by a unique key).
    pub(crate) fn idempotent(mut self) -> Self {
        self.idempotent = true;
        self
    }

    /// Spends the CRM search budget instead of the burst budget.
    pub(crate) fn search(mut self) -> Self {
        self.budget = Budget::Search;
        self
    }
}

impl HubSpot {
    /// Sends `call` for `workspace_id` and parses the JSON response.
    pub(crate) async fn call_json<T: DeserializeOwned>(
        &self,
        workspace_id: &str,
        call: &ApiCall,
    ) -> Result<T, HubSpotError> {
        let bytes = self.call(workspace_id, call).await?;
        serde_json::from_slice(&bytes).map_err(|error| {
            tracing::error!(workspace_id, operation = call.operation, %error, "HubSpot response did not parse");
            HubSpotError::Unexpected(format!("the response to {} did not parse: {error}", call.operation))
        })
    }

    /// Sends `call` for `workspace_id` and returns the raw success body.
    pub(crate) async fn call(
        &self,
        workspace_id: &str,
        call: &ApiCall,
    ) -> Result<Vec<u8>, HubSpotError> {
        let mut token = self.access_token(workspace_id).await?;
        let mut refreshed = false;
        let mut retry = 0;
        loop {
            self.inner
                .limiters
                .acquire(token.portal_id, call.budget, self.priority)
                .await;
            let failure = match self.attempt(workspace_id, call, &token).await {
                Ok(bytes) => return Ok(bytes),
                Err(failure) => failure,
            };
            match failure {
                Failure::ExpiredToken if !refreshed => {
                    refreshed = true;
                    token = self
                        .refresh_after_expired(workspace_id, token.version)
                        .await?;
                }
                Failure::ExpiredToken => {
                    return Err(HubSpotError::Unexpected(
                        "HubSpot reported a just-refreshed access token as expired".into(),
                    ));
                }
                Failure::InvalidToken => {
                    self.mark_rejected(
                        workspace_id,
                        token.version,
                        "HubSpot rejected the access token",
                    )
                    .await;
                    return Err(HubSpotError::ReconnectRequired);
                }
                other => {
                    retry += 1;
                    let Some(delay) = retry_delay(&other, retry, call.idempotent) else {
                        return Err(other.into_error());
                    };
                    tracing::warn!(
                        workspace_id,
                        portal_id = token.portal_id,
                        operation = call.operation,
                        retry,
                        delay_ms = delay.as_millis() as u64,
                        "retrying HubSpot call"
                    );
                    tokio::time::sleep(delay).await;
                }
            }
        }
    }

    async fn attempt(
        &self,
        workspace_id: &str,
        call: &ApiCall,
        token: &AccessToken,
    ) -> Result<Vec<u8>, Failure> {
        let started = Instant::now();
        let mut request = self
            .inner
            .http
            .request(call.method.clone(), self.api_url(&call.segments))
            .bearer_auth(token.secret.expose_secret());
        if !call.query.is_empty() {
            request = request.query(&call.query);
        }
        if let Some(body) = &call.body {
            request = request
                .header(CONTENT_TYPE, "application/json")
                .body(body.clone());
        }
        let response = request
            .send()
            .await
            .map_err(|error| transport_failure(&error))?;
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = response
            .bytes()
            .await
            .map_err(|error| transport_failure(&error))?;
        let duration_ms = started.elapsed().as_millis() as u64;
        if status.is_success() {
            tracing::debug!(
                workspace_id,
                operation = call.operation,
                status = status.as_u16(),
                duration_ms,
                "HubSpot call succeeded"
            );
            return Ok(bytes.to_vec());
        }
        let body = ErrorBody::parse(&bytes);
        let correlation_id =
            header_text(&headers, CORRELATION_HEADER).or(body.correlation_id.clone());
        tracing::warn!(
            workspace_id,
            portal_id = token.portal_id,
            operation = call.operation,
            status = status.as_u16(),
            category = body.category.as_deref().unwrap_or_default(),
            correlation_id = correlation_id.as_deref().unwrap_or_default(),
            duration_ms,
            "HubSpot call failed"
        );
        Err(classify(status, retry_after(&headers), &body))
    }

    /// Builds the API URL for `segments`, each percent-encoded.
    pub(crate) fn api_url(&self, segments: &[String]) -> url::Url {
        let mut url = self.inner.api_base_url.clone();
        url.path_segments_mut()
            .expect("hubspot_api_base_url is an http(s) URL, which has path segments")
            .pop_if_empty()
            .extend(segments);
        url
    }
}

/// Classifies an error of the HTTP layer. A connection that never opened
/// means the request was not sent; any other timeout may have landed.
pub(crate) fn transport_failure(error: &reqwest::Error) -> Failure {
    if error.is_connect() {
        if error.is_timeout() {
            return Failure::Timeout {
                request_sent: false,
            };
        }
        return Failure::NotSent;
    }
    if error.is_timeout() {
        return Failure::Timeout { request_sent: true };
    }
    Failure::ServerError { retry_after: None }
}

fn header_text(headers: &HeaderMap, name: &str) -> Option<String> {
    headers.get(name)?.to_str().ok().map(str::to_string)
}

/// `Retry-After` in seconds; HTTP dates are not used by HubSpot.
fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let seconds: u64 = headers
        .get(RETRY_AFTER)?
        .to_str()
        .ok()?
        .trim()
        .parse()
        .ok()?;
    Some(Duration::from_secs(seconds))
}
