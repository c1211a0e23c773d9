//! Workflows, their runs, and the visitor facts that workflow rules read.

use sqlx::Row;
use sqlx::AnyConnection;
use sqlx::any::AnyRow;

use super::push_jobs::job_status;
use super::{Db, to_json_text};
use crate::workflows::input::{NewWorkflow, WorkflowChanges};
use crate::workflows::rules::{Action, Condition, MatchMode, VisitorFacts};

/// Most distinct page URLs read per visitor when rules are evaluated; the
/// most recently viewed ones are kept.
pub const MAX_PAGE_URLS_PER_VISITOR: i64 = 5_000;

/// A stored workflow.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Workflow {
    pub id: String,
    pub workspace_id: String,
    pub name: String,
    pub active: bool,
    pub match_mode: MatchMode,
    pub conditions: Vec<Condition>,
    pub action: Action,
    pub created_at: i64,
    pub updated_at: i64,
}

/// One evaluation of a workflow that matched a visitor at one data version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorkflowRun {
    pub id: String,
    pub workspace_id: String,
    pub workflow_id: String,
    /// Name of the workflow when the run was read, if it still exists.
    pub workflow_name: Option<String>,
    pub visitor_id: String,
    pub data_version: i64,
    /// The event that caused the evaluation, such as `page_view`.
    pub trigger: String,
    /// `queued` when the run enqueued its push, then the push's outcome once
    /// the push queue has one: `pushed`, `failed` or `waiting` (HubSpot must
    /// be reconnected first).
    pub outcome: String,
    pub push_job_id: Option<String>,
    /// Status of the push job, read from the push queue.
    pub push_status: Option<String>,
    /// Last error of the push job, if it failed.
    pub push_error: Option<String>,
    pub created_at: i64,
}

/// The fields of a run to insert.
#[derive(Debug, Clone)]
pub struct NewWorkflowRun<'a> {
    pub workspace_id: &'a str,
    pub workflow_id: &'a str,
    pub visitor_id: &'a str,
    pub data_version: i64,
    pub trigger: &'a str,
    pub now_ms: i64,
}

const WORKFLOW_COLUMNS: &str =
    "id, workspace_id, name, active, match_mode, conditions, action, created_at, updated_at";

const RUN_SELECT: &str = "SELECT r.id, r.workspace_id, r.workflow_id, w.name AS workflow_name, \
     r.visitor_id, r.data_version, r.trigger_event, r.outcome, r.push_job_id, \
     p.status AS push_status, p.last_error AS push_error, r.created_at \
     FROM workflow_runs r \
     LEFT JOIN workflows w ON w.id = r.workflow_id \
     LEFT JOIN push_jobs p ON p.id = r.push_job_id";

impl Db {
    /// Inserts a workflow for a workspace.
    pub async fn insert_workflow(
        &self,
        workspace_id: &str,
        new: &NewWorkflow,
        now_ms: i64,
    ) -> Result<Workflow, sqlx::Error> {
        let workflow = Workflow {
            id: uuid::Uuid::new_v4().to_string(),
            workspace_id: workspace_id.to_string(),
            name: new.name.clone(),
            active: new.active,
            match_mode: new.match_mode,
            conditions: new.conditions.clone(),
            action: new.action,
            created_at: now_ms,
            updated_at: now_ms,
        };
        sqlx::query(&format!(
            "INSERT INTO workflows ({WORKFLOW_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)"
        ))
        .bind(&workflow.id)
        .bind(&workflow.workspace_id)
        .bind(&workflow.name)
        .bind(i64::from(workflow.active))
        .bind(workflow.match_mode.as_str())
        .bind(to_json_text(&workflow.conditions))
        .bind(workflow.action.as_str())
        .bind(now_ms)
        .bind(now_ms)
        .execute(self.pool())
        .await?;
        Ok(workflow)
    }

    /// Counts the workflows of a workspace.
    pub async fn count_workflows(&self, workspace_id: &str) -> Result<i64, sqlx::Error> {
        let row = sqlx::query("SELECT COUNT(*) AS total FROM workflows WHERE workspace_id = $1")
            .bind(workspace_id)
            .fetch_one(self.pool())
            .await?;
        row.try_get("total")
    }

    /// Lists the workflows of a workspace, oldest first.
    pub async fn workflows_of_workspace(&self, workspace_id: &str) -> Result<Vec<Workflow>, sqlx::Error> {
        let rows = sqlx::query(&format!(
            "SELECT {WORKFLOW_COLUMNS} FROM workflows WHERE workspace_id = $1 ORDER BY created_at, id"
        ))
        .bind(workspace_id)
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(workflow_from_row).collect()
    }

    /// Lists the active workflows of a workspace, oldest first.
    pub async fn active_workflows(&self, workspace_id: &str) -> Result<Vec<Workflow>, sqlx::Error> {
        let rows = sqlx::query(&format!(
            "SELECT {WORKFLOW_COLUMNS} FROM workflows \
             WHERE workspace_id = $1 AND active = 1 ORDER BY created_at, id"
        ))
        .bind(workspace_id)
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(workflow_from_row).collect()
    }

    /// Finds a workflow of a workspace by id.
    pub async fn workflow(&self, workspace_id: &str, id: &str) -> Result<Option<Workflow>, sqlx::Error> {
        let row = sqlx::query(&format!(
            "SELECT {WORKFLOW_COLUMNS} FROM workflows WHERE workspace_id = $1 AND id = $2"
        ))
        .bind(workspace_id)
        .bind(id)
        .fetch_optional(self.pool())
        .await?;
        row.as_ref().map(workflow_from_row).transpose()
    }

    /// Applies the fields present in `changes` in one statement, so two
    /// concurrent updates of different fields both take effect. Returns the
    /// updated workflow, or `None` when it does not exist in the workspace.
    pub async fn update_workflow(
        &self,
        workspace_id: &str,
        id: &str,
        changes: &WorkflowChanges,
        now_ms: i64,
    ) -> Result<Option<Workflow>, sqlx::Error> {
        let result = sqlx::query(
            "UPDATE workflows SET name = COALESCE($3, name), active = COALESCE($4, active), \
             match_mode = COALESCE($5, match_mode), conditions = COALESCE($6, conditions), \
             action = COALESCE($7, action), updated_at = $8 \
             WHERE workspace_id = $1 AND id = $2",
        )
        .bind(workspace_id)
        .bind(id)
        .bind(changes.name.clone())
        .bind(changes.active.map(i64::from))
        .bind(changes.match_mode.map(|mode| mode.as_str().to_string()))
        .bind(changes.conditions.as_ref().map(to_json_text))
        .bind(changes.action.map(|action| action.as_str().to_string()))
        .bind(now_ms)
        .execute(self.pool())
        .await?;
        if result.rows_affected() == 0 {
            return Ok(None);
        }
        self.workflow(workspace_id, id).await
    }

    /// Reads what workflow rules look at for one visitor of a workspace.
    pub async fn visitor_facts(
        &self,
        workspace_id: &str,
        visitor_id: &str,
    ) -> Result<Option<VisitorFacts>, sqlx::Error> {
        let Some(row) = sqlx::query(
            "SELECT email, first_name, last_name, company, quality_score, data_version FROM visitors \
             WHERE workspace_id = $1 AND id = $2",
        )
        .bind(workspace_id)
        .bind(visitor_id)
        .fetch_optional(self.pool())
        .await?
        else {
            return Ok(None);
        };

        let pages = sqlx::query(
            "SELECT url, MAX(viewed_at) AS last_viewed_at FROM page_views \
             WHERE workspace_id = $1 AND visitor_id = $2 \
             GROUP BY url ORDER BY last_viewed_at DESC LIMIT $3",
        )
        .bind(workspace_id)
        .bind(visitor_id)
        .bind(MAX_PAGE_URLS_PER_VISITOR)
        .fetch_all(self.pool())
        .await?;

        let has_text = |column: &str| -> Result<bool, sqlx::Error> {
            let value: Option<String> = row.try_get(column)?;
            Ok(value.is_some_and(|text| !text.trim().is_empty()))
        };
        let company: String = row.try_get("company")?;
        let has_company = serde_json::from_str::<serde_json::Map<String, serde_json::Value>>(&company)
            .is_ok_and(|fields| !fields.is_empty());
        let pushable = has_text("email")? || has_text("first_name")? || has_text("last_name")? || has_company;
        Ok(Some(VisitorFacts {
            pushable,
            email: row.try_get("email")?,
            quality_score: row.try_get("quality_score")?,
            page_urls: pages.iter().map(|page| page.try_get("url")).collect::<Result<_, _>>()?,
            data_version: row.try_get("data_version")?,
        }))
    }

    /// Lists runs of a workspace, newest first, optionally of one workflow.
    pub async fn workflow_runs(
        &self,
        workspace_id: &str,
        workflow_id: Option<&str>,
        limit: i64,
        offset: i64,
    ) -> Result<Vec<WorkflowRun>, sqlx::Error> {
        let order = "ORDER BY r.created_at DESC, r.id DESC";
        let rows = match workflow_id {
            Some(workflow_id) => {
                sqlx::query(&format!(
                    "{RUN_SELECT} WHERE r.workspace_id = $1 AND r.workflow_id = $2 {order} \
                     LIMIT $3 OFFSET $4"
                ))
                .bind(workspace_id)
                .bind(workflow_id)
                .bind(limit)
                .bind(offset)
                .fetch_all(self.pool())
                .await?
            }
            None => {
                sqlx::query(&format!("{RUN_SELECT} WHERE r.workspace_id = $1 {order} LIMIT $2 OFFSET $3"))
                    .bind(workspace_id)
                    .bind(limit)
                    .bind(offset)
                    .fetch_all(self.pool())
                    .await?
            }
        };
        rows.iter().map(run_from_row).collect()
    }
}

fn workflow_from_row(row: &AnyRow) -> Result<Workflow, sqlx::Error> {
    let match_mode: String = row.try_get("match_mode")?;
    let conditions: String = row.try_get("conditions")?;
    let action: String = row.try_get("action")?;
    let active: i64 = row.try_get("active")?;
    Ok(Workflow {
        id: row.try_get("id")?,
        workspace_id: row.try_get("workspace_id")?,
        name: row.try_get("name")?,
        active: active != 0,
        match_mode: MatchMode::parse(&match_mode)
            .ok_or_else(|| decode_error(format!("unknown match_mode {match_mode:?}")))?,
        conditions: serde_json::from_str(&conditions)
            .map_err(|error| sqlx::Error::Decode(Box::new(error)))?,
        action: Action::parse(&action)
            .ok_or_else(|| decode_error(format!("unknown workflow action {action:?}")))?,
        created_at: row.try_get("created_at")?,
        updated_at: row.try_get("updated_at")?,
    })
}

fn run_from_row(row: &AnyRow) -> Result<WorkflowRun, sqlx::Error> {
    let push_status: Option<String> = row.try_get("push_status")?;
    Ok(WorkflowRun {
        id: row.try_get("id")?,
        workspace_id: row.try_get("workspace_id")?,
        workflow_id: row.try_get("workflow_id")?,
        workflow_name: row.try_get("workflow_name")?,
        visitor_id: row.try_get("visitor_id")?,
        data_version: row.try_get("data_version")?,
        trigger: row.try_get("trigger_event")?,
        outcome: run_outcome(row.try_get("outcome")?, push_status.as_deref()),
        push_job_id: row.try_get("push_job_id")?,
        push_status,
        push_error: row.try_get("push_error")?,
        created_at: row.try_get("created_at")?,
    })
}

/// Combines the stored run outcome with the status of its push job.
fn run_outcome(stored: String, push_status: Option<&str>) -> String {
    match push_status {
        Some(job_status::DONE) => "pushed".to_string(),
        Some(job_status::FAILED) => "failed".to_string(),
        Some(job_status::WAITING) => "waiting".to_string(),
        _ => stored,
    }
}

fn decode_error(message: String) -> sqlx::Error {
    sqlx::Error::Decode(message.into())
}


/// Inserts a `queued` run inside the caller's transaction unless one exists
/// for the same workflow, visitor and data version. Returns the run only
/// when it was inserted; the caller then enqueues the push in the same
/// transaction and records it with [`set_workflow_run_push_job`].
pub async fn insert_workflow_run(
    connection: &mut AnyConnection,
    new: &NewWorkflowRun<'_>,
) -> Result<Option<WorkflowRun>, sqlx::Error> {
    let id = uuid::Uuid::new_v4().to_string();
    let result = sqlx::query(
        "INSERT INTO workflow_runs (id, workspace_id, workflow_id, visitor_id, data_version, \
         trigger_event, push_job_id, outcome, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, NULL, 'queued', $7) \
         ON CONFLICT (workflow_id, visitor_id, data_version) DO NOTHING",
    )
    .bind(&id)
    .bind(new.workspace_id)
    .bind(new.workflow_id)
    .bind(new.visitor_id)
    .bind(new.data_version)
    .bind(new.trigger)
    .bind(new.now_ms)
    .execute(&mut *connection)
    .await?;

    if result.rows_affected() == 0 {
        return Ok(None);
    }
    Ok(Some(WorkflowRun {
        id,
        workspace_id: new.workspace_id.to_string(),
        workflow_id: new.workflow_id.to_string(),
        workflow_name: None,
        visitor_id: new.visitor_id.to_string(),
        data_version: new.data_version,
        trigger: new.trigger.to_string(),
        outcome: "queued".to_string(),
        push_job_id: None,
        push_status: None,
        push_error: None,
        created_at: new.now_ms,
    }))
}

/// Records the push job a run enqueued, inside the caller's transaction.
pub async fn set_workflow_run_push_job(
    connection: &mut AnyConnection,
    run_id: &str,
    push_job_id: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE workflow_runs SET push_job_id = $2 WHERE id = $1")
        .bind(run_id)
        .bind(push_job_id)
        .execute(&mut *connection)
        .await
        .map(|_| ())
}
