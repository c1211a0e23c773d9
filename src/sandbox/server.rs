//! The actix-web server and its routes.

use std::net::TcpListener;

use actix_web::dev::Server;
use actix_web::middleware::from_fn;
use actix_web::{App, HttpResponse, HttpServer, web};

use super::errors::ApiError;
use super::state::SharedSandbox;
use super::{associations, control, crm, gateway, oauth, scheduler};

/// Largest JSON body accepted, in bytes.
const JSON_LIMIT_BYTES: usize = 4 * 1024 * 1024;

/// Builds the server on `listener`; the caller spawns it.
pub(crate) fn run(sandbox: SharedSandbox, listener: TcpListener) -> anyhow::Result<Server> {
    let data = web::Data::new(sandbox);
    let server = HttpServer::new(move || {
        App::new()
            .app_data(data.clone())
            .app_data(json_config())
            .app_data(web::PayloadConfig::new(JSON_LIMIT_BYTES))
            .app_data(query_config())
            .app_data(path_config())
            .wrap(from_fn(gateway::gateway))
            .configure(control::configure)
            .configure(oauth::configure)
            .configure(scheduler::configure)
            .configure(crm::configure)
            .configure(associations::configure)
            .default_service(web::to(unknown_path))
    })
    .workers(2)
    .disable_signals()
    .listen(listener)?
    .run();
    Ok(server)
}

fn json_config() -> web::JsonConfig {
    web::JsonConfig::default()
        .limit(JSON_LIMIT_BYTES)
        .error_handler(|error, _request| ApiError::invalid_json(error).into())
}

fn query_config() -> web::QueryConfig {
    web::QueryConfig::default().error_handler(|error, _request| {
        ApiError::validation(format!("Invalid query parameter: {error}")).into()
    })
}

fn path_config() -> web::PathConfig {
    web::PathConfig::default().error_handler(|error, _request| {
        ApiError::validation(format!("Invalid path parameter: {error}")).into()
    })
}

async fn unknown_path() -> Result<HttpResponse, ApiError> {
    Err(ApiError::new(
        actix_web::http::StatusCode::NOT_FOUND,
        "",
        "Not Found: no such endpoint in the HubSpot sandbox",
    ))
}
