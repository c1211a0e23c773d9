//! The site owner's dashboard: static HTML, CSS and JavaScript compiled into
//! the binary and served under `/dashboard`.
//!
//! The pages hold no secret. The admin token is typed in by the user, kept in
//! the tab's `sessionStorage` and sent to the admin API as a bearer token.

use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpResponse, web};

use crate::error::ApiError;

/// One file of the dashboard.
struct Asset {
    name: &'static str,
    content_type: &'static str,
    body: &'static str,
}

const HTML: &str = "text/html; charset=utf-8";
const JAVASCRIPT: &str = "text/javascript; charset=utf-8";
const CSS: &str = "text/css; charset=utf-8";

const ASSETS: &[Asset] = &[
    Asset { name: "index.html", content_type: HTML, body: include_str!("../../dashboard/index.html") },
    Asset { name: "style.css", content_type: CSS, body: include_str!("../../dashboard/style.css") },
    Asset { name: "main.js", content_type: JAVASCRIPT, body: include_str!("../../dashboard/main.js") },
    Asset { name: "api.js", content_type: JAVASCRIPT, body: include_str!("../../dashboard/api.js") },
    Asset { name: "ui.js", content_type: JAVASCRIPT, body: include_str!("../../dashboard/ui.js") },
    Asset { name: "advice.js", content_type: JAVASCRIPT, body: include_str!("../../dashboard/advice.js") },
    Asset { name: "integrations.js", content_type: JAVASCRIPT, body: include_str!("../../dashboard/integrations.js") },
    Asset { name: "visitors.js", content_type: JAVASCRIPT, body: include_str!("../../dashboard/visitors.js") },
    Asset { name: "bookings.js", content_type: JAVASCRIPT, body: include_str!("../../dashboard/bookings.js") },
    Asset { name: "workflows.js", content_type: JAVASCRIPT, body: include_str!("../../dashboard/workflows.js") },
];

/// Content Security Policy of the dashboard: its own scripts, styles and API
/// only, and no framing, so an injected value cannot load or send anything.
const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; script-src 'self'; style-src 'self'; \
     connect-src 'self'; img-src 'self' data:; form-action 'self'; base-uri 'none'; \
     frame-ancestors 'none'";

/// Registers `/dashboard`, `/dashboard/` and `/dashboard/{file}`.
pub fn configure(config: &mut web::ServiceConfig) {
    config
        .route("/dashboard", web::get().to(get_dashboard_index))
        .route("/dashboard/", web::get().to(get_dashboard_index))
        .route("/dashboard/{file}", web::get().to(get_dashboard_asset));
}

async fn get_dashboard_index() -> HttpResponse {
    asset_response(&ASSETS[0])
}

async fn get_dashboard_asset(file: web::Path<String>) -> Result<HttpResponse, ApiError> {
    let asset = ASSETS
        .iter()
        .find(|asset| asset.name == file.as_str())
        .ok_or(ApiError::NotFound("dashboard file"))?;
    Ok(asset_response(asset))
}

fn asset_response(asset: &Asset) -> HttpResponse {
    let mut response = HttpResponse::Ok();
    response
        .insert_header((header::CONTENT_TYPE, HeaderValue::from_static(asset.content_type)))
        // Revalidated on every load so an upgrade never mixes old and new files.
        .insert_header((header::CACHE_CONTROL, HeaderValue::from_static("no-cache")))
        .insert_header((header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff")))
        .insert_header((header::REFERRER_POLICY, HeaderValue::from_static("no-referrer")));
    if asset.content_type == HTML {
        response
            .insert_header((header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(CONTENT_SECURITY_POLICY)))
            .insert_header((header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY")));
    }
    response.body(asset.body)
}
