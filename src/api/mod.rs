//! HTTP routes: health checks, the admin API under `/api/v1/`, the OAuth
//! callback, the widget script and the widget WebSocket.

pub mod auth;
mod dashboard;
mod health;
mod workflows;

use actix_web::web;

/// Registers every route of the server.
pub fn configure(config: &mut web::ServiceConfig) {
    config
        .route("/healthz", web::get().to(health::liveness))
        .route("/readyz", web::get().to(health::readiness))
        .configure(workflows::configure)
        .configure(dashboard::configure);
}
