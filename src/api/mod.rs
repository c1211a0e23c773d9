//! HTTP routes: health checks, the admin API under `/api/v1/`, the OAuth
//! callback, the widget script and the widget WebSocket.

pub mod auth;
mod bookings;
mod dashboard;
mod health;
pub mod integrations;
mod oauth_callback;
pub mod push;
mod sites;
mod visitor_view;
pub mod visitors;
mod widget_assets;
mod workflows;

use actix_web::web;

/// Registers every route of the server.
pub fn configure(config: &mut web::ServiceConfig) {
    config
        .route("/healthz", web::get().to(health::liveness))
        .route("/readyz", web::get().to(health::readiness))
        .route("/ws", web::get().to(crate::widget_session::open_socket))
        .route("/oauth/hubspot/callback", web::get().to(oauth_callback::hubspot_oauth_callback))
        .service(
            web::resource("/api/v1/integrations/hubspot")
                .route(web::get().to(integrations::get_hubspot_integration))
                .route(web::delete().to(integrations::delete_hubspot_integration)),
        )
        .route(
            "/api/v1/integrations/hubspot/connect",
            web::post().to(integrations::connect_hubspot),
        );
    config
        .route("/api/v1/visitors/push", web::post().to(push::push_visitors))
        .route("/api/v1/visitors/{id}/push", web::post().to(push::push_visitor))
        .route("/api/v1/push-jobs/{id}", web::get().to(push::get_push_job))
        .route("/api/v1/visitors", web::post().to(visitors::create_visitor))
        .route("/api/v1/visitors", web::get().to(visitors::list_visitors))
        .route("/api/v1/visitors/{id}", web::get().to(visitors::get_visitor));
    config
        .route("/api/v1/bookings", web::get().to(bookings::list_bookings))
        .route("/api/v1/sites", web::get().to(sites::list_sites))
        .route("/api/v1/meeting-types", web::get().to(sites::list_meeting_types));
    config
        .configure(workflows::configure)
        .configure(dashboard::configure)
        .configure(widget_assets::configure);
}
