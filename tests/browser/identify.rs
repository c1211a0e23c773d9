//! `slotchat.identify` and `slotchat.visitorId` called by a customer page in
//! a real browser.

use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::customer_site::CustomerSite;
use crate::driver::{Browser, browser_tests_enabled};
use crate::helpers::spawn_app;

/// Calls `slotchat.identify` with `person` and returns `{ok: true}` or
/// `{ok: false, field, message}` once its promise settles.
const IDENTIFY: &str = "
    const done = arguments[arguments.length - 1];
    window.slotchat.identify(arguments[0]).then(
        () => done({ ok: true }),
        (error) => done({ ok: false, field: error.field, message: error.message }));";

#[tokio::test]
async fn page_identify_links_visitor() {
    if !browser_tests_enabled("page_identify_links_visitor") {
        return;
    }
    let app = spawn_app().await;
    let mut customer = CustomerSite::bind();
    let site = app
        .state
        .db
        .create_site(&app.workspace.id, "Identify test site", &[customer.origin.clone()], app.clock.now_ms())
        .await
        .expect("create the browser test site");
    customer.serve(&format!("{}/widget.js", app.address), &site.site_key);
    let browser = Browser::start().await;
    browser.client.goto(&customer.url("/pricing")).await.expect("open the customer page");

    let anonymous_id = wait_for_visitor_id(&browser).await;
    let invalid = browser
        .client
        .execute_async(IDENTIFY, vec![json!({"email": "not-an-email"})])
        .await
        .expect("run identify");
    assert_eq!(invalid["ok"], false, "invalid email rejected: {invalid}");
    assert_eq!(invalid["field"], "email");
    let valid = browser
        .client
        .execute_async(IDENTIFY, vec![json!({"email": "Page@Acme.example", "first_name": "Paula"})])
        .await
        .expect("run identify");
    assert_eq!(valid["ok"], true, "identify resolved: {valid}");

    let visitor = app
        .state
        .db
        .visitor_by_anonymous_id(&app.workspace.id, &anonymous_id)
        .await
        .expect("read the visitor")
        .expect("the page's anonymous id has a visitor");
    assert_eq!(visitor.email.as_deref(), Some("page@acme.example"));
    assert_eq!(visitor.first_name.as_deref(), Some("Paula"));
    let pages = app.state.db.page_views(&visitor.id, 10).await.expect("read page views");
    assert_eq!(pages.len(), 1, "the /pricing view is kept: {pages:?}");
    assert!(pages[0].url.ends_with("/pricing"));

    browser.close().await;
}

/// Waits for the launcher to define `window.slotchat` and returns
/// `slotchat.visitorId()`.
async fn wait_for_visitor_id(browser: &Browser) -> String {
    let started = Instant::now();
    loop {
        let id = browser
            .client
            .execute("return window.slotchat && window.slotchat.visitorId ? window.slotchat.visitorId() : null;", vec![])
            .await
            .expect("read the visitor id");
        if let Value::String(id) = id {
            assert!((8..=64).contains(&id.len()), "visitor id `{id}`");
            return id;
        }
        assert!(started.elapsed() < Duration::from_secs(15), "window.slotchat never appeared");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}
