//! Running one claimed push and storing how it ended.

use std::time::Instant;

use super::retry::{Decision, retry_at_once};
use super::worker::Worker;
use crate::storage::push_jobs::{PushJob, PushJobUpdate, job_status};
use crate::storage::visitors::{PushFailure, PushSuccess, VisitorRecord, push_status};
use crate::upsert::crm::CrmApi;
use crate::upsert::{PushError, PushOutcome, push_visitor};

impl<C: CrmApi> Worker<C> {
    /// Runs a push this worker has claimed. The visitor is claimed for the
    /// length of the push; when another worker holds it, the push is put
    /// back for a moment without counting an attempt.
    pub(super) async fn run_single(&self, job: PushJob) -> Result<(), sqlx::Error> {
        let now = self.clock.now_ms();
        let claimed = self
            .db
            .claim_visitor_for_push(&job.visitor_id, &self.id, now, now + self.lease_ms())
            .await?;
        if !claimed {
            let error = PushError::CompanyBusy;
            return self.finish(&job, None, job.attempts, Err(error)).await;
        }
        let result = self.run_claimed(&job).await;
        self.db
            .release_visitor_claim(&job.visitor_id, &self.id)
            .await?;
        result
    }

    async fn run_claimed(&self, job: &PushJob) -> Result<(), sqlx::Error> {
        let Some(visitor) = self.db.visitor(&job.workspace_id, &job.visitor_id).await? else {
            let update = failed_update(job.attempts, "the visitor no longer exists");
            self.db
                .finish_push_job(&job.id, &self.id, &update, self.clock.now_ms())
                .await?;
            return Ok(());
        };
        let booking = match &job.booking_id {
            Some(booking_id) => {
                self.db
                    .booking_for_push(&job.workspace_id, booking_id)
                    .await?
            }
            None => None,
        };
        let previous: Option<PushOutcome> = job
            .result
            .clone()
            .and_then(|value| serde_json::from_value(value).ok());
        let started = Instant::now();
        let context = self.context();
        let mut attempts = job.attempts + 1;
        let mut result =
            push_visitor(&context, job, &visitor, booking.as_ref(), previous.as_ref()).await;
        if let Err(error) = &result
            && retry_at_once(error)
        {
            tracing::warn!(push_job_id = %job.id, visitor_id = %visitor.id, error = %error, "push failed; retrying once at once");
            attempts += 1;
            result =
                push_visitor(&context, job, &visitor, booking.as_ref(), previous.as_ref()).await;
        }
        let duration_ms = started.elapsed().as_millis() as u64;
        if let Ok(outcome) = &result {
            tracing::info!(
                push_job_id = %job.id,
                visitor_id = %visitor.id,
                workspace_id = %visitor.workspace_id,
                portal_id = outcome.portal_id,
                contact_id = ?outcome.contact_id,
                company_id = ?outcome.company_id,
                duration_ms,
                "visitor {} pushed",
                visitor.id
            );
        }
        self.finish(job, Some(&visitor), attempts, result).await
    }

    /// Stores the push's end on the job and the visitor.
    pub(super) async fn finish(
        &self,
        job: &PushJob,
        visitor: Option<&VisitorRecord>,
        attempts: i64,
        result: Result<PushOutcome, PushError>,
    ) -> Result<(), sqlx::Error> {
        let now = self.clock.now_ms();
        let error = match result {
            Ok(outcome) => return self.store_success(job, visitor, attempts, outcome).await,
            Err(error) => error,
        };
        let decision = self.policy().decide(&error, attempts, now);
        let (update, failure) = match decision {
            Decision::Defer { at_ms } => {
                let update = PushJobUpdate {
                    status: job_status::PENDING,
                    attempts: job.attempts,
                    next_attempt_at: at_ms,
                    last_error: job.last_error.clone(),
                    result: None,
                };
                (update, None)
            }
            Decision::Retry { at_ms, message } => {
                tracing::warn!(push_job_id = %job.id, visitor_id = %job.visitor_id, attempts, error = %error, "push failed; will retry");
                let update = PushJobUpdate {
                    status: job_status::PENDING,
                    attempts,
                    next_attempt_at: at_ms,
                    last_error: Some(message.clone()),
                    result: None,
                };
                (
                    update,
                    Some(PushFailure {
                        status: push_status::QUEUED,
                        message,
                        action: "wait",
                    }),
                )
            }
            Decision::Wait { message } => {
                tracing::warn!(push_job_id = %job.id, visitor_id = %job.visitor_id, workspace_id = %job.workspace_id, "push waits for a HubSpot reconnect");
                let update = PushJobUpdate {
                    status: job_status::WAITING,
                    attempts,
                    next_attempt_at: now,
                    last_error: Some(message.clone()),
                    result: None,
                };
                (
                    update,
                    Some(PushFailure {
                        status: push_status::WAITING,
                        message,
                        action: "reconnect",
                    }),
                )
            }
            Decision::Fail { message, action } => {
                tracing::error!(push_job_id = %job.id, visitor_id = %job.visitor_id, attempts, error = %error, "push failed");
                let update = failed_update(attempts, &message);
                (
                    update,
                    Some(PushFailure {
                        status: push_status::FAILED,
                        message,
                        action,
                    }),
                )
            }
        };
        // The visitor is written first, so a reader who sees the job ended
        // also sees the visitor's new state.
        if let Some(failure) = failure {
            self.db
                .record_push_failure(&job.visitor_id, (&job.id, &self.id), &failure, now)
                .await?;
        }
        self.db
            .finish_push_job(&job.id, &self.id, &update, now)
            .await?;
        Ok(())
    }

    async fn store_success(
        &self,
        job: &PushJob,
        visitor: Option<&VisitorRecord>,
        attempts: i64,
        outcome: PushOutcome,
    ) -> Result<(), sqlx::Error> {
        let now = self.clock.now_ms();
        let update = PushJobUpdate {
            status: job_status::DONE,
            attempts,
            next_attempt_at: now,
            last_error: None,
            result: Some(serde_json::to_value(&outcome).expect("the outcome serializes to JSON")),
        };
        let success = PushSuccess {
            portal_id: outcome.portal_id,
            contact_id: outcome.contact_id,
            company_id: outcome.company_id,
            data_version: visitor.map_or(0, |visitor| visitor.data_version),
            skipped_fields: outcome.skipped_fields,
        };
        self.db
            .record_push_success(&job.visitor_id, (&job.id, &self.id), &success, now)
            .await?;
        let still_ours = self
            .db
            .finish_push_job(&job.id, &self.id, &update, now)
            .await?;
        if !still_ours {
            tracing::warn!(push_job_id = %job.id, "push finished after its claim ran out; another worker owns it");
        }
        Ok(())
    }
}

fn failed_update(attempts: i64, message: &str) -> PushJobUpdate {
    PushJobUpdate {
        status: job_status::FAILED,
        attempts,
        next_attempt_at: 0,
        last_error: Some(message.to_string()),
        result: None,
    }
}
