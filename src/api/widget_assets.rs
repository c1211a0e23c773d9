//! The widget's static files, compiled into the binary with `include_str!`
//! so a release binary serves them without a `widget/` folder beside it.
//!
//! Each response carries a strong `ETag` (SHA-256 of the body) and a short
//! `Cache-Control`, so a site picks up a new release within minutes while a
//! repeat load with a matching `If-None-Match` gets `304 Not Modified`.
//! Script tags and stylesheets load cross-origin without CORS, so no CORS
//! headers are sent.

use std::sync::LazyLock;

use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpRequest, HttpResponse, web};
use sha2::{Digest, Sha256};

/// Lifetime browsers and CDNs may reuse a widget file without asking again.
const CACHE_CONTROL: &str = "public, max-age=300";

/// One embedded file with its content type and entity tag.
struct Asset {
    body: &'static str,
    content_type: &'static str,
    etag: String,
}

impl Asset {
    fn new(body: &'static str, content_type: &'static str) -> Self {
        let digest = Sha256::digest(body.as_bytes());
        let etag = format!("\"{}\"", hex::encode(&digest[..16]));
        Self { body, content_type, etag }
    }
}

const JAVASCRIPT: &str = "text/javascript; charset=utf-8";
const CSS: &str = "text/css; charset=utf-8";

/// The launcher a site embeds with its script tag.
static LAUNCHER: LazyLock<Asset> =
    LazyLock::new(|| Asset::new(include_str!("../../widget/widget.js"), JAVASCRIPT));
/// The booking panel, loaded when a visitor opens the chat.
static PANEL_SCRIPT: LazyLock<Asset> =
    LazyLock::new(|| Asset::new(include_str!("../../widget/panel.js"), JAVASCRIPT));
/// The booking panel's styles.
static PANEL_STYLES: LazyLock<Asset> =
    LazyLock::new(|| Asset::new(include_str!("../../widget/panel.css"), CSS));

/// Registers `GET /widget.js`, `GET /widget/panel.js` and
/// `GET /widget/panel.css`.
pub fn configure(config: &mut web::ServiceConfig) {
    config
        .route("/widget.js", web::get().to(get_launcher))
        .route("/widget/panel.js", web::get().to(get_panel_script))
        .route("/widget/panel.css", web::get().to(get_panel_styles));
}

/// `GET /widget.js`: the launcher.
pub async fn get_launcher(request: HttpRequest) -> HttpResponse {
    respond(&request, &LAUNCHER)
}

/// `GET /widget/panel.js`: the booking panel's script.
pub async fn get_panel_script(request: HttpRequest) -> HttpResponse {
    respond(&request, &PANEL_SCRIPT)
}

/// `GET /widget/panel.css`: the booking panel's styles.
pub async fn get_panel_styles(request: HttpRequest) -> HttpResponse {
    respond(&request, &PANEL_STYLES)
}

fn respond(request: &HttpRequest, asset: &Asset) -> HttpResponse {
    let not_modified = matches_etag(request, &asset.etag);
    let mut builder = if not_modified { HttpResponse::NotModified() } else { HttpResponse::Ok() };
    builder
        .insert_header((header::CACHE_CONTROL, CACHE_CONTROL))
        .insert_header((header::ETAG, asset.etag.as_str()))
        .insert_header((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        // Lets pages that require CORP on every subresource (COEP) embed it.
        .insert_header(("cross-origin-resource-policy", "cross-origin"));
    if not_modified {
        return builder.finish();
    }
    builder.insert_header((header::CONTENT_TYPE, asset.content_type)).body(asset.body)
}

/// Whether `If-None-Match` lists `etag` (or `*`), using the weak comparison
/// that RFC 9110 requires for this header.
fn matches_etag(request: &HttpRequest, etag: &str) -> bool {
    let Some(value) = request.headers().get(header::IF_NONE_MATCH) else {
        return false;
    };
    let Ok(value) = HeaderValue::to_str(value) else {
        return false;
    };
    value
        .split(',')
        .map(str::trim)
        .any(|candidate| candidate == "*" || candidate.trim_start_matches("W/") == etag)
}
