//! Bulk pushes: claimed rows of bulk jobs pushed together through the
//! batch path, one workspace at a time.

use std::collections::BTreeMap;

use super::worker::Worker;
use crate::storage::push_jobs::PushJob;
use crate::upsert::crm::CrmApi;
use crate::upsert::{BatchItem, PushError, PushOutcome, push_batch};

impl<C: CrmApi> Worker<C> {
    /// Runs claimed rows of bulk pushes.
    pub(super) async fn run_batch(&self, jobs: Vec<PushJob>) -> Result<(), sqlx::Error> {
        let mut by_workspace: BTreeMap<String, Vec<PushJob>> = BTreeMap::new();
        for job in jobs {
            by_workspace
                .entry(job.workspace_id.clone())
                .or_default()
                .push(job);
        }
        for (workspace_id, jobs) in by_workspace {
            self.run_workspace_batch(&workspace_id, jobs).await?;
        }
        Ok(())
    }

    async fn run_workspace_batch(
        &self,
        workspace_id: &str,
        jobs: Vec<PushJob>,
    ) -> Result<(), sqlx::Error> {
        let now = self.clock.now_ms();
        let mut claimed: Vec<PushJob> = Vec::with_capacity(jobs.len());
        for job in jobs {
            // A visitor queued twice is pushed once per batch; the second
            // push runs after this one.
            let repeated = claimed
                .iter()
                .any(|other| other.visitor_id == job.visitor_id);
            if !repeated
                && self
                    .db
                    .claim_visitor_for_push(&job.visitor_id, &self.id, now, now + self.lease_ms())
                    .await?
            {
                claimed.push(job);
            } else {
                // Another worker is pushing this visitor: try again shortly.
                self.finish(&job, None, job.attempts, Err(PushError::CompanyBusy))
                    .await?;
            }
        }
        let visitor_ids: Vec<String> = claimed.iter().map(|job| job.visitor_id.clone()).collect();
        let mut visitors: BTreeMap<String, _> = self
            .db
            .visitors_by_ids(workspace_id, &visitor_ids)
            .await?
            .into_iter()
            .map(|visitor| (visitor.id.clone(), visitor))
            .collect();
        let mut items = Vec::with_capacity(claimed.len());
        for job in claimed {
            match visitors.remove(&job.visitor_id) {
                Some(visitor) => {
                    let previous: Option<PushOutcome> = job
                        .result
                        .clone()
                        .and_then(|value| serde_json::from_value(value).ok());
                    items.push(BatchItem {
                        job,
                        visitor,
                        previous,
                    });
                }
                None => {
                    let error = PushError::NothingToPush;
                    self.finish(&job, None, job.attempts + 1, Err(error))
                        .await?;
                    self.db
                        .release_visitor_claim(&job.visitor_id, &self.id)
                        .await?;
                }
            }
        }
        if items.is_empty() {
            return Ok(());
        }
        let started = std::time::Instant::now();
        let count = items.len();
        let results = push_batch(&self.bulk_context(), workspace_id, items).await;
        let pushed = results.iter().filter(|(_, result)| result.is_ok()).count();
        tracing::info!(
            workspace_id,
            visitors = count,
            pushed,
            duration_ms = started.elapsed().as_millis() as u64,
            "bulk batch of {count} visitors pushed"
        );
        for (item, result) in results {
            self.finish(
                &item.job,
                Some(&item.visitor),
                item.job.attempts + 1,
                result,
            )
            .await?;
            self.db
                .release_visitor_claim(&item.visitor.id, &self.id)
                .await?;
        }
        Ok(())
    }
}
