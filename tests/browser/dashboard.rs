//! The site owner's path through the dashboard in a real browser, against
//! the real server and the sandbox: connect HubSpot through OAuth, push
//! visitors one by one and in bulk, disconnect, and watch a workflow run and
//! a booking arrive.

use std::collections::BTreeSet;

use fantoccini::{Client, Locator};
use serde_json::{Value, json};

use crate::dashboard_page::{
    accept_confirm, click_button, click_labelled, open_page, read_text, refresh_until_row, run_script, sign_in,
    wait_for_new_window, wait_for_row, wait_for_text, wait_for_text_without, wait_for_url,
};
use crate::driver::{Browser, browser_tests_enabled};
use crate::helpers::{TestApp, connect_hubspot, spawn_app_with};
use crate::push_helpers::{all_records, assert_nothing_deleted, create_visitor, get_visitor, hubspot_get, push_options};
use crate::widget_client::{WidgetClient, book_frame};

const HUBSPOT_CARD: &str = "section[aria-labelledby='hubspot-title']";
const MEETING_TYPES: &str = "Meeting types as visitors see them";
const VISITORS: &str = "Visitors";
const RUNS: &str = "Recent runs, newest first";
const BOOKINGS: &str = "Recent bookings";

/// Column of the push status badge in the visitors table.
const VISITOR_PUSH_COLUMN: usize = 4;

const MARIA_EMAIL: &str = "maria@acme-widgets.test";
const JON_EMAIL: &str = "jon.smith@initech.test";
const LEE_EMAIL: &str = "lee.chen@umbrella.test";

/// Column of the outcome badge in the workflow runs table.
const RUN_OUTCOME_COLUMN: usize = 5;
/// Column of the push outcome badge in the bookings table.
const BOOKING_PUSH_COLUMN: usize = 4;

/// Reads the connection status from `GET /api/v1/integrations/hubspot`.
async fn connection_status(app: &TestApp) -> Value {
    app.admin_get("/api/v1/integrations/hubspot").await.json().await.expect("status is JSON")
}

/// Reads the status badge of the HubSpot card.
async fn status_badge(client: &Client) -> String {
    read_text(client, &format!("{HUBSPOT_CARD} dd .badge")).await
}

/// Clicks Connect, follows HubSpot's consent tab to slotchat's callback
/// page, closes that tab and returns to the dashboard. Returns the text of
/// the callback page.
async fn connect_in_browser(client: &Client, app: &TestApp) -> String {
    let dashboard = client.window().await.expect("read the dashboard's window");
    click_button(client, "Connect HubSpot").await;
    let consent = wait_for_new_window(client, &dashboard).await;

    client.switch_to_window(consent).await.expect("switch to the consent tab");
    wait_for_url(client, &format!("{}/oauth/hubspot/callback?", app.address)).await;
    let callback_page = wait_for_text(client, "body", "HubSpot connected").await;
    client.close_window().await.expect("close the consent tab");

    client.switch_to_window(dashboard).await.expect("switch back to the dashboard");
    let url = client.current_url().await.expect("read the dashboard's URL").to_string();
    assert!(url.starts_with(&format!("{}/dashboard", app.address)), "the dashboard tab navigated away to {url}");
    callback_page
}

/// Checks the Integrations page of a connected workspace: status, portal,
/// scopes, meeting types with the offline one, and the script tag.
async fn check_connected_integrations(client: &Client, app: &TestApp) {
    let status = connection_status(app).await;
    assert_eq!(status["status"], "connected", "{status}");
    let portal_id = status["portal_id"].to_string();
    let card = wait_for_text(client, HUBSPOT_CARD, &portal_id).await;
    assert_eq!(status_badge(client).await, "connected", "{card}");
    let scopes = status["scopes"].as_array().expect("scopes list");
    assert!(!scopes.is_empty(), "{status}");
    for scope in scopes {
        let scope = scope.as_str().expect("scope is text");
        assert!(card.contains(scope), "scope {scope} missing from:\n{card}");
    }
    assert!(card.contains("Disconnect"), "{card}");

    let offline = wait_for_row(client, MEETING_TYPES, "Consultation with Yuki", 2, "offline").await;
    assert_eq!(offline[3], "The host's calendar is not connected right now.", "{offline:?}");
    let online = wait_for_row(client, MEETING_TYPES, "Intro call with Ana", 2, "online").await;
    assert_eq!(online[3], "—", "{online:?}");

    let snippet = run_script(client, "return document.querySelector('textarea.code').value").await;
    let snippet = snippet.as_str().expect("snippet is text");
    assert!(snippet.contains(&format!("src=\"{}/widget.js\"", app.address)), "{snippet}");
    assert!(snippet.contains(&format!("data-site-key=\"{}\"", app.site.site_key)), "{snippet}");
}

/// Reads the push status badges of the visitors table, top to bottom.
async fn visitor_badges(client: &Client) -> Value {
    run_script(client, "return Array.from(document.querySelectorAll('#content td .badge')).map(b => b.textContent)").await
}

#[tokio::test]
async fn owner_connects_pushes_and_disconnects() {
    if !browser_tests_enabled("owner_connects_pushes_and_disconnects") {
        return;
    }
    let app = spawn_app_with(push_options()).await;
    let maria = create_visitor(&app, json!({"email": MARIA_EMAIL, "first_name": "Maria <b>bold</b>"})).await;
    let jon = create_visitor(&app, json!({"email": JON_EMAIL, "first_name": "Jon", "last_name": "Smith"})).await;
    let globex =
        create_visitor(&app, json!({"external_id": "crm-42", "company": {"name": "Globex", "domain": "globex.test"}}))
            .await;
    let browser = Browser::start().await;
    let client = &browser.client;

    sign_in(client, &app, "wrong-token").await;
    wait_for_text(client, "#sign-in-error", "not accepted").await;
    sign_in(client, &app, &app.admin_token).await;
    wait_for_text(client, HUBSPOT_CARD, "Connect HubSpot").await;
    assert_eq!(status_badge(client).await, "disconnected");
    wait_for_text(client, "#content", "Connect HubSpot to see them").await;
    let storage = run_script(client, "return [sessionStorage.length, localStorage.length, document.cookie]").await;
    assert_eq!(storage, json!([1, 0, ""]), "token kept in sessionStorage only");

    let callback_page = connect_in_browser(client, &app).await;
    wait_for_text(client, "#status", "HubSpot is connected.").await;
    let portal_id = connection_status(&app).await["portal_id"].to_string();
    assert!(callback_page.contains(&format!("portal {portal_id}")), "{callback_page}");
    check_connected_integrations(client, &app).await;

    open_page(client, "Visitors").await;
    let row = wait_for_row(client, VISITORS, MARIA_EMAIL, VISITOR_PUSH_COLUMN, "not pushed").await;
    assert!(row[1].contains("Maria <b>bold</b>"), "names are shown as text: {row:?}");
    let globex_row = wait_for_row(client, VISITORS, "Globex", VISITOR_PUSH_COLUMN, "not pushed").await;
    assert!(globex_row[1].contains("No email: HubSpot can match this visitor only to a company"), "{globex_row:?}");

    click_labelled(client, "Push Maria <b>bold</b> to HubSpot").await;
    let row = wait_for_row(client, VISITORS, MARIA_EMAIL, VISITOR_PUSH_COLUMN, "pushed").await;
    let maria_stored = get_visitor(&app, &maria).await;
    let contact_id = maria_stored["hubspot_contact_id"].as_str().expect("Maria's contact id");
    assert!(row[VISITOR_PUSH_COLUMN].contains(&format!("contact {contact_id}")), "{row:?}");
    let contact = hubspot_get(&app, &format!("/crm/v3/objects/contacts/{contact_id}?properties=email,firstname")).await;
    assert_eq!(contact["properties"]["email"], MARIA_EMAIL);
    assert_eq!(contact["properties"]["firstname"], "Maria <b>bold</b>");
    wait_for_row(client, VISITORS, JON_EMAIL, VISITOR_PUSH_COLUMN, "not pushed").await;

    click_labelled(client, "Select Jon Smith").await;
    click_labelled(client, "Select crm-42").await;
    click_button(client, "Push selected (2)").await;
    let progress = wait_for_text(client, "#content progress + span", "2 of 2 finished").await;
    assert!(progress.contains("2 pushed"), "{progress}");
    let visitors = wait_for_text_without(client, "#content table", "not pushed").await;
    assert_eq!(visitor_badges(client).await, json!(["pushed", "pushed", "pushed"]), "{visitors}");
    for id in [&jon, &globex] {
        let visitor = get_visitor(&app, id).await;
        assert_eq!(visitor["push_status"], "pushed", "{visitor}");
    }
    let emails: BTreeSet<String> = all_records(&app, "contacts", &["email"])
        .await
        .iter()
        .map(|contact| contact["properties"]["email"].as_str().unwrap_or_default().to_string())
        .collect();
    assert_eq!(emails, BTreeSet::from([MARIA_EMAIL.to_string(), JON_EMAIL.to_string()]));
    let companies = all_records(&app, "companies", &["domain"]).await;
    assert!(companies.iter().any(|company| company["properties"]["domain"] == "globex.test"), "{companies:?}");

    open_page(client, "Integrations").await;
    wait_for_text(client, HUBSPOT_CARD, "Disconnect").await;
    click_button(client, "Disconnect").await;
    let question = accept_confirm(client).await;
    assert!(question.contains("visitors keep their pushed status"), "{question}");
    wait_for_text(client, "#status", "HubSpot is disconnected.").await;
    wait_for_text(client, HUBSPOT_CARD, "Connect HubSpot").await;
    assert_eq!(status_badge(client).await, "disconnected");
    wait_for_text(client, "#content", "Connect HubSpot to see them").await;
    assert_eq!(connection_status(&app).await["status"], "disconnected");

    open_page(client, "Visitors").await;
    let row = wait_for_row(client, VISITORS, MARIA_EMAIL, VISITOR_PUSH_COLUMN, "pushed").await;
    assert!(row[VISITOR_PUSH_COLUMN].contains(&format!("contact {contact_id}")), "{row:?}");
    assert_eq!(visitor_badges(client).await, json!(["pushed", "pushed", "pushed"]));
    assert_nothing_deleted(&app).await;
    browser.close().await;
}

/// Creates an inactive `/pricing` workflow through the form, after the form
/// showed its error for a path without a leading slash, and activates it.
async fn create_pricing_workflow(client: &Client, app: &TestApp) {
    open_page(client, "Workflows").await;
    wait_for_text(client, "#content", "No workflows yet").await;
    click_button(client, "New workflow").await;
    let name = client.find(Locator::Id("workflow-name")).await.expect("name field");
    name.send_keys("Pricing visitors").await.expect("type the name");
    let value = client.find(Locator::Id("condition-0-value")).await.expect("path field");
    value.clear().await.expect("clear the path");
    value.send_keys("pricing").await.expect("type the path");
    click_button(client, "Create workflow").await;
    wait_for_text(client, ".workflow-form", "must start with /").await;
    assert_eq!(value.attr("aria-invalid").await.expect("read aria-invalid").as_deref(), Some("true"));

    value.clear().await.expect("clear the path");
    value.send_keys("/pricing").await.expect("type the path");
    click_button(client, "Create workflow").await;
    let list = wait_for_text(client, "#content table", "Push when visited a page that starts with /pricing").await;
    assert!(list.contains("inactive"), "{list}");
    click_button(client, "Activate").await;
    wait_for_text(client, "#content table", "Deactivate").await;
    let stored: Value = app.admin_get("/api/v1/workflows").await.json().await.expect("workflows are JSON");
    assert_eq!(stored["workflows"][0]["active"], true);
}

/// Books a 30-minute intro call with Ana over the widget protocol and
/// returns the confirmed start (RFC 3339).
async fn book_intro_call(app: &TestApp) -> String {
    const THIRTY_MINUTES_MS: i64 = 1_800_000;
    let (mut widget, _) = WidgetClient::start(app, "Europe/Madrid").await;
    let slots = widget.slots("ana-ruiz", Some(THIRTY_MINUTES_MS)).await;
    let start = WidgetClient::first_start(&slots);
    let frame = book_frame("key-dashboard-booking", "ana-ruiz", &start, THIRTY_MINUTES_MS, "maria.lopez@acme-widgets.com");
    widget.send(frame).await;
    let confirmed = widget.next_of_type("booking_confirmed").await;
    assert_eq!(confirmed["type"], "booking_confirmed", "{confirmed}");
    widget.close().await;
    start
}

#[tokio::test]
async fn owner_sees_workflow_runs_and_bookings() {
    if !browser_tests_enabled("owner_sees_workflow_runs_and_bookings") {
        return;
    }
    let app = spawn_app_with(push_options()).await;
    connect_hubspot(&app).await;
    let browser = Browser::start().await;
    let client = &browser.client;
    sign_in(client, &app, &app.admin_token).await;
    wait_for_text(client, HUBSPOT_CARD, "Disconnect").await;

    create_pricing_workflow(client, &app).await;
    let visitor = create_visitor(&app, json!({"email": LEE_EMAIL, "first_name": "Lee"})).await;
    click_labelled(client, "Show runs of Pricing visitors").await;
    click_button(client, "Refresh").await;
    wait_for_text(client, "section[aria-labelledby='runs-title'] table", "No runs yet").await;
    assert_eq!(get_visitor(&app, &visitor).await["push_status"], "not_pushed");

    let viewed_at = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    let page = json!({"url": "https://customer.test/pricing/teams", "title": "Pricing", "viewed_at": viewed_at});
    let updated = create_visitor(&app, json!({"email": LEE_EMAIL, "pages": [page]})).await;
    assert_eq!(updated, visitor, "the page view updates the same visitor");
    let run = refresh_until_row(client, RUNS, "Pricing visitors", RUN_OUTCOME_COLUMN, "pushed").await;
    assert_eq!(run[2], visitor, "{run:?}");
    assert_eq!(run[3], "visitor updated", "{run:?}");
    assert_eq!(run[4], "2", "the run records the updated data version: {run:?}");
    assert_eq!(run[6], "done", "the push job's status: {run:?}");
    assert_eq!(get_visitor(&app, &visitor).await["push_status"], "pushed");

    let start = book_intro_call(&app).await;
    open_page(client, "Bookings").await;
    let booking = refresh_until_row(client, BOOKINGS, "Intro call with Ana", BOOKING_PUSH_COLUMN, "pushed").await;
    let local_start = run_script(
        client,
        &format!("return new Date('{start}').toLocaleString(undefined, {{dateStyle: 'medium', timeStyle: 'short'}})"),
    )
    .await;
    let local_start = local_start.as_str().expect("formatted start");
    assert!(booking[1].starts_with(local_start), "start {local_start} missing: {booking:?}");
    assert!(booking[1].contains("30 min, booked in Europe/Madrid"), "{booking:?}");
    assert!(booking[2].contains("Maria Lopez"), "{booking:?}");
    assert!(booking[2].contains("maria.lopez@acme-widgets.com"), "{booking:?}");
    assert_eq!(booking[3], "confirmed", "{booking:?}");

    click_button(client, "Sign out").await;
    wait_for_text(client, "#sign-in-error", "Signed out").await;
    browser.close().await;
}
