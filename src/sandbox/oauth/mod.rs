//! OAuth 2.0 for the one registered public app: the authorize stand-in, the
//! token endpoints (v1, v3 and 2026-03), token metadata, introspection,
//! revocation and app uninstall.

mod authorize;
mod metadata;
mod store;
mod token;

use actix_web::web;

pub(crate) use store::{Denial, TokenLookup, TokenStore};

/// Scopes the sandbox grants. An authorize request naming any other scope in
/// `scope` is rejected with `invalid_scope`.
pub(crate) const KNOWN_SCOPES: &[&str] = &[
    "oauth",
    "crm.objects.contacts.read",
    "crm.objects.contacts.write",
    "crm.objects.companies.read",
    "crm.objects.companies.write",
    "crm.schemas.contacts.read",
    "crm.schemas.companies.read",
    "scheduler.meetings.meeting-link.read",
    "meetings-write",
    "timeline",
];

/// Registers the OAuth routes.
pub(crate) fn configure(config: &mut web::ServiceConfig) {
    config
        .route("/oauth/authorize", web::get().to(authorize::authorize))
        .route(
            "/oauth/{hubId}/authorize",
            web::get().to(authorize::authorize_for_hub),
        )
        .route("/oauth/v1/token", web::post().to(token::exchange_v1))
        .route("/oauth/v3/token", web::post().to(token::exchange_current))
        .route(
            "/oauth/2026-03/token",
            web::post().to(token::exchange_current),
        )
        .route(
            "/oauth/v1/access-tokens/{token}",
            web::get().to(metadata::get_access_token),
        )
        .route(
            "/oauth/v1/refresh-tokens/{token}",
            web::get().to(metadata::get_refresh_token),
        )
        .route(
            "/oauth/v1/refresh-tokens/{token}",
            web::delete().to(metadata::delete_refresh_token),
        )
        .route(
            "/oauth/v3/token/introspect",
            web::post().to(metadata::introspect),
        )
        .route(
            "/oauth/2026-03/token/introspect",
            web::post().to(metadata::introspect),
        )
        .route("/oauth/v3/token/revoke", web::post().to(metadata::revoke))
        .route(
            "/oauth/2026-03/token/revoke",
            web::post().to(metadata::revoke),
        )
        .route(
            "/appinstalls/v3/external-install",
            web::delete().to(metadata::uninstall),
        )
        .route(
            "/appinstalls/2026-03/external-install",
            web::delete().to(metadata::uninstall),
        );
}
