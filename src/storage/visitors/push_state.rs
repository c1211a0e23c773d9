//! The push state kept on each visitor, and the per-visitor claim that
//! serialises pushes of one visitor across workers and instances.

use serde::{Deserialize, Serialize};

use super::push_status;
use crate::storage::{Db, to_json_text};

/// A visitor field left out of a push, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SkippedField {
    /// Field path in the visitor API, for example `company.industry`.
    pub field: String,
    /// Reason HubSpot could not take the value, and the fix.
    pub reason: String,
}

/// Outcome of a successful push, stored on the visitor.
#[derive(Debug, Clone)]
pub struct PushSuccess {
    pub portal_id: i64,
    pub contact_id: Option<String>,
    pub company_id: Option<String>,
    /// The `data_version` that was pushed.
    pub data_version: i64,
    pub skipped_fields: Vec<SkippedField>,
}

/// Outcome of a failed or waiting push, stored on the visitor.
#[derive(Debug, Clone)]
pub struct PushFailure {
    /// `failed` or `waiting`.
    pub status: &'static str,
    pub message: String,
    /// Action a person should take: `reconnect`, `retry`, `fix_input` or
    /// `wait`.
    pub action: &'static str,
}

impl Db {
    /// Claims `visitor_id` for one push by `worker_id` until `until_ms`.
    /// Returns false when another worker holds an unexpired claim.
    pub async fn claim_visitor_for_push(
        &self,
        visitor_id: &str,
        worker_id: &str,
        now_ms: i64,
        until_ms: i64,
    ) -> Result<bool, sqlx::Error> {
        let result = sqlx::query(
            "UPDATE visitors SET push_claimed_by = $1, push_claimed_until = $2 \
             WHERE id = $3 AND (push_claimed_until IS NULL OR push_claimed_until < $4 OR push_claimed_by = $1)",
        )
        .bind(worker_id)
        .bind(until_ms)
        .bind(visitor_id)
        .bind(now_ms)
        .execute(self.pool())
        .await?;
        Ok(result.rows_affected() == 1)
    }

    /// Releases a claim taken by [`Db::claim_visitor_for_push`].
    pub async fn release_visitor_claim(
        &self,
        visitor_id: &str,
        worker_id: &str,
    ) -> Result<(), sqlx::Error> {
        sqlx::query(
            "UPDATE visitors SET push_claimed_by = NULL, push_claimed_until = NULL \
             WHERE id = $1 AND push_claimed_by = $2",
        )
        .bind(visitor_id)
        .bind(worker_id)
        .execute(self.pool())
        .await?;
        Ok(())
    }

    /// Stores the outcome of a successful push, when `claim` (push job id,
    /// worker id) still holds the push's claim.
    pub async fn record_push_success(
        &self,
        visitor_id: &str,
        claim: (&str, &str),
        success: &PushSuccess,
        now_ms: i64,
    ) -> Result<(), sqlx::Error> {
        sqlx::query(
            "UPDATE visitors SET push_status = $1, last_pushed_at = $2, pushed_data_version = $3, \
             hubspot_portal_id = $4, hubspot_contact_id = $5, hubspot_company_id = $6, \
             last_error = NULL, last_error_action = NULL, skipped_fields = $7, updated_at = $2 \
             WHERE id = $8 AND EXISTS (SELECT 1 FROM push_jobs WHERE id = $9 AND claimed_by = $10)",
        )
        .bind(push_status::PUSHED)
        .bind(now_ms)
        .bind(success.data_version)
        .bind(success.portal_id)
        .bind(&success.contact_id)
        .bind(&success.company_id)
        .bind(to_json_text(&success.skipped_fields))
        .bind(visitor_id)
        .bind(claim.0)
        .bind(claim.1)
        .execute(self.pool())
        .await?;
        Ok(())
    }

    /// Stores a failed or waiting push, when `claim` (push job id, worker
    /// id) still holds the push's claim. HubSpot ids from earlier pushes are
    /// kept.
    pub async fn record_push_failure(
        &self,
        visitor_id: &str,
        claim: (&str, &str),
        failure: &PushFailure,
        now_ms: i64,
    ) -> Result<(), sqlx::Error> {
        sqlx::query(
            "UPDATE visitors SET push_status = $1, last_error = $2, last_error_action = $3, updated_at = $4 \
             WHERE id = $5 AND EXISTS (SELECT 1 FROM push_jobs WHERE id = $6 AND claimed_by = $7)",
        )
        .bind(failure.status)
        .bind(&failure.message)
        .bind(failure.action)
        .bind(now_ms)
        .bind(visitor_id)
        .bind(claim.0)
        .bind(claim.1)
        .execute(self.pool())
        .await?;
        Ok(())
    }
}

/// Sets a visitor's status to `queued`, inside the caller's transaction.
pub(crate) async fn mark_queued(
    connection: &mut sqlx::AnyConnection,
    visitor_id: &str,
    now_ms: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE visitors SET push_status = $1, updated_at = $2 WHERE id = $3")
        .bind(push_status::QUEUED)
        .bind(now_ms)
        .bind(visitor_id)
        .execute(&mut *connection)
        .await?;
    Ok(())
}
