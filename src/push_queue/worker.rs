//! The worker loop: claim due pushes, run them, sleep until woken or the
//! poll interval passes.

use std::sync::Arc;
use std::time::Duration;

use super::PushQueue;
use super::retry::RetryPolicy;
use crate::clock::Clock;
use crate::settings::Settings;
use crate::storage::Db;
use crate::storage::push_jobs::PushJob;
use crate::upsert::UpsertContext;
use crate::upsert::crm::CrmApi;
use crate::upsert::enums::PropertyCache;

/// Pushes that are not part of a bulk push, claimed per round.
const SINGLE_ROUND: i64 = 10;
/// Rows of bulk pushes claimed per round and pushed together with batch
/// calls; HubSpot batch endpoints take at most 100 inputs.
pub(super) const BATCH_ROUND: i64 = 100;
/// Pause after a database error in the loop.
const ERROR_PAUSE: Duration = Duration::from_secs(1);

/// Worker settings.
#[derive(Debug, Clone)]
pub struct WorkerConfig {
    pub workers: u32,
    pub lease_ms: i64,
    pub poll_interval_ms: u64,
    pub max_attempts: i64,
    pub retry_base_ms: i64,
    /// `hubspot_connections.status` of a working connection; pushes waiting
    /// for a reconnect resume when their workspace has it again.
    pub connected_status: String,
}

impl WorkerConfig {
    /// Reads the push settings.
    pub fn from_settings(settings: &Settings, connected_status: &str) -> Self {
        Self {
            workers: settings.push_workers.max(1),
            lease_ms: settings.push_lease_ms as i64,
            poll_interval_ms: settings.push_poll_interval_ms,
            max_attempts: i64::from(settings.push_max_attempts.max(1)),
            retry_base_ms: settings.push_retry_base_ms as i64,
            connected_status: connected_status.to_string(),
        }
    }
}

/// One worker task's state.
pub(super) struct Worker<C: CrmApi> {
    pub id: String,
    pub crm: Arc<C>,
    /// The same CRM at bulk priority, for bulk pushes.
    pub bulk_crm: Arc<C>,
    pub db: Db,
    pub clock: Clock,
    pub properties: PropertyCache,
    pub config: WorkerConfig,
}

/// Starts `config.workers` workers on this runtime; `queue` wakes and stops
/// them. `bulk_crm` serves bulk pushes.
pub fn start_workers<C: CrmApi + 'static>(
    queue: &PushQueue,
    crm: Arc<C>,
    bulk_crm: Arc<C>,
    db: Db,
    clock: Clock,
    config: WorkerConfig,
) {
    let properties = PropertyCache::default();
    for index in 0..config.workers {
        let worker = Worker {
            id: format!("push-{}", uuid::Uuid::new_v4().simple()),
            crm: crm.clone(),
            bulk_crm: bulk_crm.clone(),
            db: db.clone(),
            clock: clock.clone(),
            properties: properties.clone(),
            config: config.clone(),
        };
        let queue_for_task = queue.clone();
        // The first worker alone resumes waiting pushes and runs bulk rows,
        // so bulk rows are not split into small batches between workers.
        let lead = index == 0;
        queue.add_task(tokio::spawn(async move {
            worker.run(queue_for_task, lead).await
        }));
    }
    tracing::info!(workers = config.workers, "push workers started");
}

impl<C: CrmApi> Worker<C> {
    async fn run(self, queue: PushQueue, lead: bool) {
        let mut stop_rx = queue.stop_rx();
        let poll = Duration::from_millis(self.config.poll_interval_ms.max(10));
        loop {
            if *stop_rx.borrow() {
                break;
            }
            let notified = queue.notify().notified();
            let worked = match self.round(lead).await {
                Ok(worked) => worked,
                Err(error) => {
                    tracing::error!(worker_id = %self.id, error = %error, "push worker round failed; pausing");
                    tokio::time::sleep(ERROR_PAUSE).await;
                    false
                }
            };
            if worked {
                continue;
            }
            tokio::select! {
                _ = notified => {}
                _ = tokio::time::sleep(poll) => {}
                _ = stop_rx.changed() => {}
            }
        }
    }

    /// Runs due pushes: the others before bulk rows, which only the `lead`
    /// worker runs. Returns whether any push ran.
    async fn round(&self, lead: bool) -> Result<bool, sqlx::Error> {
        let now = self.clock.now_ms();
        if lead {
            let resumed = self
                .db
                .resume_waiting_push_jobs(&self.config.connected_status, now)
                .await?;
            if resumed > 0 {
                tracing::info!(resumed, "HubSpot reconnected; resuming waiting pushes");
            }
        }
        let singles = self
            .claim(self.db.due_push_jobs(now, false, SINGLE_ROUND).await?)
            .await?;
        if !singles.is_empty() {
            for job in singles {
                self.run_single(job).await?;
            }
            return Ok(true);
        }
        if !lead {
            return Ok(false);
        }
        let bulk = self
            .claim(self.db.due_push_jobs(now, true, BATCH_ROUND).await?)
            .await?;
        if bulk.is_empty() {
            return Ok(false);
        }
        self.run_batch(bulk).await?;
        Ok(true)
    }

    async fn claim(&self, candidates: Vec<PushJob>) -> Result<Vec<PushJob>, sqlx::Error> {
        let mut claimed = Vec::with_capacity(candidates.len());
        let now = self.clock.now_ms();
        for job in candidates {
            if self
                .db
                .claim_push_job(&job.id, &self.id, now, now + self.config.lease_ms)
                .await?
            {
                claimed.push(job);
            }
        }
        Ok(claimed)
    }

    // NOTE: claims are not renewed while a push runs. A push that outlasts
    // `push_lease_ms` (for example behind a long rate-limit wait) can be
    // claimed by another worker as well. The contact upsert and the company
    // key claims keep that from duplicating records, but a second note is
    // possible.
    pub(super) fn lease_ms(&self) -> i64 {
        self.config.lease_ms
    }

    pub(super) fn policy(&self) -> RetryPolicy {
        RetryPolicy {
            max_attempts: self.config.max_attempts,
            base_delay_ms: self.config.retry_base_ms,
        }
    }

    pub(super) fn context(&self) -> UpsertContext<'_, C> {
        self.context_with(self.crm.as_ref())
    }

    /// Builds the context of bulk pushes, whose HubSpot calls leave
    /// headroom for urgent ones.
    pub(super) fn bulk_context(&self) -> UpsertContext<'_, C> {
        self.context_with(self.bulk_crm.as_ref())
    }

    fn context_with<'a>(&'a self, crm: &'a C) -> UpsertContext<'a, C> {
        UpsertContext {
            crm,
            db: &self.db,
            clock: &self.clock,
            properties: &self.properties,
            worker_id: &self.id,
            claim_ms: self.config.lease_ms,
        }
    }
}
