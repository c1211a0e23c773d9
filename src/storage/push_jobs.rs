//! The push outbox (`push_jobs`) and bulk push jobs. A row is written
//! before HubSpot is called; workers claim rows with a conditional UPDATE
//! and a lease, which works the same on SQLite and PostgreSQL and across
//! instances sharing one database.

use sqlx::Row;
use sqlx::any::AnyRow;

use super::visitors::push_state::mark_queued;
use super::{Db, to_json_text};

/// Statuses stored in `push_jobs.status`.
pub mod job_status {
    /// Waiting for a worker, at or after `next_attempt_at`.
    pub const PENDING: &str = "pending";
    /// Reached HubSpot.
    pub const DONE: &str = "done";
    /// Gave up; `last_error` says why.
    pub const FAILED: &str = "failed";
    /// A person must reconnect HubSpot; resumes after reconnecting.
    pub const WAITING: &str = "waiting";
}

/// A push to record.
#[derive(Debug, Clone)]
pub struct NewPushJob {
    pub workspace_id: String,
    pub visitor_id: String,
    /// `booking`, `manual`, `bulk` or `workflow`.
    pub reason: String,
    /// Lower runs first.
    pub priority: i64,
    pub booking_id: Option<String>,
    pub bulk_job_id: Option<String>,
}

/// A stored push.
#[derive(Debug, Clone, PartialEq)]
pub struct PushJob {
    pub id: String,
    pub workspace_id: String,
    pub visitor_id: String,
    pub bulk_job_id: Option<String>,
    pub booking_id: Option<String>,
    pub reason: String,
    pub priority: i64,
    pub status: String,
    pub attempts: i64,
    pub next_attempt_at: i64,
    pub last_error: Option<String>,
    /// JSON written by the push: HubSpot ids, created flags, note id.
    pub result: Option<serde_json::Value>,
    pub created_at: i64,
    pub updated_at: i64,
}

/// A bulk push and the pushes it is made of.
#[derive(Debug, Clone)]
pub struct BulkPushJob {
    pub id: String,
    pub total: i64,
    pub created_at: i64,
    pub items: Vec<PushJob>,
}

/// How a claimed push ends this round.
#[derive(Debug, Clone)]
pub struct PushJobUpdate {
    /// One of [`job_status`].
    pub status: &'static str,
    pub attempts: i64,
    pub next_attempt_at: i64,
    pub last_error: Option<String>,
    /// The new `result`; `None` keeps the stored one.
    pub result: Option<serde_json::Value>,
}

const JOB_COLUMNS: &str = "id, workspace_id, visitor_id, bulk_job_id, booking_id, reason, priority, \
     status, attempts, next_attempt_at, last_error, result, created_at, updated_at";

/// Inserts a push and marks its visitor queued, inside the caller's
/// transaction, so the push is recorded together with the change that
/// caused it. Returns the push id.
pub async fn insert_push_job(
    connection: &mut sqlx::AnyConnection,
    job: &NewPushJob,
    now_ms: i64,
) -> Result<String, sqlx::Error> {
    let id = uuid::Uuid::new_v4().to_string();
    sqlx::query(
        "INSERT INTO push_jobs (id, workspace_id, visitor_id, bulk_job_id, booking_id, reason, priority, \
         status, attempts, next_attempt_at, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 0, $9, $9, $9)",
    )
    .bind(&id)
    .bind(&job.workspace_id)
    .bind(&job.visitor_id)
    .bind(&job.bulk_job_id)
    .bind(&job.booking_id)
    .bind(&job.reason)
    .bind(job.priority)
    .bind(job_status::PENDING)
    .bind(now_ms)
    .execute(&mut *connection)
    .await?;
    mark_queued(connection, &job.visitor_id, now_ms).await?;
    Ok(id)
}

impl Db {
    /// Records one push in its own transaction; returns its id.
    pub async fn enqueue_push_job(
        &self,
        job: &NewPushJob,
        now_ms: i64,
    ) -> Result<String, sqlx::Error> {
        let mut transaction = self.pool().begin().await?;
        let id = insert_push_job(&mut transaction, job, now_ms).await?;
        transaction.commit().await?;
        Ok(id)
    }

    /// Records a bulk push and one push per visitor in one transaction.
    /// `jobs` carry no `bulk_job_id`; it is set here. Returns the bulk id.
    pub async fn create_bulk_push(
        &self,
        workspace_id: &str,
        jobs: &[NewPushJob],
        now_ms: i64,
    ) -> Result<String, sqlx::Error> {
        let bulk_id = uuid::Uuid::new_v4().to_string();
        let mut transaction = self.pool().begin().await?;
        sqlx::query("INSERT INTO bulk_push_jobs (id, workspace_id, total, created_at) VALUES ($1, $2, $3, $4)")
            .bind(&bulk_id)
            .bind(workspace_id)
            .bind(jobs.len() as i64)
            .bind(now_ms)
            .execute(&mut *transaction)
            .await?;
        for job in jobs {
            let job = NewPushJob {
                bulk_job_id: Some(bulk_id.clone()),
                ..job.clone()
            };
            insert_push_job(&mut transaction, &job, now_ms).await?;
        }
        transaction.commit().await?;
        Ok(bulk_id)
    }

    /// Due, unclaimed pushes, by priority then due time. `bulk` selects
    /// rows of bulk pushes or the others.
    pub async fn due_push_jobs(
        &self,
        now_ms: i64,
        bulk: bool,
        limit: i64,
    ) -> Result<Vec<PushJob>, sqlx::Error> {
        let bulk_filter = if bulk {
            "bulk_job_id IS NOT NULL"
        } else {
            "bulk_job_id IS NULL"
        };
        let sql = format!(
            "SELECT {JOB_COLUMNS} FROM push_jobs WHERE status = $1 AND next_attempt_at <= $2 \
             AND (claimed_until IS NULL OR claimed_until < $2) AND {bulk_filter} \
             ORDER BY priority, next_attempt_at, id LIMIT $3"
        );
        let rows = sqlx::query(&sql)
            .bind(job_status::PENDING)
            .bind(now_ms)
            .bind(limit)
            .fetch_all(self.pool())
            .await?;
        Ok(rows.iter().map(job_from_row).collect())
    }

    /// Claims a pending push for `worker_id` until `until_ms`. Returns false
    /// when another worker claimed it first or it is no longer pending.
    pub async fn claim_push_job(
        &self,
        job_id: &str,
        worker_id: &str,
        now_ms: i64,
        until_ms: i64,
    ) -> Result<bool, sqlx::Error> {
        let result = sqlx::query(
            "UPDATE push_jobs SET claimed_by = $1, claimed_until = $2 \
             WHERE id = $3 AND status = $4 AND (claimed_until IS NULL OR claimed_until < $5)",
        )
        .bind(worker_id)
        .bind(until_ms)
        .bind(job_id)
        .bind(job_status::PENDING)
        .bind(now_ms)
        .execute(self.pool())
        .await?;
        Ok(result.rows_affected() == 1)
    }

    /// Stores how a claimed push ended this round and releases the claim.
    /// Does nothing when `worker_id` no longer holds the claim.
    pub async fn finish_push_job(
        &self,
        job_id: &str,
        worker_id: &str,
        update: &PushJobUpdate,
        now_ms: i64,
    ) -> Result<bool, sqlx::Error> {
        let result = sqlx::query(
            "UPDATE push_jobs SET status = $1, attempts = $2, next_attempt_at = $3, last_error = $4, \
             result = COALESCE($5, result), claimed_by = NULL, claimed_until = NULL, updated_at = $6 \
             WHERE id = $7 AND claimed_by = $8",
        )
        .bind(update.status)
        .bind(update.attempts)
        .bind(update.next_attempt_at)
        .bind(&update.last_error)
        .bind(update.result.as_ref().map(to_json_text))
        .bind(now_ms)
        .bind(job_id)
        .bind(worker_id)
        .execute(self.pool())
        .await?;
        Ok(result.rows_affected() == 1)
    }

    /// Saves partial progress (for example a created note's id) on a
    /// claimed push, so a retry does not repeat a step.
    pub async fn save_push_progress(
        &self,
        job_id: &str,
        result: &serde_json::Value,
        now_ms: i64,
    ) -> Result<(), sqlx::Error> {
        sqlx::query("UPDATE push_jobs SET result = $1, updated_at = $2 WHERE id = $3")
            .bind(to_json_text(result))
            .bind(now_ms)
            .bind(job_id)
            .execute(self.pool())
            .await?;
        Ok(())
    }

    /// Finds a push of `workspace_id` by id.
    pub async fn push_job(
        &self,
        workspace_id: &str,
        job_id: &str,
    ) -> Result<Option<PushJob>, sqlx::Error> {
        let sql =
            format!("SELECT {JOB_COLUMNS} FROM push_jobs WHERE workspace_id = $1 AND id = $2");
        let row = sqlx::query(&sql)
            .bind(workspace_id)
            .bind(job_id)
            .fetch_optional(self.pool())
            .await?;
        Ok(row.as_ref().map(job_from_row))
    }

    /// Finds a bulk push of `workspace_id` with its pushes.
    pub async fn bulk_push_job(
        &self,
        workspace_id: &str,
        bulk_id: &str,
    ) -> Result<Option<BulkPushJob>, sqlx::Error> {
        let row = sqlx::query(
            "SELECT id, total, created_at FROM bulk_push_jobs WHERE workspace_id = $1 AND id = $2",
        )
        .bind(workspace_id)
        .bind(bulk_id)
        .fetch_optional(self.pool())
        .await?;
        let Some(row) = row else { return Ok(None) };
        let sql = format!(
            "SELECT {JOB_COLUMNS} FROM push_jobs WHERE bulk_job_id = $1 ORDER BY created_at, id"
        );
        let items = sqlx::query(&sql)
            .bind(bulk_id)
            .fetch_all(self.pool())
            .await?;
        Ok(Some(BulkPushJob {
            id: row.get("id"),
            total: row.get("total"),
            created_at: row.get("created_at"),
            items: items.iter().map(job_from_row).collect(),
        }))
    }

    /// Makes waiting pushes pending again for workspaces whose HubSpot
    /// connection has status `connected_status` and was (re)connected after
    /// the push started waiting. Their visitors become `queued`. Returns the
    /// number of pushes resumed.
    pub async fn resume_waiting_push_jobs(
        &self,
        connected_status: &str,
        now_ms: i64,
    ) -> Result<u64, sqlx::Error> {
        let reconnected = "EXISTS (SELECT 1 FROM hubspot_connections c WHERE c.workspace_id = push_jobs.workspace_id \
             AND c.status = $1 AND c.connected_at >= push_jobs.updated_at)";
        let mut transaction = self.pool().begin().await?;
        sqlx::query(&format!(
            "UPDATE visitors SET push_status = 'queued', updated_at = $2 WHERE push_status = 'waiting' AND id IN \
             (SELECT visitor_id FROM push_jobs WHERE status = $3 AND {reconnected})"
        ))
        .bind(connected_status)
        .bind(now_ms)
        .bind(job_status::WAITING)
        .execute(&mut *transaction)
        .await?;
        let resumed = sqlx::query(&format!(
            "UPDATE push_jobs SET status = $4, next_attempt_at = $2, updated_at = $2 WHERE status = $3 AND {reconnected}"
        ))
        .bind(connected_status)
        .bind(now_ms)
        .bind(job_status::WAITING)
        .bind(job_status::PENDING)
        .execute(&mut *transaction)
        .await?;
        transaction.commit().await?;
        Ok(resumed.rows_affected())
    }

    /// Counts pushes of a workspace by status, for tests and the demo.
    pub async fn count_push_jobs(
        &self,
        workspace_id: &str,
        status: &str,
    ) -> Result<i64, sqlx::Error> {
        let row = sqlx::query(
            "SELECT COUNT(*) AS n FROM push_jobs WHERE workspace_id = $1 AND status = $2",
        )
        .bind(workspace_id)
        .bind(status)
        .fetch_one(self.pool())
        .await?;
        Ok(row.get("n"))
    }
}

fn job_from_row(row: &AnyRow) -> PushJob {
    let result: Option<String> = row.get("result");
    PushJob {
        id: row.get("id"),
        workspace_id: row.get("workspace_id"),
        visitor_id: row.get("visitor_id"),
        bulk_job_id: row.get("bulk_job_id"),
        booking_id: row.get("booking_id"),
        reason: row.get("reason"),
        priority: row.get("priority"),
        status: row.get("status"),
        attempts: row.get("attempts"),
        next_attempt_at: row.get("next_attempt_at"),
        last_error: row.get("last_error"),
        result: result.and_then(|text| serde_json::from_str(&text).ok()),
        created_at: row.get("created_at"),
        updated_at: row.get("updated_at"),
    }
}

/// What the visit note says about a booking.
#[derive(Debug, Clone, PartialEq)]
pub struct BookingForPush {
    pub meeting_name: String,
    pub start_at: i64,
    pub time_zone: String,
    pub is_offline: bool,
    pub hubspot_portal_id: Option<i64>,
    /// The contact HubSpot's booking call created or updated.
    pub hubspot_contact_id: Option<String>,
}

impl Db {
    /// Reads what a push needs from a booking of `workspace_id`.
    pub async fn booking_for_push(
        &self,
        workspace_id: &str,
        booking_id: &str,
    ) -> Result<Option<BookingForPush>, sqlx::Error> {
        let row = sqlx::query(
            "SELECT meeting_name, start_at, time_zone, is_offline, hubspot_portal_id, hubspot_contact_id \
             FROM bookings WHERE workspace_id = $1 AND id = $2",
        )
        .bind(workspace_id)
        .bind(booking_id)
        .fetch_optional(self.pool())
        .await?;
        Ok(row.map(|row| BookingForPush {
            meeting_name: row.get("meeting_name"),
            start_at: row.get("start_at"),
            time_zone: row.get("time_zone"),
            is_offline: row.get::<i64, _>("is_offline") != 0,
            hubspot_portal_id: row.get("hubspot_portal_id"),
            hubspot_contact_id: row.get("hubspot_contact_id"),
        }))
    }
}
