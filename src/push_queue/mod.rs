//! The push queue: a durable outbox of pushes to HubSpot and its workers.
