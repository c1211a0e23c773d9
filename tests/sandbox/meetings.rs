//! Meeting engagements: the record a booking logs, and the meetings object
//! on the record, association and search endpoints.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{TestSandbox, error_body, start};
use crate::scheduler::{THIRTY_MINUTES_MS, book, booking, pick, slots};

/// Ana Ruiz's owner id; her user id is 51200447.
const ANA_OWNER_ID: &str = "61200447";

/// Books `slug` at a free slot and returns the response body and the start.
async fn book_slot(sandbox: &TestSandbox, token: &str, slug: &str, email: &str) -> (Value, i64) {
    let start_ms = pick(&slots(sandbox, token, slug, THIRTY_MINUTES_MS).await);
    let response = book(
        sandbox,
        token,
        booking(slug, email, start_ms, THIRTY_MINUTES_MS),
    )
    .await;
    assert_eq!(response.status(), StatusCode::OK, "booking {slug}");
    (response.json().await.expect("booking JSON"), start_ms)
}

/// `toObjectId`s and type ids of a record's associations to `to`.
async fn associations(
    sandbox: &TestSandbox,
    token: &str,
    from: &str,
    to: &str,
) -> Vec<(String, Vec<u64>)> {
    let response = sandbox
        .get(token, &format!("/crm/v4/objects/{from}/associations/{to}"))
        .await;
    assert_eq!(response.status(), StatusCode::OK, "associations of {from}");
    let body: Value = response.json().await.expect("associations JSON");
    body["results"]
        .as_array()
        .expect("results")
        .iter()
        .map(|item| {
            let types = item["associationTypes"]
                .as_array()
                .expect("associationTypes")
                .iter()
                .map(|kind| kind["typeId"].as_u64().expect("typeId"))
                .collect();
            (item["toObjectId"].to_string().replace('"', ""), types)
        })
        .collect()
}

fn iso(epoch_ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(epoch_ms)
        .expect("a valid instant")
        .to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

#[tokio::test]
async fn online_booking_logs_meeting() {
    let sandbox = start().await;
    let token = sandbox.token().await;
    let (booked, start_ms) =
        book_slot(&sandbox, &token, "ana-ruiz", "maria@acme-widgets.com").await;
    assert_eq!(booked["isOffline"], false);
    let contact_id = booked["contactId"].as_str().expect("contactId");

    let from_contact = associations(
        &sandbox,
        &token,
        &format!("contacts/{contact_id}"),
        "meetings",
    )
    .await;
    assert_eq!(from_contact.len(), 1, "one meeting on the contact");
    let (meeting_id, contact_to_meeting) = &from_contact[0];
    assert_eq!(contact_to_meeting, &vec![199]);
    let from_meeting = associations(
        &sandbox,
        &token,
        &format!("meetings/{meeting_id}"),
        "contacts",
    )
    .await;
    assert_eq!(from_meeting, vec![(contact_id.to_string(), vec![200])]);

    let names = "hs_meeting_title,hs_meeting_start_time,hs_meeting_end_time,hs_timestamp,\
                 hs_meeting_outcome,hs_meeting_source,hubspot_owner_id";
    let response = sandbox
        .get(
            &token,
            &format!("/crm/v3/objects/meetings/{meeting_id}?properties={names}"),
        )
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    let meeting: Value = response.json().await.expect("meeting JSON");
    let properties = &meeting["properties"];
    assert_eq!(properties["hs_meeting_title"], booked["subject"]);
    assert_eq!(properties["hs_meeting_start_time"], iso(start_ms));
    assert_eq!(
        properties["hs_meeting_end_time"],
        iso(start_ms + THIRTY_MINUTES_MS)
    );
    assert_eq!(properties["hs_timestamp"], iso(start_ms));
    assert_eq!(properties["hs_meeting_outcome"], "SCHEDULED");
    assert_eq!(properties["hs_meeting_source"], "INTEGRATION");
    assert_eq!(properties["hubspot_owner_id"], ANA_OWNER_ID);

    let booked_list = sandbox.control_get("/_sandbox/meetings").await;
    assert_eq!(
        booked_list["meetings"][0]["engagementId"],
        json!(meeting_id)
    );
}

#[tokio::test]
async fn meeting_reads_on_both_schemes() {
    let sandbox = start().await;
    let token = sandbox.token().await;
    let (booked, start_ms) = book_slot(&sandbox, &token, "ana-ruiz", "lee@acme-widgets.com").await;
    let contact_id = booked["contactId"].as_str().expect("contactId");
    let contact: Value = sandbox
        .get(
            &token,
            &format!("/crm/objects/2026-03/contacts/{contact_id}?associations=meetings"),
        )
        .await
        .json()
        .await
        .expect("contact JSON");
    let listed = &contact["associations"]["meetings"]["results"];
    assert_eq!(listed[0]["type"], "contact_to_meeting", "{contact}");
    let meeting_id = listed[0]["id"].as_str().expect("meeting id").to_string();

    let response = sandbox
        .post(
            &token,
            "/crm/v3/objects/meetings/batch/read",
            json!({ "inputs": [{ "id": meeting_id }], "properties": ["hs_meeting_start_time"] }),
        )
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    let batch: Value = response.json().await.expect("batch JSON");
    assert_eq!(
        batch["results"][0]["properties"]["hs_meeting_start_time"],
        iso(start_ms)
    );

    let search = json!({
        "filterGroups": [{ "filters": [
            { "propertyName": "hubspot_owner_id", "operator": "EQ", "value": ANA_OWNER_ID },
            { "propertyName": "hs_meeting_start_time", "operator": "EQ", "value": start_ms.to_string() },
        ]}],
    });
    let response = sandbox
        .post(&token, "/crm/objects/2026-03/meetings/search", search)
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    let found: Value = response.json().await.expect("search JSON");
    assert_eq!(found["total"], 1, "{found}");
    assert_eq!(found["results"][0]["id"], json!(meeting_id));

    let by_type_id = sandbox
        .get(
            &token,
            &format!("/crm/v4/objects/0-47/{meeting_id}/associations/0-1"),
        )
        .await;
    assert_eq!(by_type_id.status(), StatusCode::OK);
}

#[tokio::test]
async fn offline_booking_logs_no_meeting() {
    let sandbox = start().await;
    let token = sandbox.token().await;
    let (booked, _) = book_slot(&sandbox, &token, "yuki-tanaka", "kenji@acme-widgets.com").await;
    assert_eq!(booked["isOffline"], true);
    let contact_id = booked["contactId"].as_str().expect("contactId");

    let on_contact = associations(
        &sandbox,
        &token,
        &format!("contacts/{contact_id}"),
        "meetings",
    )
    .await;
    assert!(on_contact.is_empty(), "{on_contact:?}");
    let all: Value = sandbox
        .get(&token, "/crm/v3/objects/meetings")
        .await
        .json()
        .await
        .expect("list JSON");
    assert_eq!(all["results"], json!([]));
    let booked_list = sandbox.control_get("/_sandbox/meetings").await;
    assert_eq!(
        booked_list["meetings"].as_array().expect("meetings").len(),
        1
    );
    assert_eq!(booked_list["meetings"][0]["engagementId"], Value::Null);
}

#[tokio::test]
async fn meeting_create_checks_properties() {
    let sandbox = start().await;
    let token = sandbox.token().await;
    let create = |properties: Value| {
        sandbox.post(
            &token,
            "/crm/v3/objects/meetings",
            json!({ "properties": properties }),
        )
    };

    let untimed = error_body(create(json!({ "hs_meeting_title": "Call" })).await).await;
    assert_eq!(
        untimed["errors"][0]["code"], "REQUIRED_PROPERTY",
        "{untimed}"
    );
    assert_eq!(
        untimed["errors"][0]["context"]["propertyName"][0],
        "hs_timestamp"
    );
    let source = error_body(
        create(
            json!({ "hs_timestamp": "2030-01-07T09:00:00Z", "hs_meeting_source": "INTEGRATION" }),
        )
        .await,
    )
    .await;
    assert_eq!(source["errors"][0]["code"], "READ_ONLY_VALUE", "{source}");
    let outcome = error_body(
        create(json!({ "hs_timestamp": "2030-01-07T09:00:00Z", "hs_meeting_outcome": "DONE" }))
            .await,
    )
    .await;
    assert_eq!(outcome["errors"][0]["code"], "INVALID_OPTION", "{outcome}");

    let response = create(json!({
        "hs_meeting_start_time": "2030-01-07T09:00:00Z",
        "hs_meeting_outcome": "COMPLETED",
    }))
    .await;
    assert_eq!(response.status(), StatusCode::CREATED);
    let created: Value = response.json().await.expect("meeting JSON");
    assert_eq!(
        created["properties"]["hs_timestamp"],
        "2030-01-07T09:00:00Z"
    );
    let id: u64 = created["id"]
        .as_str()
        .expect("id")
        .parse()
        .expect("numeric id");
    assert!(id >= 47_000_001, "meeting ids have their own range: {id}");
}

#[tokio::test]
async fn meeting_associates_with_contact() {
    let sandbox = start().await;
    let token = sandbox.token().await;
    let contact = sandbox
        .create_contact(&token, json!({ "email": "assoc@acme-widgets.com" }))
        .await;
    let contact_id = contact["id"].as_str().expect("contact id");
    let body = json!({
        "properties": { "hs_timestamp": "2030-01-07T09:00:00Z" },
        "associations": [{
            "to": { "id": contact_id },
            "types": [{ "associationCategory": "HUBSPOT_DEFINED", "associationTypeId": 200 }],
        }],
    });
    let response = sandbox.post(&token, "/crm/v3/objects/meetings", body).await;
    assert_eq!(response.status(), StatusCode::CREATED);
    let meeting: Value = response.json().await.expect("meeting JSON");
    let meeting_id = meeting["id"].as_str().expect("meeting id");
    let on_contact = associations(
        &sandbox,
        &token,
        &format!("contacts/{contact_id}"),
        "meetings",
    )
    .await;
    assert_eq!(on_contact, vec![(meeting_id.to_string(), vec![199])]);

    let wrong_type = json!({
        "properties": { "hs_timestamp": "2030-01-07T09:00:00Z" },
        "associations": [{
            "to": { "id": contact_id },
            "types": [{ "associationCategory": "HUBSPOT_DEFINED", "associationTypeId": 202 }],
        }],
    });
    let response = sandbox
        .post(&token, "/crm/v3/objects/meetings", wrong_type)
        .await;
    assert_eq!(
        response.status(),
        StatusCode::BAD_REQUEST,
        "note type on a meeting"
    );
}
