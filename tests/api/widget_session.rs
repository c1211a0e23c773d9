//! The widget's WebSocket session against the real server and the sandbox.

use serde_json::{Value, json};

use crate::helpers::{connect_hubspot, sandbox_endpoint_count, spawn_app};
use crate::widget_client::{WidgetClient, book_frame, try_connect};

const ANA: &str = "ana-ruiz";
const THIRTY_MINUTES_MS: i64 = 1_800_000;

fn find<'a>(items: &'a [Value], id: &str) -> &'a Value {
    items.iter().find(|item| item["id"] == id).unwrap_or_else(|| panic!("meeting type {id} listed"))
}

async fn booked_meetings(app: &crate::helpers::TestApp) -> Vec<Value> {
    let body: Value = app.sandbox_get("/_sandbox/meetings").await.json().await.expect("meetings are JSON");
    body["meetings"].as_array().expect("meetings is an array").clone()
}

#[tokio::test]
async fn socket_rejects_foreign_origin() {
    let app = spawn_app().await;
    let status = try_connect(&app, &app.site.site_key, "http://evil.test").await.err();
    assert_eq!(status, Some(403));
}

#[tokio::test]
async fn socket_rejects_unknown_site_key() {
    let app = spawn_app().await;
    let status = try_connect(&app, "site_unknown", crate::helpers::SITE_ORIGIN).await.err();
    assert_eq!(status, Some(404));
}

#[tokio::test]
async fn frame_before_hello_is_rejected() {
    let app = spawn_app().await;
    let mut client = WidgetClient::connect(&app).await;
    client.send(json!({"type": "list_meeting_types"})).await;
    let frame = client.next_frame().await;
    assert_eq!(frame["code"], "hello_required");
}

#[tokio::test]
async fn malformed_frame_gets_typed_error() {
    let app = spawn_app().await;
    let (mut client, _) = WidgetClient::start(&app, "Europe/Madrid").await;
    client.send(json!({"type": "dance"})).await;
    let frame = client.next_frame().await;
    assert_eq!(frame["type"], "error");
    assert_eq!(frame["code"], "invalid_frame");
    // The connection lives on after a bad frame.
    client.send(json!({"type": "set_time_zone", "time_zone": "Mars/Base"})).await;
    let frame = client.next_frame().await;
    assert_eq!(frame["field"], "time_zone");
}

#[tokio::test]
async fn hello_rejects_unknown_time_zone() {
    let app = spawn_app().await;
    let mut client = WidgetClient::connect(&app).await;
    client.send(json!({"type": "hello", "time_zone": "Europe/Atlantis", "locale": "en"})).await;
    let frame = client.next_frame().await;
    assert_eq!(frame["code"], "invalid_field");
    assert_eq!(frame["field"], "time_zone");
}

#[tokio::test]
async fn booking_unavailable_without_hubspot() {
    let app = spawn_app().await;
    let (mut client, welcome) = WidgetClient::start(&app, "Europe/Madrid").await;
    assert_eq!(welcome["booking_available"], false);
    client.send(book_frame("key-unconnected-1", ANA, "2030-01-07T09:00:00Z", THIRTY_MINUTES_MS, "maria@acme-widgets.com")).await;
    let frame = client.next_frame().await;
    assert_eq!(frame["code"], "booking_unavailable");
}

#[tokio::test]
async fn offline_meeting_types_are_listed() {
    let app = spawn_app().await;
    connect_hubspot(&app).await;
    let (mut client, welcome) = WidgetClient::start(&app, "Europe/Madrid").await;
    assert_eq!(welcome["booking_available"], true);
    let items = client.meeting_types().await;

    assert_eq!(find(&items, ANA)["status"], "available");
    assert_eq!(find(&items, "sales-team/product-demo")["status"], "available");
    let yuki = find(&items, "yuki-tanaka");
    assert_eq!(yuki["status"], "offline");
    assert_eq!(yuki["offline_reason"], "hosts_offline");
    let workshop = find(&items, "sales-team/onboarding-workshop");
    assert_eq!(workshop["status"], "offline");
    assert_eq!(workshop["offline_reason"], "no_availability");
    assert!(workshop["offline_message"].as_str().is_some_and(|text| !text.is_empty()));
}

#[tokio::test]
async fn concurrent_misses_make_one_call() {
    let app = spawn_app().await;
    connect_hubspot(&app).await;
    let mut tasks = Vec::new();
    for index in 0..12 {
        let zone = if index % 2 == 0 { "Asia/Tokyo" } else { "America/Los_Angeles" };
        let (mut client, _) = WidgetClient::start(&app, zone).await;
        tasks.push(tokio::spawn(async move {
            let items = client.meeting_types().await;
            let slots = client.slots(ANA, Some(THIRTY_MINUTES_MS)).await;
            (items.len(), slots["type"].clone())
        }));
    }
    for task in tasks {
        let (count, slots_type) = task.await.expect("widget task finished");
        assert!(count >= 5);
        assert_eq!(slots_type, "slots");
    }
    assert_eq!(sandbox_endpoint_count(&app, "GET /scheduler/v3/meetings/meeting-links").await, 1);
    let info_key = "GET /scheduler/v3/meetings/meeting-links/book/{slug}";
    let info_calls = sandbox_endpoint_count(&app, info_key).await;
    assert_eq!(info_calls, 5, "one booking-info call per link, whatever the visitors' zones");
}

#[tokio::test]
async fn slots_follow_visitor_zone() {
    let app = spawn_app().await;
    connect_hubspot(&app).await;
    let (mut tokyo, _) = WidgetClient::start(&app, "Asia/Tokyo").await;
    let (mut new_york, _) = WidgetClient::start(&app, "America/New_York").await;
    let in_tokyo = tokyo.slots(ANA, Some(THIRTY_MINUTES_MS)).await;
    let in_new_york = new_york.slots(ANA, Some(THIRTY_MINUTES_MS)).await;

    assert_eq!(in_tokyo["time_zone"], "Asia/Tokyo");
    assert_eq!(WidgetClient::all_starts(&in_tokyo), WidgetClient::all_starts(&in_new_york));
    let first = &in_tokyo["days"][0];
    let start: chrono::DateTime<chrono::Utc> = first["slots"][0]["start"].as_str().unwrap().parse().unwrap();
    let local = start.with_timezone(&chrono_tz::Asia::Tokyo);
    assert_eq!(first["date"], local.format("%Y-%m-%d").to_string());
    assert_eq!(first["slots"][0]["local_time"], local.format("%H:%M").to_string());
}

#[tokio::test]
async fn booking_lands_in_sandbox() {
    let app = spawn_app().await;
    connect_hubspot(&app).await;
    let (mut client, _) = WidgetClient::start(&app, "Europe/Madrid").await;
    let slots = client.slots(ANA, Some(THIRTY_MINUTES_MS)).await;
    let start = WidgetClient::first_start(&slots);

    client.send(book_frame("key-lands-0001", ANA, &start, THIRTY_MINUTES_MS, "Maria.Lopez@Acme-Widgets.com")).await;
    let confirmed = client.next_of_type("booking_confirmed").await;
    assert_eq!(confirmed["type"], "booking_confirmed", "{confirmed}");
    assert_eq!(confirmed["start"], start);
    assert_eq!(confirmed["time_zone"], "Europe/Madrid");
    assert_eq!(confirmed["on_calendar"], true);

    let meetings = booked_meetings(&app).await;
    assert_eq!(meetings.len(), 1);
    let bookings: Value = app.admin_get("/api/v1/bookings").await.json().await.expect("bookings JSON");
    assert_eq!(bookings["bookings"][0]["status"], "confirmed");
    assert_eq!(bookings["bookings"][0]["email"], "maria.lopez@acme-widgets.com");
}

#[tokio::test]
async fn booked_slot_is_no_longer_offered() {
    let app = spawn_app().await;
    connect_hubspot(&app).await;
    let (mut watcher, _) = WidgetClient::start(&app, "UTC").await;
    let before = watcher.slots(ANA, Some(THIRTY_MINUTES_MS)).await;
    let start = WidgetClient::first_start(&before);

    let (mut booker, _) = WidgetClient::start(&app, "Europe/Madrid").await;
    booker.send(book_frame("key-watched-01", ANA, &start, THIRTY_MINUTES_MS, "maria@acme-widgets.com")).await;
    assert_eq!(booker.next_of_type("booking_confirmed").await["type"], "booking_confirmed");

    let changed = watcher.next_of_type("slots_changed").await;
    assert_eq!(changed["meeting_type_id"], ANA);
    assert_eq!(changed["removed"], json!([start]));
    let after = watcher.slots(ANA, Some(THIRTY_MINUTES_MS)).await;
    assert!(!WidgetClient::all_starts(&after).contains(&start));
}

#[tokio::test]
async fn racing_visitors_book_once() {
    let app = spawn_app().await;
    connect_hubspot(&app).await;
    let (mut first, _) = WidgetClient::start(&app, "Europe/Madrid").await;
    let (mut second, _) = WidgetClient::start(&app, "America/New_York").await;
    let slots = first.slots(ANA, Some(THIRTY_MINUTES_MS)).await;
    let start = WidgetClient::first_start(&slots);
    second.slots(ANA, Some(THIRTY_MINUTES_MS)).await;

    first.send(book_frame("key-race-first", ANA, &start, THIRTY_MINUTES_MS, "first@acme-widgets.com")).await;
    second.send(book_frame("key-race-second", ANA, &start, THIRTY_MINUTES_MS, "second@globex.example.org")).await;
    let outcomes = [first.next_of_type("booking_confirmed").await, second.next_of_type("booking_confirmed").await];

    let confirmed = outcomes.iter().filter(|frame| frame["type"] == "booking_confirmed").count();
    assert_eq!(confirmed, 1, "{outcomes:?}");
    let loser = outcomes.iter().find(|frame| frame["type"] == "error").expect("one error");
    assert_eq!(loser["code"], "slot_unavailable");
    assert_eq!(booked_meetings(&app).await.len(), 1);
}

#[tokio::test]
async fn taken_slot_answers_with_fresh_slots() {
    let app = spawn_app().await;
    connect_hubspot(&app).await;
    let (mut client, _) = WidgetClient::start(&app, "Europe/Madrid").await;
    let slots = client.slots(ANA, Some(THIRTY_MINUTES_MS)).await;
    let start = WidgetClient::first_start(&slots);
    client.send(book_frame("key-fresh-first", ANA, &start, THIRTY_MINUTES_MS, "first@acme-widgets.com")).await;
    client.next_of_type("booking_confirmed").await;

    client.send(book_frame("key-fresh-second", ANA, &start, THIRTY_MINUTES_MS, "late@acme-widgets.com")).await;
    let error = client.next_of_type("booking_confirmed").await;
    assert_eq!(error["code"], "slot_unavailable");
    let fresh = client.next_of_type("slots").await;
    assert!(!WidgetClient::all_starts(&fresh).contains(&start));
}

#[tokio::test]
async fn reconnect_resends_without_double_booking() {
    let app = spawn_app().await;
    connect_hubspot(&app).await;
    let (mut client, welcome) = WidgetClient::start(&app, "Europe/Madrid").await;
    let token = welcome["resume_token"].as_str().expect("resume token").to_string();
    let slots = client.slots(ANA, Some(THIRTY_MINUTES_MS)).await;
    let start = WidgetClient::first_start(&slots);
    let frame = book_frame("key-reconnect-1", ANA, &start, THIRTY_MINUTES_MS, "maria@acme-widgets.com");

    // The connection drops right after the booking is sent.
    client.send(frame.clone()).await;
    client.close().await;

    let mut again = WidgetClient::connect(&app).await;
    let resumed = again.hello("Europe/Madrid", Some(&token)).await;
    assert_eq!(resumed["resumed"], true);
    assert_eq!(resumed["session_id"], welcome["session_id"]);
    again.send(frame).await;
    let confirmed = again.next_of_type("booking_confirmed").await;
    assert_eq!(confirmed["type"], "booking_confirmed", "{confirmed}");
    assert_eq!(booked_meetings(&app).await.len(), 1);

    let mut third = WidgetClient::connect(&app).await;
    let welcome = third.hello("Europe/Madrid", Some(&token)).await;
    assert_eq!(welcome["bookings"][0]["booking_id"], confirmed["booking_id"]);
}

#[tokio::test]
async fn expired_token_mid_flow_refreshes() {
    let app = spawn_app().await;
    connect_hubspot(&app).await;
    let (mut client, _) = WidgetClient::start(&app, "Europe/Madrid").await;
    let slots = client.slots(ANA, Some(THIRTY_MINUTES_MS)).await;
    let start = WidgetClient::first_start(&slots);

    let expired = app.sandbox_post("/_sandbox/tokens/expire", &json!({})).await;
    assert!(expired.status().is_success());
    client.send(book_frame("key-expired-01", ANA, &start, THIRTY_MINUTES_MS, "maria@acme-widgets.com")).await;
    let confirmed = client.next_of_type("booking_confirmed").await;
    assert_eq!(confirmed["type"], "booking_confirmed", "{confirmed}");
}

#[tokio::test]
async fn invalid_email_names_field() {
    let app = spawn_app().await;
    connect_hubspot(&app).await;
    let (mut client, _) = WidgetClient::start(&app, "Europe/Madrid").await;
    let slots = client.slots(ANA, Some(THIRTY_MINUTES_MS)).await;
    let start = WidgetClient::first_start(&slots);
    client.send(book_frame("key-bad-email1", ANA, &start, THIRTY_MINUTES_MS, "maria@")).await;
    let frame = client.next_frame().await;
    assert_eq!(frame["code"], "invalid_field");
    assert_eq!(frame["field"], "email");
    assert_eq!(frame["idempotency_key"], "key-bad-email1");
    assert!(booked_meetings(&app).await.is_empty());
}

#[tokio::test]
async fn required_question_must_be_answered() {
    let app = spawn_app().await;
    connect_hubspot(&app).await;
    let (mut client, _) = WidgetClient::start(&app, "Europe/Madrid").await;
    let demo = "sales-team/product-demo";
    let slots = client.slots(demo, Some(THIRTY_MINUTES_MS)).await;
    let question = slots["form"]["fields"][0].clone();
    assert_eq!(question["required"], true, "{slots}");
    let start = WidgetClient::first_start(&slots);

    client.send(book_frame("key-question-1", demo, &start, THIRTY_MINUTES_MS, "maria@acme-widgets.com")).await;
    let frame = client.next_frame().await;
    assert_eq!(frame["code"], "invalid_field");
    assert_eq!(frame["field"], format!("answers.{}", question["name"].as_str().unwrap()));

    let mut answered = book_frame("key-question-2", demo, &start, THIRTY_MINUTES_MS, "maria@acme-widgets.com");
    answered["answers"] = json!([{"name": question["name"], "value": question["options"][0]["value"]}]);
    client.send(answered).await;
    let confirmed = client.next_of_type("booking_confirmed").await;
    assert_eq!(confirmed["type"], "booking_confirmed", "{confirmed}");
}

#[tokio::test]
async fn minutes_duration_is_rejected() {
    let app = spawn_app().await;
    connect_hubspot(&app).await;
    let (mut client, _) = WidgetClient::start(&app, "Europe/Madrid").await;
    let slots = client.slots(ANA, Some(THIRTY_MINUTES_MS)).await;
    let start = WidgetClient::first_start(&slots);
    client.send(book_frame("key-minutes-01", ANA, &start, 30, "maria@acme-widgets.com")).await;
    let frame = client.next_frame().await;
    assert_eq!(frame["field"], "duration_ms");
}

#[tokio::test]
async fn disconnect_makes_booking_unavailable() {
    let app = spawn_app().await;
    connect_hubspot(&app).await;
    let (mut client, _) = WidgetClient::start(&app, "Europe/Madrid").await;
    let slots = client.slots(ANA, Some(THIRTY_MINUTES_MS)).await;
    let start = WidgetClient::first_start(&slots);

    let response = app.admin_delete("/api/v1/integrations/hubspot").await;
    assert_eq!(response.status(), 200);
    client.send(book_frame("key-after-disc1", ANA, &start, THIRTY_MINUTES_MS, "maria@acme-widgets.com")).await;
    let frame = client.next_frame().await;
    assert_eq!(frame["code"], "booking_unavailable");

    let (_, welcome) = WidgetClient::start(&app, "Europe/Madrid").await;
    assert_eq!(welcome["booking_available"], false);
    assert!(booked_meetings(&app).await.is_empty());
}

/// Route of HubSpot's booking endpoint, as the sandbox's faults and
/// statistics name it.
const BOOK_PATH: &str = "/scheduler/v3/meetings/meeting-links/book";

/// Makes the sandbox delay booking responses by 3 s, past the harness's 2 s
/// HubSpot timeout. `when` is `after` (the booking is made, the response
/// comes late) or `before` (nothing is made).
async fn delay_bookings(app: &crate::helpers::TestApp, when: &str, times: Option<u32>) {
    let mut fault = json!({"method": "POST", "path": BOOK_PATH, "kind": "timeout", "delay_ms": 3_000, "when": when});
    if let Some(times) = times {
        fault["times"] = json!(times);
    }
    let response = app.sandbox_post("/_sandbox/faults", &fault).await;
    assert_eq!(response.status(), 201, "fault stored");
}

async fn booking_rows(app: &crate::helpers::TestApp) -> Vec<Value> {
    let body: Value = app.admin_get("/api/v1/bookings").await.json().await.expect("bookings JSON");
    body["bookings"].as_array().expect("bookings is an array").clone()
}

#[tokio::test]
async fn timed_out_booking_found_landed() {
    let app = spawn_app().await;
    connect_hubspot(&app).await;
    let (mut client, _) = WidgetClient::start(&app, "Europe/Madrid").await;
    let slots = client.slots(ANA, Some(THIRTY_MINUTES_MS)).await;
    let start = WidgetClient::first_start(&slots);
    delay_bookings(&app, "after", None).await;

    client.send(book_frame("key-late-answer1", ANA, &start, THIRTY_MINUTES_MS, "maria@acme-widgets.com")).await;
    let confirmed = client.next_of_type("booking_confirmed").await;
    assert_eq!(confirmed["type"], "booking_confirmed", "{confirmed}");
    assert_eq!(confirmed["start"], start);
    assert_eq!(confirmed["on_calendar"], true);

    let meetings = booked_meetings(&app).await;
    assert_eq!(meetings.len(), 1, "{meetings:?}");
    assert_eq!(sandbox_endpoint_count(&app, &format!("POST {BOOK_PATH}")).await, 1, "booked once, never resent");
    let rows = booking_rows(&app).await;
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0]["status"], "confirmed", "{rows:?}");
    assert_eq!(rows[0]["hubspot_contact_id"], meetings[0]["contactId"]);
}

#[tokio::test]
async fn timed_out_unsent_booking_rebooks_once() {
    let app = spawn_app().await;
    connect_hubspot(&app).await;
    let (mut client, _) = WidgetClient::start(&app, "Europe/Madrid").await;
    let slots = client.slots(ANA, Some(THIRTY_MINUTES_MS)).await;
    let start = WidgetClient::first_start(&slots);
    delay_bookings(&app, "before", Some(1)).await;

    client.send(book_frame("key-late-unsent1", ANA, &start, THIRTY_MINUTES_MS, "maria@acme-widgets.com")).await;
    let confirmed = client.next_of_type("booking_confirmed").await;
    assert_eq!(confirmed["type"], "booking_confirmed", "{confirmed}");
    assert_eq!(confirmed["start"], start);

    let meetings = booked_meetings(&app).await;
    assert_eq!(meetings.len(), 1, "{meetings:?}");
    assert_eq!(sandbox_endpoint_count(&app, &format!("POST {BOOK_PATH}")).await, 2, "the timed-out call and one resend");
    let rows = booking_rows(&app).await;
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0]["status"], "confirmed", "{rows:?}");
}

#[tokio::test]
async fn oversized_frame_closes_socket() {
    let app = spawn_app().await;
    let (mut client, _) = WidgetClient::start(&app, "Europe/Madrid").await;
    let padding = "x".repeat(app.state.settings.widget_max_frame_bytes + 1);
    client.send(json!({"type": "page_view", "url": "https://customer.test/", "title": padding})).await;
    let code = client.expect_close(std::time::Duration::from_secs(10)).await;
    assert_eq!(code, Some(1009), "message too big");
}

#[tokio::test]
async fn silent_client_is_disconnected() {
    let options = crate::helpers::TestOptions {
        configure: |settings| {
            settings.widget_heartbeat_interval_secs = 1;
            settings.widget_client_timeout_secs = 2;
        },
        ..Default::default()
    };
    let app = crate::helpers::spawn_app_with(options).await;
    let (mut client, _) = WidgetClient::start(&app, "Europe/Madrid").await;
    // Not reading means not answering the server's pings.
    tokio::time::sleep(std::time::Duration::from_secs(4)).await;
    let code = client.expect_close(std::time::Duration::from_secs(10)).await;
    assert!(matches!(code, None | Some(1001)), "expected going away (1001), got {code:?}");
}
