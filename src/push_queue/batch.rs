//! Bulk pushes: claimed rows of bulk jobs pushed together.

use super::worker::Worker;
use crate::storage::push_jobs::PushJob;
use crate::upsert::crm::CrmApi;

impl<C: CrmApi> Worker<C> {
    /// Runs claimed rows of bulk pushes.
    pub(super) async fn run_batch(&self, jobs: Vec<PushJob>) -> Result<(), sqlx::Error> {
        // TODO: replace with the batch path; one push per row for now.
        for job in jobs {
            self.run_single(job).await?;
        }
        Ok(())
    }
}
