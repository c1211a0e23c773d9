//! `/api/v1/workflows` and `/api/v1/workflow-runs`: workflow CRUD and runs.

use actix_web::http::header;
use actix_web::{HttpResponse, web};
use serde::{Deserialize, Serialize};

use crate::api::auth::AdminWorkspace;
use crate::error::ApiError;
use crate::startup::AppState;
use crate::workflows::input::{InvalidField, parse_new_workflow, parse_workflow_changes};
use crate::workflows::rules::{Action, Condition, MatchMode};
use crate::workflows::{Workflow, WorkflowRun};

/// Maximum number of workflows in one workspace, because each active one is
/// evaluated on every visitor event.
pub const MAX_WORKFLOWS_PER_WORKSPACE: i64 = 100;
/// Default and maximum page sizes of run lists.
const DEFAULT_RUNS_LIMIT: i64 = 50;
const MAX_RUNS_LIMIT: i64 = 200;

/// Registers the workflow routes. Full paths rather than a `/api/v1` scope,
/// because actix stops at the first matching scope and other areas register
/// routes under the same prefix.
pub fn configure(config: &mut web::ServiceConfig) {
    config
        .route("/api/v1/workflows", web::get().to(list_workflows))
        .route("/api/v1/workflows", web::post().to(create_workflow))
        .route("/api/v1/workflows/{id}", web::get().to(get_workflow))
        .route("/api/v1/workflows/{id}", web::patch().to(update_workflow))
        .route("/api/v1/workflows/{id}/runs", web::get().to(list_workflow_runs))
        .route("/api/v1/workflow-runs", web::get().to(list_workspace_runs));
}

/// A workflow as the API returns it.
#[derive(Debug, Serialize)]
struct WorkflowBody {
    id: String,
    name: String,
    active: bool,
    #[serde(rename = "match")]
    match_mode: MatchMode,
    conditions: Vec<Condition>,
    action: Action,
    created_at: String,
    updated_at: String,
}

/// A workflow run as the API returns it.
#[derive(Debug, Serialize)]
struct RunBody {
    id: String,
    workflow_id: String,
    workflow_name: Option<String>,
    visitor_id: String,
    data_version: i64,
    trigger: String,
    outcome: String,
    push_job_id: Option<String>,
    push_status: Option<String>,
    push_error: Option<String>,
    created_at: String,
}

/// Paging of run lists.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RunsQuery {
    limit: Option<i64>,
    offset: Option<i64>,
}

impl From<Workflow> for WorkflowBody {
    fn from(workflow: Workflow) -> Self {
        Self {
            id: workflow.id,
            name: workflow.name,
            active: workflow.active,
            match_mode: workflow.match_mode,
            conditions: workflow.conditions,
            action: workflow.action,
            created_at: rfc3339(workflow.created_at),
            updated_at: rfc3339(workflow.updated_at),
        }
    }
}

impl From<WorkflowRun> for RunBody {
    fn from(run: WorkflowRun) -> Self {
        Self {
            id: run.id,
            workflow_id: run.workflow_id,
            workflow_name: run.workflow_name,
            visitor_id: run.visitor_id,
            data_version: run.data_version,
            trigger: run.trigger,
            outcome: run.outcome,
            push_job_id: run.push_job_id,
            push_status: run.push_status,
            push_error: run.push_error,
            created_at: rfc3339(run.created_at),
        }
    }
}

/// Formats epoch milliseconds as RFC 3339 in UTC with a `Z` suffix.
fn rfc3339(epoch_ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(epoch_ms)
        .unwrap_or_default()
        .to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

impl From<InvalidField> for ApiError {
    fn from(error: InvalidField) -> Self {
        ApiError::invalid(error.field, error.message)
    }
}

/// `GET /api/v1/workflows`: the workspace's workflows, oldest first.
async fn list_workflows(
    state: web::Data<AppState>,
    AdminWorkspace(workspace): AdminWorkspace,
) -> Result<HttpResponse, ApiError> {
    let workflows = state.db.workflows_of_workspace(&workspace.id).await?;
    let workflows: Vec<WorkflowBody> = workflows.into_iter().map(WorkflowBody::from).collect();
    Ok(HttpResponse::Ok().json(serde_json::json!({ "workflows": workflows })))
}

/// `POST /api/v1/workflows`: creates a workflow.
async fn create_workflow(
    state: web::Data<AppState>,
    AdminWorkspace(workspace): AdminWorkspace,
    body: web::Json<serde_json::Value>,
) -> Result<HttpResponse, ApiError> {
    let new = parse_new_workflow(&body)?;
    if state.db.count_workflows(&workspace.id).await? >= MAX_WORKFLOWS_PER_WORKSPACE {
        return Err(ApiError::Conflict {
            code: "workflow_limit_reached",
            message: format!(
                "a workspace can have at most {MAX_WORKFLOWS_PER_WORKSPACE} workflows; \
                 deactivate and reuse one instead"
            ),
        });
    }
    let workflow = state.db.insert_workflow(&workspace.id, &new, state.clock.now_ms()).await?;
    tracing::info!(workspace_id = %workspace.id, workflow_id = %workflow.id, active = workflow.active, "workflow created");
    Ok(HttpResponse::Created()
        .insert_header((header::LOCATION, format!("/api/v1/workflows/{}", workflow.id)))
        .json(WorkflowBody::from(workflow)))
}

/// `GET /api/v1/workflows/{id}`.
async fn get_workflow(
    state: web::Data<AppState>,
    AdminWorkspace(workspace): AdminWorkspace,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let workflow = state
        .db
        .workflow(&workspace.id, &id)
        .await?
        .ok_or(ApiError::NotFound("workflow"))?;
    Ok(HttpResponse::Ok().json(WorkflowBody::from(workflow)))
}

/// `PATCH /api/v1/workflows/{id}`: changes the fields sent and keeps the rest.
async fn update_workflow(
    state: web::Data<AppState>,
    AdminWorkspace(workspace): AdminWorkspace,
    id: web::Path<String>,
    body: web::Json<serde_json::Value>,
) -> Result<HttpResponse, ApiError> {
    let changes = parse_workflow_changes(&body)?;
    let workflow = state
        .db
        .update_workflow(&workspace.id, &id, &changes, state.clock.now_ms())
        .await?
        .ok_or(ApiError::NotFound("workflow"))?;
    tracing::info!(workspace_id = %workspace.id, workflow_id = %workflow.id, active = workflow.active, "workflow updated");
    Ok(HttpResponse::Ok().json(WorkflowBody::from(workflow)))
}

/// `GET /api/v1/workflows/{id}/runs`: runs of one workflow, newest first.
async fn list_workflow_runs(
    state: web::Data<AppState>,
    AdminWorkspace(workspace): AdminWorkspace,
    id: web::Path<String>,
    query: web::Query<RunsQuery>,
) -> Result<HttpResponse, ApiError> {
    let (limit, offset) = paging(&query)?;
    state
        .db
        .workflow(&workspace.id, &id)
        .await?
        .ok_or(ApiError::NotFound("workflow"))?;
    let runs = state.db.workflow_runs(&workspace.id, Some(&id), limit, offset).await?;
    Ok(runs_response(runs))
}

/// `GET /api/v1/workflow-runs`: runs of every workflow of the workspace.
async fn list_workspace_runs(
    state: web::Data<AppState>,
    AdminWorkspace(workspace): AdminWorkspace,
    query: web::Query<RunsQuery>,
) -> Result<HttpResponse, ApiError> {
    let (limit, offset) = paging(&query)?;
    let runs = state.db.workflow_runs(&workspace.id, None, limit, offset).await?;
    Ok(runs_response(runs))
}

fn paging(query: &RunsQuery) -> Result<(i64, i64), ApiError> {
    let limit = query.limit.unwrap_or(DEFAULT_RUNS_LIMIT);
    if !(1..=MAX_RUNS_LIMIT).contains(&limit) {
        return Err(ApiError::invalid("limit", format!("limit must be from 1 to {MAX_RUNS_LIMIT}")));
    }
    let offset = query.offset.unwrap_or(0);
    if offset < 0 {
        return Err(ApiError::invalid("offset", "offset must be 0 or more"));
    }
    Ok((limit, offset))
}

fn runs_response(runs: Vec<WorkflowRun>) -> HttpResponse {
    let runs: Vec<RunBody> = runs.into_iter().map(RunBody::from).collect();
    HttpResponse::Ok().json(serde_json::json!({ "runs": runs }))
}
