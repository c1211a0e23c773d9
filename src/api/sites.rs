//! `GET /api/v1/sites` (with each site's embed snippet) and
//! `GET /api/v1/meeting-types` (the meeting types as visitors see them).

use actix_web::{HttpResponse, web};

use crate::api::auth::AdminWorkspace;
use crate::error::ApiError;
use crate::startup::AppState;

/// `GET /api/v1/sites`: the workspace's sites, their allowed origins and the
/// script tag to paste.
pub async fn list_sites(workspace: AdminWorkspace, state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let sites = state.db.sites_of_workspace(&workspace.0.id).await?;
    let public_url = &state.settings.public_url;
    let items: Vec<_> = sites
        .iter()
        .map(|site| {
            let snippet = format!(
                "<script src=\"{public_url}/widget.js\" data-site-key=\"{}\" async></script>",
                site.site_key
            );
            serde_json::json!({
                "id": site.id,
                "name": site.name,
                "site_key": site.site_key,
                "allowed_origins": site.allowed_origins,
                "embed_snippet": snippet,
                "created_at": site.created_at,
            })
        })
        .collect();
    Ok(HttpResponse::Ok().json(serde_json::json!({ "sites": items })))
}

/// `GET /api/v1/meeting-types`: every meeting link with its status, as the
/// widget lists them.
pub async fn list_meeting_types(
    workspace: AdminWorkspace,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    if !state.hubspot_connected(&workspace.0.id).await {
        return Err(ApiError::Unavailable {
            code: "hubspot_not_connected",
            message: "HubSpot is not connected; connect it in Integrations to list meeting types".into(),
        });
    }
    let items = state.catalogue.meeting_types(&workspace.0.id).await;
    Ok(HttpResponse::Ok().json(serde_json::json!({ "meeting_types": items })))
}
