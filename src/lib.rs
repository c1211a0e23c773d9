//! slotchat: a chat-widget meeting booker backed by HubSpot.
//!
//! The binary in `main.rs` is a thin command line over this library. Every
//! command and every test builds the server through [`startup::Application`].

pub mod api;
pub mod booking;
pub mod catalogue;
pub mod clock;
pub mod crypto;
pub mod demo;
pub mod domain;
pub mod error;
pub mod hubspot;
pub mod push_queue;
pub mod sandbox;
pub mod settings;
pub mod startup;
pub mod storage;
pub mod telemetry;
pub mod upsert;
pub mod widget_session;
pub mod workflows;
