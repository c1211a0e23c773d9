//! The push queue: a durable outbox of pushes to HubSpot and its workers.
//!
//! A push is a `push_jobs` row written before HubSpot is called, so a crash
//! or restart loses nothing. Workers claim rows with a lease, claim the
//! visitor too (one push per visitor at a time, across instances), run the
//! shared upsert path and store the outcome on the row and the visitor.
//! Booking pushes run first. A new row wakes the workers of this instance;
//! polling every `push_poll_interval_ms` finds rows written by others.

mod batch;
mod retry;
mod single;
mod worker;

use std::sync::{Arc, Mutex};

use tokio::sync::{Notify, watch};
use tokio::task::JoinHandle;

use crate::clock::Clock;
use crate::storage::Db;
use crate::storage::push_jobs::{NewPushJob, insert_push_job};

pub use worker::{WorkerConfig, start_workers};

/// Why a visitor is pushed; also sets the order in which pushes run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PushReason {
    Booking,
    Manual,
    Bulk,
    Workflow,
}

impl PushReason {
    /// The value stored in `push_jobs.reason`.
    pub fn as_str(self) -> &'static str {
        match self {
            PushReason::Booking => "booking",
            PushReason::Manual => "manual",
            PushReason::Bulk => "bulk",
            PushReason::Workflow => "workflow",
        }
    }

    /// Lower runs first: a booker is in HubSpot before anyone else.
    pub fn priority(self) -> i64 {
        match self {
            PushReason::Booking => 0,
            PushReason::Manual => 10,
            PushReason::Workflow => 20,
            PushReason::Bulk => 30,
        }
    }
}

/// A push to enqueue.
#[derive(Debug, Clone)]
pub struct NewPush {
    pub workspace_id: String,
    pub visitor_id: String,
    pub reason: PushReason,
    /// The booking whose contact id and details the push uses.
    pub booking_id: Option<String>,
    pub bulk_job_id: Option<String>,
}

impl NewPush {
    /// The `push_jobs` row this push is stored as.
    pub fn to_row(&self) -> NewPushJob {
        NewPushJob {
            workspace_id: self.workspace_id.clone(),
            visitor_id: self.visitor_id.clone(),
            reason: self.reason.as_str().to_string(),
            priority: self.reason.priority(),
            booking_id: self.booking_id.clone(),
            bulk_job_id: self.bulk_job_id.clone(),
        }
    }
}

/// Records a push in its own transaction and returns its id. Workers find
/// it by polling; call [`PushQueue::wake`] to start it at once.
pub async fn enqueue_push(db: &Db, push: NewPush) -> Result<String, sqlx::Error> {
    db.enqueue_push_job(&push.to_row(), chrono::Utc::now().timestamp_millis())
        .await
}

/// Records a push inside the caller's transaction, so it commits or rolls
/// back with the change that caused it. Call [`PushQueue::wake`] after the
/// commit.
pub async fn enqueue_push_in(
    connection: &mut sqlx::AnyConnection,
    push: NewPush,
    now_ms: i64,
) -> Result<String, sqlx::Error> {
    insert_push_job(connection, &push.to_row(), now_ms).await
}

/// The handle of this instance's push workers: wakes and stops them.
#[derive(Debug, Clone, Default)]
pub struct PushQueue {
    inner: Arc<QueueInner>,
}

#[derive(Debug)]
struct QueueInner {
    wake: Notify,
    stop_tx: watch::Sender<bool>,
    tasks: Mutex<Vec<JoinHandle<()>>>,
}

impl Default for QueueInner {
    fn default() -> Self {
        Self {
            wake: Notify::new(),
            stop_tx: watch::channel(false).0,
            tasks: Mutex::new(Vec::new()),
        }
    }
}

impl PushQueue {
    /// Records a push with `clock`'s time and wakes the workers.
    pub async fn enqueue(
        &self,
        db: &Db,
        clock: &Clock,
        push: NewPush,
    ) -> Result<String, sqlx::Error> {
        let id = db.enqueue_push_job(&push.to_row(), clock.now_ms()).await?;
        self.wake();
        Ok(id)
    }

    /// Wakes the workers to look for due pushes now.
    pub fn wake(&self) {
        self.inner.wake.notify_waiters();
        self.inner.wake.notify_one();
    }

    /// Stops the workers at once. A push in flight is abandoned; its claim
    /// runs out after `push_lease_ms` and another worker takes it over.
    pub fn stop(&self) {
        let _ = self.inner.stop_tx.send(true);
        let tasks = std::mem::take(
            &mut *self
                .inner
                .tasks
                .lock()
                .expect("the task list lock is never poisoned"),
        );
        for task in tasks {
            task.abort();
        }
    }

    fn add_task(&self, task: JoinHandle<()>) {
        self.inner
            .tasks
            .lock()
            .expect("the task list lock is never poisoned")
            .push(task);
    }

    fn notify(&self) -> &Notify {
        &self.inner.wake
    }

    fn stop_rx(&self) -> watch::Receiver<bool> {
        self.inner.stop_tx.subscribe()
    }
}
