//! The one place where workflows hand a visitor to the push queue.

use crate::startup::AppState;

/// Enqueues a push of the visitor with reason `workflow` and returns the
/// push job id.
pub async fn enqueue_workflow_push(
    state: &AppState,
    workspace_id: &str,
    visitor_id: &str,
) -> anyhow::Result<String> {
    // TODO: switch to the push queue's own enqueue function once it exists;
    // until then this writes the outbox row directly.
    let id = state
        .db
        .insert_workflow_push_job(workspace_id, visitor_id, state.clock.now_ms())
        .await?;
    Ok(id)
}
