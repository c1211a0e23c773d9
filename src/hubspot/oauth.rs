//! HubSpot's OAuth endpoints: the authorize URL, the token endpoint (code
//! exchange and refresh), token introspection and revocation.
//!
//! The client uses the dated `2026-03` endpoints with every parameter in the
//! form body, because HubSpot retires the `v1` token endpoints on
//! 2027-02-16.

use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;

use super::HubSpot;
use super::classify::ErrorBody;
use super::error::HubSpotError;
use super::transport::transport_failure;

const TOKEN_PATH: [&str; 3] = ["oauth", "2026-03", "token"];
const INTROSPECT_PATH: [&str; 4] = ["oauth", "2026-03", "token", "introspect"];
const REVOKE_PATH: [&str; 4] = ["oauth", "2026-03", "token", "revoke"];

/// Tokens from the token endpoint.
pub(crate) struct TokenGrant {
    pub access_token: SecretString,
    pub refresh_token: SecretString,
    /// Lifetime of the access token, in seconds.
    pub expires_in: i64,
}

impl TokenGrant {
    /// Expiry of the access token in epoch milliseconds, given `now_ms`.
    pub(crate) fn expires_at_ms(&self, now_ms: i64) -> i64 {
        now_ms + self.expires_in.saturating_mul(1000)
    }
}

#[derive(Deserialize)]
struct TokenResponse {
    access_token: String,
    refresh_token: String,
    expires_in: i64,
}

/// Portal and scopes of an active access token, from introspection.
#[derive(Debug)]
pub(crate) struct TokenInfo {
    pub hub_id: i64,
    pub hub_domain: Option<String>,
    pub scopes: Vec<String>,
}

/// The introspection response. For an inactive token it has only `active: false`.
#[derive(Deserialize)]
struct IntrospectAnswer {
    #[serde(default)]
    active: Option<bool>,
    #[serde(default)]
    hub_id: Option<i64>,
    #[serde(default)]
    pub hub_domain: Option<String>,
    #[serde(default)]
    pub scopes: Vec<String>,
}

impl HubSpot {
    /// Builds the consent-page URL for `state`, requesting `scopes`.
    pub fn authorize_url(&self, state: &str, scopes: &[&str]) -> String {
        let mut url = self.inner.auth_base_url.clone();
        url.path_segments_mut()
            .expect("hubspot_auth_base_url is an http(s) URL, which has path segments")
            .pop_if_empty()
            .extend(["oauth", "authorize"]);
        let query = [
            ("client_id", self.inner.client_id.as_str()),
            ("redirect_uri", self.inner.redirect_url.as_str()),
            ("scope", &scopes.join(" ")),
            ("state", state),
        ]
        .iter()
        .map(|(name, value)| format!("{name}={}", encode_query_value(value)))
        .collect::<Vec<_>>()
        .join("&");
        url.set_query(Some(&query));
        url.to_string()
    }

    /// Returns whether a client id and secret are configured.
    pub fn is_configured(&self) -> bool {
        !self.inner.client_id.is_empty() && self.inner.client_secret.is_some()
    }

    /// Exchanges an authorization code for tokens.
    pub(crate) async fn exchange_code(&self, code: &str) -> Result<TokenGrant, HubSpotError> {
        let form = [
            ("grant_type", "authorization_code"),
            ("redirect_uri", self.inner.redirect_url.as_str()),
            ("code", code),
        ];
        let bytes = self
            .post_oauth_form("oauth.exchange_code", &TOKEN_PATH, &form)
            .await?;
        parse_grant(&bytes)
    }

    /// Trades a refresh token for new tokens. A revoked or unknown refresh
    /// token gives [`HubSpotError::ReconnectRequired`].
    pub(crate) async fn refresh_grant(
        &self,
        refresh_token: &SecretString,
    ) -> Result<TokenGrant, HubSpotError> {
        let form = [
            ("grant_type", "refresh_token"),
            ("refresh_token", refresh_token.expose_secret()),
        ];
        let bytes = self
            .post_oauth_form("oauth.refresh", &TOKEN_PATH, &form)
            .await?;
        parse_grant(&bytes)
    }

    /// Reads the portal id, hub domain and granted scopes of an access token.
    pub(crate) async fn introspect(
        &self,
        access_token: &SecretString,
    ) -> Result<TokenInfo, HubSpotError> {
        let form = [
            ("token", access_token.expose_secret()),
            ("token_type_hint", "access_token"),
        ];
        let bytes = self
            .post_oauth_form("oauth.introspect", &INTROSPECT_PATH, &form)
            .await?;
        let answer: IntrospectAnswer = serde_json::from_slice(&bytes).map_err(|_| {
            HubSpotError::Unexpected("the token introspection response did not parse".into())
        })?;
        match (answer.active, answer.hub_id) {
            (Some(false), _) => Err(HubSpotError::ReconnectRequired),
            (_, None) => Err(HubSpotError::Unexpected(
                "token introspection named no portal".into(),
            )),
            (_, Some(hub_id)) => Ok(TokenInfo {
                hub_id,
                hub_domain: answer.hub_domain,
                scopes: answer.scopes,
            }),
        }
    }

    /// Revokes a refresh token. HubSpot keeps the app installed and the
    /// issued access tokens valid until they expire.
    pub(crate) async fn revoke_refresh_token(
        &self,
        refresh_token: &SecretString,
    ) -> Result<(), HubSpotError> {
        let form = [
            ("token", refresh_token.expose_secret()),
            ("token_type_hint", "refresh_token"),
        ];
        self.post_oauth_form("oauth.revoke", &REVOKE_PATH, &form)
            .await
            .map(|_| ())
    }

    /// Posts `form` plus the client credentials to an OAuth endpoint.
    async fn post_oauth_form(
        &self,
        operation: &'static str,
        path: &[&str],
        form: &[(&str, &str)],
    ) -> Result<Vec<u8>, HubSpotError> {
        let secret = self.inner.client_secret.as_ref().ok_or_else(|| {
            HubSpotError::Unexpected(
                "hubspot_client_secret (SLOTCHAT_HUBSPOT_CLIENT_SECRET) is not set".into(),
            )
        })?;
        let mut fields: Vec<(&str, &str)> = vec![
            ("client_id", self.inner.client_id.as_str()),
            ("client_secret", secret.expose_secret()),
        ];
        fields.extend_from_slice(form);
        let segments: Vec<String> = path.iter().map(|segment| segment.to_string()).collect();
        let response = self
            .inner
            .http
            .post(self.api_url(&segments))
            .form(&fields)
            .send()
            .await
            .map_err(|error| transport_failure(&error).into_error())?;
        let status = response.status();
        let bytes = response
            .bytes()
            .await
            .map_err(|error| transport_failure(&error).into_error())?;
        if status.is_success() {
            return Ok(bytes.to_vec());
        }
        let body = ErrorBody::parse(&bytes);
        tracing::warn!(
            operation,
            status = status.as_u16(),
            code = body
                .status
                .as_deref()
                .or(body.error.as_deref())
                .unwrap_or_default(),
            correlation_id = body.correlation_id.as_deref().unwrap_or_default(),
            "HubSpot OAuth call failed"
        );
        Err(oauth_error(status, &body))
    }
}

fn oauth_error(status: reqwest::StatusCode, body: &ErrorBody) -> HubSpotError {
    if body.is_bad_grant() {
        return HubSpotError::ReconnectRequired;
    }
    match status.as_u16() {
        429 => HubSpotError::RateLimited {
            retry_after: None,
            policy: body.policy_name.clone(),
        },
        500..=599 => HubSpotError::Unavailable,
        other => HubSpotError::Unexpected(format!(
            "HubSpot OAuth endpoint returned status {other} ({})",
            body.status
                .as_deref()
                .or(body.error.as_deref())
                .unwrap_or("no code")
        )),
    }
}

fn parse_grant(bytes: &[u8]) -> Result<TokenGrant, HubSpotError> {
    // The parse error is not kept: it could quote part of a token.
    let response: TokenResponse = serde_json::from_slice(bytes).map_err(|_| {
        HubSpotError::Unexpected("the token endpoint's response did not parse".into())
    })?;
    Ok(TokenGrant {
        access_token: SecretString::from(response.access_token),
        refresh_token: SecretString::from(response.refresh_token),
        expires_in: response.expires_in,
    })
}

/// Percent-encodes a query value, with spaces as `%20` as HubSpot's
/// authorize page expects for `scope`.
fn encode_query_value(value: &str) -> String {
    url::form_urlencoded::byte_serialize(value.as_bytes())
        .collect::<String>()
        .replace('+', "%20")
}
