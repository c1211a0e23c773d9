//! Fan-out of "slots taken" events to every open widget of a workspace.
//!
//! NOTE: the hub is per process. With several instances on one PostgreSQL
//! database, widgets connected to another instance learn of a taken slot
//! only when their cached availability expires or their booking attempt is
//! rejected.

use tokio::sync::broadcast;

/// Capacity of the broadcast channel; a receiver that falls further behind
/// skips the missed events and refetches on its next request.
const HUB_CAPACITY: usize = 1024;

/// Slots of one meeting link that are no longer bookable.
#[derive(Debug, Clone)]
pub struct SlotsTaken {
    pub workspace_id: String,
    pub slug: String,
    /// Start instants, RFC 3339 UTC.
    pub removed: Vec<String>,
}

/// The sending side shared through the application state.
#[derive(Debug, Clone)]
pub struct SlotsHub {
    sender: broadcast::Sender<SlotsTaken>,
}

impl Default for SlotsHub {
    fn default() -> Self {
        let (sender, _receiver) = broadcast::channel(HUB_CAPACITY);
        Self { sender }
    }
}

impl SlotsHub {
    /// Tells every subscribed connection that slots were taken.
    pub fn publish(&self, event: SlotsTaken) {
        // An error only means that no widget is connected right now.
        let _ = self.sender.send(event);
    }

    /// A receiver for one connection.
    pub fn subscribe(&self) -> broadcast::Receiver<SlotsTaken> {
        self.sender.subscribe()
    }
}
