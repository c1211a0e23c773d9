//! Evaluation of a workspace's active workflows for one visitor, called
//! right after a visitor event is stored.

use crate::push_queue::{NewPush, PushReason, enqueue_push_in};
use crate::startup::AppState;
use crate::storage::workflows::{
    NewWorkflowRun, Workflow, WorkflowRun, insert_workflow_run, set_workflow_run_push_job,
};

use super::rules::{Action, VisitorFacts, rules_match};

/// Maximum length of a trigger name, in bytes.
pub const MAX_TRIGGER_LEN: usize = 64;

/// Failure of evaluating the workflows for a visitor.
#[derive(Debug, thiserror::Error)]
pub enum EvaluateError {
    /// The visitor does not exist in the workspace.
    #[error("visitor {visitor_id} not found in workspace {workspace_id}")]
    VisitorNotFound { workspace_id: String, visitor_id: String },
    /// The trigger name is empty or longer than [`MAX_TRIGGER_LEN`].
    #[error("invalid workflow trigger name (1 to {MAX_TRIGGER_LEN} bytes expected)")]
    InvalidTrigger,
    /// Reading or writing workflows, runs or pushes failed. A run whose
    /// push was not written is rolled back too, so the next event for the
    /// same visitor data tries again.
    #[error("database error while evaluating workflows")]
    Database(#[from] sqlx::Error),
}

/// Evaluates every active workflow of `workspace_id` for `visitor_id` and
/// enqueues one push per workflow that matches the visitor's current data
/// version for the first time. `trigger` names the event, such as
/// `visitor_created`, `visitor_updated`, `quality_score_changed`,
/// `page_view`, `identify` or `booking`.
///
/// Returns the runs created by this call. A workflow that already ran for
/// this data version creates none, so callers may call this after every
/// event. Callers should log an error and carry on, because the event
/// itself is already stored.
pub async fn evaluate_visitor(
    state: &AppState,
    workspace_id: &str,
    visitor_id: &str,
    trigger: &str,
) -> Result<Vec<WorkflowRun>, EvaluateError> {
    if trigger.is_empty() || trigger.len() > MAX_TRIGGER_LEN {
        return Err(EvaluateError::InvalidTrigger);
    }
    let workflows = state.db.active_workflows(workspace_id).await?;
    if workflows.is_empty() {
        return Ok(Vec::new());
    }
    let facts = state
        .db
        .visitor_facts(workspace_id, visitor_id)
        .await?
        .ok_or_else(|| EvaluateError::VisitorNotFound {
            workspace_id: workspace_id.to_string(),
            visitor_id: visitor_id.to_string(),
        })?;

    if !facts.pushable {
        // An anonymous widget visitor: a push would fail with nothing to
        // store, so it waits until the visitor is identified, which bumps
        // its data version.
        tracing::debug!(workspace_id, visitor_id, trigger, "workflows skip a visitor without email, name or company");
        return Ok(Vec::new());
    }

    let mut runs = Vec::new();
    for workflow in workflows.iter().filter(|workflow| rules_match(workflow.match_mode, &workflow.conditions, &facts)) {
        if let Some(run) = run_workflow(state, workflow, visitor_id, &facts, trigger).await? {
            runs.push(run);
        }
    }
    Ok(runs)
}

/// Records a run of a matching workflow and enqueues its push in one
/// transaction, unless the workflow already ran for this visitor data
/// version. Either both rows are written or neither is.
async fn run_workflow(
    state: &AppState,
    workflow: &Workflow,
    visitor_id: &str,
    facts: &VisitorFacts,
    trigger: &str,
) -> Result<Option<WorkflowRun>, EvaluateError> {
    let now_ms = state.clock.now_ms();
    let new_run = NewWorkflowRun {
        workspace_id: &workflow.workspace_id,
        workflow_id: &workflow.id,
        visitor_id,
        data_version: facts.data_version,
        trigger,
        now_ms,
    };
    let mut transaction = state.db.pool().begin().await?;
    let Some(mut run) = insert_workflow_run(&mut transaction, &new_run).await? else {
        tracing::debug!(
            workflow_id = %workflow.id,
            visitor_id,
            data_version = facts.data_version,
            "workflow already ran for this visitor data version"
        );
        return Ok(None);
    };

    let push = match workflow.action {
        Action::PushToHubspot => NewPush {
            workspace_id: workflow.workspace_id.clone(),
            visitor_id: visitor_id.to_string(),
            reason: PushReason::Workflow,
            booking_id: None,
            bulk_job_id: None,
        },
    };
    let push_job_id = enqueue_push_in(&mut transaction, push, now_ms).await?;
    set_workflow_run_push_job(&mut transaction, &run.id, &push_job_id).await?;
    transaction.commit().await?;
    state.push_queue.wake();

    tracing::info!(
        workspace_id = %workflow.workspace_id,
        workflow_id = %workflow.id,
        visitor_id,
        run_id = %run.id,
        push_job_id = %push_job_id,
        data_version = facts.data_version,
        trigger,
        "workflow {} matched visitor {visitor_id} and queued push {push_job_id}",
        workflow.id
    );
    run.workflow_name = Some(workflow.name.clone());
    run.push_job_id = Some(push_job_id);
    Ok(Some(run))
}
