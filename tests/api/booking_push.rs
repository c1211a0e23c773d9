//! What a booking leaves in HubSpot: the meeting, the booker's contact with
//! a visit note, and the company of the booker's email domain.

use std::time::Duration;

use serde_json::Value;

use crate::push_helpers::{all_records, associated_ids, get_visitor, hubspot_get, spawn_connected_app};
use crate::widget_client::{WidgetClient, book_frame};

const ANA: &str = "ana-ruiz";
const THIRTY_MINUTES_MS: i64 = 1_800_000;

async fn book_as(app: &crate::helpers::TestApp, key: &str, email: &str) -> Value {
    let (mut client, _) = WidgetClient::start(app, "Europe/Madrid").await;
    let slots = client.slots(ANA, Some(THIRTY_MINUTES_MS)).await;
    let start = WidgetClient::first_start(&slots);
    client.send(book_frame(key, ANA, &start, THIRTY_MINUTES_MS, email)).await;
    let confirmed = client.next_of_type("booking_confirmed").await;
    assert_eq!(confirmed["type"], "booking_confirmed", "{confirmed}");
    confirmed
}

/// Waits until the booker's visitor is pushed and returns it.
async fn wait_until_pushed(app: &crate::helpers::TestApp) -> Value {
    for _ in 0..200 {
        let bookings: Value = app.admin_get("/api/v1/bookings").await.json().await.expect("JSON");
        let booking = &bookings["bookings"][0];
        if booking["push_status"] == "pushed" {
            let visitor_id = booking["visitor_id"].as_str().expect("visitor id");
            return get_visitor(app, visitor_id).await;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("the booker was not pushed in time");
}

#[tokio::test]
async fn booker_lands_as_contact_with_company() {
    let app = spawn_connected_app().await;
    let confirmed = book_as(&app, "key-push-booker", "maria.lopez@acme-widgets.com").await;
    let visitor = wait_until_pushed(&app).await;

    let bookings: Value = app.admin_get("/api/v1/bookings").await.json().await.expect("JSON");
    let contact_id = bookings["bookings"][0]["hubspot_contact_id"].as_str().expect("contact id").to_string();
    assert_eq!(visitor["hubspot_contact_id"], contact_id, "the push reuses the booking's contact");

    let contact = hubspot_get(&app, &format!("/crm/v3/objects/contacts/{contact_id}?properties=email,firstname,lastname")).await;
    assert_eq!(contact["properties"]["email"], "maria.lopez@acme-widgets.com");
    assert_eq!(contact["properties"]["firstname"], "Maria");
    assert_eq!(contact["properties"]["lastname"], "Lopez");

    let contacts = all_records(&app, "contacts", &["email"]).await;
    assert_eq!(contacts.len(), 1, "one contact, no duplicate");

    let company_id = visitor["hubspot_company_id"].as_str().expect("company id").to_string();
    let company = hubspot_get(&app, &format!("/crm/v3/objects/companies/{company_id}?properties=domain")).await;
    assert_eq!(company["properties"]["domain"], "acme-widgets.com");
    assert_eq!(associated_ids(&app, "contacts", &contact_id, "companies").await, vec![company_id]);

    let notes = associated_ids(&app, "contacts", &contact_id, "notes").await;
    assert_eq!(notes.len(), 1, "one visit note");
    let note = hubspot_get(&app, &format!("/crm/v3/objects/notes/{}?properties=hs_note_body", notes[0])).await;
    let body = note["properties"]["hs_note_body"].as_str().unwrap_or_default();
    assert!(body.contains("Intro call with Ana"), "the note names the meeting: {body}");
    assert!(confirmed["booking_id"].is_string());
}

#[tokio::test]
async fn free_mail_booker_gets_no_company() {
    let app = spawn_connected_app().await;
    book_as(&app, "key-push-gmail", "maria.lopez@gmail.com").await;
    let visitor = wait_until_pushed(&app).await;
    assert!(visitor["hubspot_contact_id"].is_string());
    assert!(visitor["hubspot_company_id"].is_null(), "{visitor}");
    assert!(all_records(&app, "companies", &["domain"]).await.is_empty());
}
