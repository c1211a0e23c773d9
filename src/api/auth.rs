//! Admin authentication: `Authorization: Bearer ADMIN_TOKEN` resolves to one
//! workspace, and every admin handler is scoped to it.

use std::future::Future;
use std::pin::Pin;

use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{FromRequest, HttpRequest, web};

use crate::error::ApiError;
use crate::startup::AppState;
use crate::storage::workspaces::Workspace;

/// The workspace whose admin token authenticated the request.
#[derive(Debug, Clone)]
pub struct AdminWorkspace(pub Workspace);

impl FromRequest for AdminWorkspace {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, ApiError>>>>;

    fn from_request(request: &HttpRequest, _payload: &mut Payload) -> Self::Future {
        let state = request.app_data::<web::Data<AppState>>().cloned();
        let token = bearer_token(request);
        Box::pin(async move {
            let state = state.expect("AppState is registered in startup");
            let token = token.ok_or(ApiError::Unauthorized)?;
            let workspace = state
                .db
                .workspace_by_admin_token(&token)
                .await?
                .ok_or(ApiError::Unauthorized)?;
            tracing::Span::current().record("workspace_id", workspace.id.as_str());
            Ok(AdminWorkspace(workspace))
        })
    }
}

fn bearer_token(request: &HttpRequest) -> Option<String> {
    let value = request.headers().get(header::AUTHORIZATION)?.to_str().ok()?;
    let token = value.strip_prefix("Bearer ").or_else(|| value.strip_prefix("bearer "))?;
    let token = token.trim();
    (!token.is_empty()).then(|| token.to_string())
}
