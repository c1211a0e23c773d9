//! Manual pushes: `POST /api/v1/visitors/{id}/push`,
//! `POST /api/v1/visitors/push` (bulk) and `GET /api/v1/push-jobs/{id}`.

use std::collections::HashSet;

use actix_web::{HttpResponse, web};
use serde::{Deserialize, Serialize};

use super::auth::AdminWorkspace;
use super::visitor_view::rfc3339;
use super::visitors::parse_body;
use crate::error::ApiError;
use crate::push_queue::{NewPush, PushReason};
use crate::startup::AppState;
use crate::storage::push_jobs::{BulkPushJob, NewPushJob, PushJob, job_status};

/// Maximum visitors in one bulk push.
pub const MAX_BULK_VISITORS: usize = 1_000;

/// `POST /api/v1/visitors/{id}/push`: records a push and returns it (202).
pub async fn push_visitor(
    state: web::Data<AppState>,
    AdminWorkspace(workspace): AdminWorkspace,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let visitor_id = path.into_inner();
    state
        .db
        .visitor(&workspace.id, &visitor_id)
        .await?
        .ok_or(ApiError::NotFound("visitor"))?;
    let push = NewPush {
        workspace_id: workspace.id.clone(),
        visitor_id: visitor_id.clone(),
        reason: PushReason::Manual,
        booking_id: None,
        bulk_job_id: None,
    };
    let job_id = state
        .push_queue
        .enqueue(&state.db, &state.clock, push)
        .await?;
    tracing::info!(workspace_id = %workspace.id, visitor_id = %visitor_id, push_job_id = %job_id, "push {job_id} queued");
    let job = state
        .db
        .push_job(&workspace.id, &job_id)
        .await?
        .ok_or(ApiError::NotFound("push job"))?;
    Ok(HttpResponse::Accepted().json(PushJobView::from(job)))
}

/// Body of `POST /api/v1/visitors/push`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BulkPushRequest {
    visitor_ids: Vec<String>,
}

/// `POST /api/v1/visitors/push`: records one push per visitor and returns
/// the bulk job's id at once (202).
pub async fn push_visitors(
    state: web::Data<AppState>,
    AdminWorkspace(workspace): AdminWorkspace,
    body: web::Json<serde_json::Value>,
) -> Result<HttpResponse, ApiError> {
    let request: BulkPushRequest = parse_body(body.into_inner())?;
    let mut seen = HashSet::new();
    let visitor_ids: Vec<String> = request
        .visitor_ids
        .into_iter()
        .filter(|id| seen.insert(id.clone()))
        .collect();
    if visitor_ids.is_empty() || visitor_ids.len() > MAX_BULK_VISITORS {
        return Err(ApiError::invalid(
            "visitor_ids",
            format!("must list 1 to {MAX_BULK_VISITORS} visitor ids; split larger pushes"),
        ));
    }
    let found: HashSet<String> = state
        .db
        .visitors_by_ids(&workspace.id, &visitor_ids)
        .await?
        .into_iter()
        .map(|visitor| visitor.id)
        .collect();
    if let Some(index) = visitor_ids.iter().position(|id| !found.contains(id)) {
        return Err(ApiError::invalid(
            format!("visitor_ids[{index}]"),
            "visitor not found in this workspace",
        ));
    }
    let jobs: Vec<NewPushJob> = visitor_ids
        .iter()
        .map(|visitor_id| NewPushJob {
            workspace_id: workspace.id.clone(),
            visitor_id: visitor_id.clone(),
            reason: PushReason::Bulk.as_str().to_string(),
            priority: PushReason::Bulk.priority(),
            booking_id: None,
            bulk_job_id: None,
        })
        .collect();
    let bulk_id = state
        .db
        .create_bulk_push(&workspace.id, &jobs, state.clock.now_ms())
        .await?;
    state.push_queue.wake();
    tracing::info!(workspace_id = %workspace.id, bulk_job_id = %bulk_id, total = jobs.len(), "bulk push {bulk_id} queued");
    Ok(HttpResponse::Accepted().json(serde_json::json!({
        "id": bulk_id,
        "kind": "bulk",
        "total": jobs.len(),
        "status_url": format!("/api/v1/push-jobs/{bulk_id}"),
    })))
}

/// `GET /api/v1/push-jobs/{id}`: a bulk push with its progress and
/// per-visitor outcome, or a single push.
pub async fn get_push_job(
    state: web::Data<AppState>,
    AdminWorkspace(workspace): AdminWorkspace,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    if let Some(bulk) = state.db.bulk_push_job(&workspace.id, &id).await? {
        return Ok(HttpResponse::Ok().json(BulkPushView::from(bulk)));
    }
    let job = state
        .db
        .push_job(&workspace.id, &id)
        .await?
        .ok_or(ApiError::NotFound("push job"))?;
    Ok(HttpResponse::Ok().json(PushJobView::from(job)))
}

/// One push as returned by the API.
#[derive(Debug, Serialize)]
pub struct PushJobView {
    pub id: String,
    pub kind: &'static str,
    pub visitor_id: String,
    pub reason: String,
    /// `pending`, `done`, `failed` or `waiting`.
    pub status: String,
    pub attempts: i64,
    pub next_attempt_at: Option<String>,
    pub last_error: Option<String>,
    pub hubspot_contact_id: Option<String>,
    pub hubspot_company_id: Option<String>,
    pub skipped_fields: serde_json::Value,
    pub created_at: String,
    pub updated_at: String,
}

impl From<PushJob> for PushJobView {
    fn from(job: PushJob) -> Self {
        let result = job.result.unwrap_or(serde_json::Value::Null);
        let text = |name: &str| {
            result
                .get(name)
                .and_then(|value| value.as_str())
                .map(str::to_string)
        };
        Self {
            id: job.id,
            kind: "single",
            visitor_id: job.visitor_id,
            reason: job.reason,
            next_attempt_at: (job.status == job_status::PENDING)
                .then(|| rfc3339(job.next_attempt_at)),
            status: job.status,
            attempts: job.attempts,
            last_error: job.last_error,
            hubspot_contact_id: text("contact_id"),
            hubspot_company_id: text("company_id"),
            skipped_fields: result
                .get("skipped_fields")
                .cloned()
                .unwrap_or_else(|| serde_json::json!([])),
            created_at: rfc3339(job.created_at),
            updated_at: rfc3339(job.updated_at),
        }
    }
}

/// A bulk push as returned by the API.
#[derive(Debug, Serialize)]
pub struct BulkPushView {
    pub id: String,
    pub kind: &'static str,
    pub total: i64,
    pub pending: usize,
    pub done: usize,
    pub failed: usize,
    pub waiting: usize,
    /// True when no push of the bulk job is pending any more.
    pub finished: bool,
    pub created_at: String,
    pub items: Vec<PushJobView>,
}

impl From<BulkPushJob> for BulkPushView {
    fn from(bulk: BulkPushJob) -> Self {
        let count = |status: &str| bulk.items.iter().filter(|job| job.status == status).count();
        let pending = count(job_status::PENDING);
        Self {
            id: bulk.id.clone(),
            kind: "bulk",
            total: bulk.total,
            pending,
            done: count(job_status::DONE),
            failed: count(job_status::FAILED),
            waiting: count(job_status::WAITING),
            finished: pending == 0,
            created_at: rfc3339(bulk.created_at),
            items: bulk.items.into_iter().map(PushJobView::from).collect(),
        }
    }
}
