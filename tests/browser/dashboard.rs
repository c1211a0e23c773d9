//! The site owner's dashboard in a real browser against the real server and
//! a connected sandbox portal.

use std::time::{Duration, Instant};

use fantoccini::{Client, Locator};
use serde_json::{Value, json};

use crate::driver::{Browser, browser_tests_enabled};
use crate::helpers::{TestApp, connect_hubspot, spawn_app};

const STEP_TIMEOUT: Duration = Duration::from_secs(15);

/// Waits until the text of the first element matching `selector` contains
/// `expected`, and returns that text.
async fn wait_for_text(client: &Client, selector: &str, expected: &str) -> String {
    let deadline = Instant::now() + STEP_TIMEOUT;
    loop {
        let text = client
            .execute(
                "const node = document.querySelector(arguments[0]); return node ? node.innerText : '';",
                vec![json!(selector)],
            )
            .await
            .expect("read text");
        let text = text.as_str().unwrap_or_default().to_string();
        if text.contains(expected) {
            return text;
        }
        assert!(Instant::now() < deadline, "`{selector}` never showed `{expected}`; it shows:\n{text}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Waits until the text of the first element matching `selector` no longer
/// contains `unexpected`, and returns that text.
async fn wait_for_text_without(client: &Client, selector: &str, unexpected: &str) -> String {
    let deadline = Instant::now() + STEP_TIMEOUT;
    loop {
        let text = wait_for_text(client, selector, "").await;
        if !text.contains(unexpected) {
            return text;
        }
        assert!(Instant::now() < deadline, "`{selector}` still shows `{unexpected}`:\n{text}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn click_button(client: &Client, label: &str) {
    let xpath = format!("//button[normalize-space(.)='{label}']");
    client.find(Locator::XPath(&xpath)).await.unwrap_or_else(|_| panic!("no `{label}` button")).click().await.unwrap();
}

async fn sign_in(client: &Client, app: &TestApp, token: &str) {
    client.goto(&format!("{}/dashboard", app.address)).await.expect("open the dashboard");
    let field = client.find(Locator::Id("admin-token")).await.expect("token field");
    field.clear().await.unwrap();
    field.send_keys(token).await.unwrap();
    client.find(Locator::Css("#sign-in-form button")).await.unwrap().click().await.unwrap();
}

async fn create_visitor(app: &TestApp, body: Value) -> String {
    let response = app.admin_post("/api/v1/visitors", &body).await;
    assert!(response.status().is_success(), "create visitor");
    let json: Value = response.json().await.unwrap();
    json["id"].as_str().unwrap().to_string()
}

#[tokio::test]
async fn dashboard_owner_journey() {
    if !browser_tests_enabled("dashboard_owner_journey") {
        return;
    }
    let app = spawn_app().await;
    connect_hubspot(&app).await;
    create_visitor(&app, json!({"email": "maria@acme-widgets.test", "first_name": "Maria <b>bold</b>"})).await;
    create_visitor(&app, json!({"external_id": "crm-42", "company": {"name": "Globex", "domain": "globex.test"}})).await;
    let browser = Browser::start().await;
    let client = &browser.client;

    sign_in(client, &app, "wrong-token").await;
    wait_for_text(client, "#sign-in-error", "not accepted").await;

    sign_in(client, &app, &app.admin_token).await;
    let integrations = wait_for_text(client, "#content", "Scopes granted").await;
    assert!(integrations.contains("connected"), "{integrations}");
    assert!(integrations.contains("Disconnect"), "{integrations}");
    let snippet = client
        .execute("return document.querySelector('textarea.code').value", vec![])
        .await
        .unwrap();
    assert!(snippet.as_str().unwrap().contains(&format!("data-site-key=\"{}\"", app.site.site_key)));
    wait_for_text(client, "#content", "Meeting types as visitors see them").await;
    let storage = client
        .execute("return [sessionStorage.length, localStorage.length, document.cookie]", vec![])
        .await
        .unwrap();
    assert_eq!(storage, json!([1, 0, ""]), "token kept in sessionStorage only");

    client.goto(&format!("{}/dashboard#/visitors", app.address)).await.unwrap();
    let visitors = wait_for_text(client, "#content table", "Globex").await;
    assert_eq!(visitors.matches("not pushed").count(), 2, "{visitors}");
    assert!(visitors.contains("Maria <b>bold</b>"), "names are shown as text: {visitors}");
    assert!(visitors.contains("No email: HubSpot can match this visitor only to a company"), "{visitors}");
    client
        .find(Locator::Css("input[aria-label='Select all visitors in the table']"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    click_button(client, "Push selected (2)").await;
    wait_for_text(client, "#content progress + span", "2 of 2 finished").await;
    let visitors = wait_for_text_without(client, "#content table", "not pushed").await;
    let badges = client
        .execute("return Array.from(document.querySelectorAll('#content td .badge')).map(b => b.textContent)", vec![])
        .await
        .unwrap();
    assert_eq!(badges, json!(["pushed", "pushed"]), "{visitors}");
    assert!(!visitors.contains("queued"), "{visitors}");
    assert!(!visitors.contains("failed"), "{visitors}");

    client.goto(&format!("{}/dashboard#/workflows", app.address)).await.unwrap();
    wait_for_text(client, "#content", "No workflows yet").await;
    click_button(client, "New workflow").await;
    client.find(Locator::Id("workflow-name")).await.unwrap().send_keys("Pricing visitors").await.unwrap();
    let value = client.find(Locator::Id("condition-0-value")).await.unwrap();
    value.clear().await.unwrap();
    value.send_keys("pricing").await.unwrap();
    click_button(client, "Create workflow").await;
    wait_for_text(client, ".workflow-form", "must start with /").await;
    assert_eq!(value.attr("aria-invalid").await.unwrap().as_deref(), Some("true"));

    value.clear().await.unwrap();
    value.send_keys("/pricing").await.unwrap();
    click_button(client, "Create workflow").await;
    let list = wait_for_text(client, "#content table", "Push when visited a page that starts with /pricing").await;
    assert!(list.contains("inactive"), "{list}");
    click_button(client, "Activate").await;
    wait_for_text(client, "#content table", "Deactivate").await;
    let stored: Value = app.admin_get("/api/v1/workflows").await.json().await.unwrap();
    assert_eq!(stored["workflows"][0]["active"], true);

    click_button(client, "Sign out").await;
    wait_for_text(client, "#sign-in-error", "Signed out").await;
    browser.close().await;
}
