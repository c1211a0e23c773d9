//! The widget session: the `/ws` WebSocket and its protocol.

pub mod protocol;
