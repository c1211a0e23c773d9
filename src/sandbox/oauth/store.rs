//! Issued authorization codes, access tokens and refresh tokens.

use std::collections::HashMap;

use crate::sandbox::ids;

/// An authorization code waiting to be exchanged.
#[derive(Debug, Clone)]
pub(crate) struct AuthCode {
    pub portal_id: u64,
    pub redirect_uri: String,
    pub scopes: Vec<String>,
    pub expires_at_ms: i64,
}

/// An issued access token.
#[derive(Debug, Clone)]
pub(crate) struct AccessToken {
    pub portal_id: u64,
    pub scopes: Vec<String>,
    pub expires_at_ms: i64,
    /// Set when the app was uninstalled; the token then fails as unknown.
    pub revoked: bool,
}

/// An issued refresh token.
#[derive(Debug, Clone)]
pub(crate) struct RefreshToken {
    pub portal_id: u64,
    pub scopes: Vec<String>,
    pub revoked: bool,
}

/// The result of looking up an access token.
pub(crate) enum TokenLookup {
    Valid {
        portal_id: u64,
        scopes: Vec<String>,
        expires_at_ms: i64,
    },
    Expired {
        expires_at_ms: i64,
    },
    Unknown,
}

/// Error code and description of a denied authorize redirect.
#[derive(Debug, Clone)]
pub(crate) struct Denial {
    pub error: String,
    pub description: String,
}

/// All OAuth credentials the sandbox has issued.
#[derive(Debug, Default)]
pub(crate) struct TokenStore {
    codes: HashMap<String, AuthCode>,
    access: HashMap<String, AccessToken>,
    refresh: HashMap<String, RefreshToken>,
    /// When set, the next authorize request redirects with this error.
    pub deny_next: Option<Denial>,
    /// Portal that `/oauth/authorize` (without a hub id) connects, as if the
    /// user picked it on HubSpot's account chooser; `None` is the first.
    pub chosen_portal: Option<u64>,
}

impl TokenStore {
    /// Stores a new single-use code and returns it.
    pub(crate) fn issue_code(
        &mut self,
        portal_id: u64,
        redirect_uri: &str,
        scopes: Vec<String>,
        ttl_secs: u64,
    ) -> String {
        let code = format!("sbx-code-{}", ids::random_token(32));
        let expires_at_ms = ids::now_ms() + (ttl_secs as i64) * 1000;
        self.codes.insert(
            code.clone(),
            AuthCode {
                portal_id,
                redirect_uri: redirect_uri.to_string(),
                scopes,
                expires_at_ms,
            },
        );
        code
    }

    /// Removes and returns a code, so it can be used only once.
    pub(crate) fn take_code(&mut self, code: &str) -> Option<AuthCode> {
        self.codes.remove(code)
    }

    /// Issues a refresh token of portal `portal_id` for `scopes`.
    pub(crate) fn issue_refresh_token(&mut self, portal_id: u64, scopes: Vec<String>) -> String {
        let token = uuid::Uuid::new_v4().to_string();
        self.refresh.insert(
            token.clone(),
            RefreshToken {
                portal_id,
                scopes,
                revoked: false,
            },
        );
        token
    }

    /// Issues an access token of portal `portal_id` for `scopes` that lives
    /// `ttl_secs`.
    pub(crate) fn issue_access_token(
        &mut self,
        portal_id: u64,
        scopes: Vec<String>,
        ttl_secs: u64,
    ) -> String {
        let token = format!("CK{}", ids::random_token(96));
        let expires_at_ms = ids::now_ms() + (ttl_secs as i64) * 1000;
        self.access.insert(
            token.clone(),
            AccessToken {
                portal_id,
                scopes,
                expires_at_ms,
                revoked: false,
            },
        );
        token
    }

    /// Returns a refresh token that is known and not revoked.
    pub(crate) fn live_refresh_token(&self, token: &str) -> Option<&RefreshToken> {
        self.refresh.get(token).filter(|refresh| !refresh.revoked)
    }

    /// Returns an access token that is known and not revoked, expired or not.
    pub(crate) fn access_token(&self, token: &str) -> Option<&AccessToken> {
        self.access.get(token).filter(|access| !access.revoked)
    }

    pub(crate) fn lookup_access_token(&self, token: &str, now_ms: i64) -> TokenLookup {
        match self.access_token(token) {
            None => TokenLookup::Unknown,
            Some(access) if access.expires_at_ms <= now_ms => TokenLookup::Expired {
                expires_at_ms: access.expires_at_ms,
            },
            Some(access) => TokenLookup::Valid {
                portal_id: access.portal_id,
                scopes: access.scopes.clone(),
                expires_at_ms: access.expires_at_ms,
            },
        }
    }

    /// Revokes one refresh token; returns false when it was not live.
    pub(crate) fn revoke_refresh_token(&mut self, token: &str) -> bool {
        match self.refresh.get_mut(token) {
            Some(refresh) if !refresh.revoked => {
                refresh.revoked = true;
                true
            }
            _ => false,
        }
    }

    /// Revokes one access token; returns false when it was not live.
    pub(crate) fn revoke_access_token(&mut self, token: &str) -> bool {
        match self.access.get_mut(token) {
            Some(access) if !access.revoked => {
                access.revoked = true;
                true
            }
            _ => false,
        }
    }

    /// Revokes every token of portal `portal_id`, as uninstalling the app
    /// from that portal does. Other portals' tokens keep working.
    pub(crate) fn revoke_portal(&mut self, portal_id: u64) {
        self.access
            .values_mut()
            .filter(|access| access.portal_id == portal_id)
            .for_each(|access| access.revoked = true);
        self.refresh
            .values_mut()
            .filter(|refresh| refresh.portal_id == portal_id)
            .for_each(|refresh| refresh.revoked = true);
    }

    /// Makes every issued access token expire now.
    pub(crate) fn expire_all_access_tokens(&mut self, now_ms: i64) -> usize {
        let mut count = 0;
        for access in self
            .access
            .values_mut()
            .filter(|access| access.expires_at_ms > now_ms)
        {
            access.expires_at_ms = now_ms;
            count += 1;
        }
        count
    }
}
