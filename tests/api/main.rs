//! Integration tests: the real server on 127.0.0.1, a fresh database per
//! test (SQLite by default, PostgreSQL when `SLOTCHAT_TEST_POSTGRES_URL` is
//! set) and the HubSpot sandbox over real HTTP.

mod bulk_push;
mod booking_push;
mod dashboard;
mod health;
mod hubspot_client;
mod identify;
mod integrations;
mod helpers;
mod push;
mod push_faults;
mod portal_switch;
mod push_helpers;
mod visitors;
mod widget_assets;
mod widget_client;
mod widget_session;
mod workflows;
