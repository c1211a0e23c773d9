//! HTTP routes: health checks, the admin API under `/api/v1/`, the OAuth
//! callback, the widget script and the widget WebSocket.

pub mod auth;
mod health;
mod widget_assets;

use actix_web::web;

/// Registers every route of the server.
pub fn configure(config: &mut web::ServiceConfig) {
    config
        .route("/healthz", web::get().to(health::liveness))
        .route("/readyz", web::get().to(health::readiness))
        .route("/widget.js", web::get().to(widget_assets::get_launcher))
        .route("/widget/panel.js", web::get().to(widget_assets::get_panel_script))
        .route("/widget/panel.css", web::get().to(widget_assets::get_panel_styles));
}
