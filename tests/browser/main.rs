//! Browser tests: headless Chromium, driven through chromedriver, opens a
//! customer page served from its own origin, and that page embeds the widget
//! from the real slotchat server.
//!
//! They run only when `SLOTCHAT_BROWSER_TESTS=1` is set, because a plain
//! `cargo test` must pass on machines without Chromium. Otherwise each test
//! writes a line saying it was skipped and returns.

#[path = "../api/helpers.rs"]
mod helpers;
#[path = "../api/push_helpers.rs"]
#[allow(dead_code)]
mod push_helpers;
#[path = "../api/widget_client.rs"]
mod widget_client;

mod booking;
mod customer_site;
mod dashboard;
mod dashboard_page;
mod driver;
mod identify;
mod widget;
