//! Liveness and readiness probes.

use actix_web::{HttpResponse, web};

use crate::error::ApiError;
use crate::startup::AppState;

/// `GET /healthz`: the process is up.
pub async fn liveness() -> HttpResponse {
    HttpResponse::Ok().json(serde_json::json!({ "status": "ok" }))
}

/// `GET /readyz`: the database answers a query.
pub async fn readiness(state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    state.db.ping().await.map_err(ApiError::DatabaseUnavailable)?;
    Ok(HttpResponse::Ok().json(serde_json::json!({ "status": "ready" })))
}
