//! Reconnecting a workspace to a different HubSpot portal: the next push
//! finds or creates the visitor's contact and company in the new portal and
//! stores their ids, and the old portal is neither written to nor deleted
//! from.

use serde_json::{Value, json};
use slotchat::sandbox::{PORTAL_ID, SECOND_PORTAL_ID, SandboxConfig};

use crate::helpers::{TestApp, TestOptions, connect_hubspot, spawn_app_with};
use crate::push_helpers::{
    READ_TOKEN, all_records, assert_nothing_deleted, associated_ids, create_visitor, fast_retries,
    get_visitor, hubspot_get, push_and_wait, queue_bulk_push, wait_for_bulk,
};

/// Private-app token of the second sandbox portal, for reading it back.
const SECOND_READ_TOKEN: &str = "pat-test-second-portal-read";

fn two_portal_options() -> TestOptions {
    TestOptions {
        sandbox: SandboxConfig {
            private_app_token: Some(READ_TOKEN.into()),
            second_private_app_token: Some(SECOND_READ_TOKEN.into()),
            ..SandboxConfig::default()
        },
        configure: fast_retries,
    }
}

fn visitor_body() -> Value {
    json!({
        "email": "lena.fischer@nordlicht-tools.com",
        "first_name": "Lena",
        "last_name": "Fischer",
        "company": {"name": "Nordlicht Tools", "domain": "nordlicht-tools.com"},
        "pages": [{"url": "https://nordlicht.test/pricing", "viewed_at": "2026-06-12T10:00:00Z"}]
    })
}

/// Sends `GET` for a HubSpot API path on the sandbox with `token` and
/// returns the status and the JSON body.
async fn portal_get(app: &TestApp, token: &str, path: &str) -> (u16, Value) {
    let response = app
        .client
        .get(format!("{}{}", app.sandbox.base_url, path))
        .bearer_auth(token)
        .send()
        .await
        .expect("send request to the sandbox");
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

/// Reads every contact, company and note of the first portal, with their
/// properties and `updatedAt`, and each contact's companies.
async fn first_portal_snapshot(app: &TestApp) -> Value {
    let contacts = all_records(app, "contacts", &["email", "firstname", "lastname"]).await;
    let mut contact_companies = Vec::new();
    for contact in &contacts {
        let id = contact["id"].as_str().expect("contact id");
        contact_companies.push(associated_ids(app, "contacts", id, "companies").await);
    }
    json!({
        "contacts": contacts,
        "companies": all_records(app, "companies", &["name", "domain"]).await,
        "notes": all_records(app, "notes", &["hs_note_body"]).await,
        "contact_companies": contact_companies,
    })
}

/// Returns how many requests the sandbox attributed to `portal_id`'s tokens.
async fn portal_request_count(app: &TestApp, portal_id: u64) -> u64 {
    let stats: Value = app
        .sandbox_get("/_sandbox/stats")
        .await
        .json()
        .await
        .expect("stats JSON");
    stats["by_portal"][portal_id.to_string()]["requests"]
        .as_u64()
        .unwrap_or(0)
}

async fn connection_status(app: &TestApp) -> Value {
    let response = app.admin_get("/api/v1/integrations/hubspot").await;
    assert_eq!(response.status(), 200);
    response.json().await.expect("status JSON")
}

/// Returns the paths of the requests the sandbox attributed to
/// `portal_id`'s tokens.
async fn portal_request_paths(app: &TestApp, portal_id: u64) -> Vec<String> {
    let log: Value = app
        .sandbox_get("/_sandbox/requests")
        .await
        .json()
        .await
        .expect("log JSON");
    log["requests"]
        .as_array()
        .expect("requests")
        .iter()
        .filter(|request| request["portal_id"] == portal_id)
        .map(|request| request["path"].as_str().expect("path").to_string())
        .collect()
}

/// Picks the portal the next authorization connects, as a user picks an
/// account on HubSpot's account chooser.
async fn choose_portal(app: &TestApp, portal_id: u64) {
    let response = app
        .sandbox_post("/_sandbox/portal", &json!({ "portal_id": portal_id }))
        .await;
    assert_eq!(response.status(), 200, "choosing portal {portal_id} failed");
}

#[tokio::test]
async fn reconnect_pushes_to_new_portal() {
    let app = spawn_app_with(two_portal_options()).await;
    connect_hubspot(&app).await;
    assert_eq!(connection_status(&app).await["portal_id"], PORTAL_ID);
    let visitor_id = create_visitor(&app, visitor_body()).await;
    let job = push_and_wait(&app, &visitor_id).await;
    assert_eq!(job["status"], "done", "first push failed: {job}");

    let first = get_visitor(&app, &visitor_id).await;
    assert_eq!(first["hubspot_portal_id"], PORTAL_ID);
    let old_contact = first["hubspot_contact_id"]
        .as_str()
        .expect("contact id")
        .to_string();
    let old_company = first["hubspot_company_id"]
        .as_str()
        .expect("company id")
        .to_string();
    hubspot_get(&app, &format!("/crm/v3/objects/contacts/{old_contact}")).await;
    hubspot_get(&app, &format!("/crm/v3/objects/companies/{old_company}")).await;
    let snapshot = first_portal_snapshot(&app).await;
    assert_eq!(snapshot["notes"].as_array().expect("notes").len(), 1);

    let response = app.admin_delete("/api/v1/integrations/hubspot").await;
    assert_eq!(response.status(), 200);
    let first_portal_requests = portal_request_count(&app, PORTAL_ID).await;
    choose_portal(&app, SECOND_PORTAL_ID).await;
    connect_hubspot(&app).await;
    let status = connection_status(&app).await;
    assert_eq!(status["connected"], true);
    assert_eq!(status["portal_id"], SECOND_PORTAL_ID);

    let job = push_and_wait(&app, &visitor_id).await;
    assert_eq!(job["status"], "done", "push after reconnect failed: {job}");
    let second = get_visitor(&app, &visitor_id).await;
    assert_eq!(second["hubspot_portal_id"], SECOND_PORTAL_ID);
    assert_eq!(second["push_status"], "pushed");
    let new_contact = second["hubspot_contact_id"]
        .as_str()
        .expect("contact id")
        .to_string();
    let new_company = second["hubspot_company_id"]
        .as_str()
        .expect("company id")
        .to_string();
    assert_ne!(new_contact, old_contact, "a new contact id");
    assert_ne!(new_company, old_company, "a new company id");

    let contact_path = format!("/crm/v3/objects/contacts/{new_contact}?properties=email");
    let (status, contact) = portal_get(&app, SECOND_READ_TOKEN, &contact_path).await;
    assert_eq!(status, 200, "the new contact exists in the second portal");
    assert_eq!(
        contact["properties"]["email"],
        "lena.fischer@nordlicht-tools.com"
    );
    let company_path = format!("/crm/v3/objects/companies/{new_company}?properties=domain");
    let (status, company) = portal_get(&app, SECOND_READ_TOKEN, &company_path).await;
    assert_eq!(status, 200, "the new company exists in the second portal");
    assert_eq!(company["properties"]["domain"], "nordlicht-tools.com");
    let associations_path =
        format!("/crm/v4/objects/contacts/{new_contact}/associations/companies");
    let (_, associations) = portal_get(&app, SECOND_READ_TOKEN, &associations_path).await;
    assert_eq!(
        associations["results"][0]["toObjectId"]
            .to_string()
            .trim_matches('"'),
        new_company
    );
    let (_, notes) = portal_get(&app, SECOND_READ_TOKEN, "/crm/v3/objects/notes").await;
    assert_eq!(
        notes["results"].as_array().expect("notes").len(),
        1,
        "one visit note in the second portal"
    );

    for path in portal_request_paths(&app, SECOND_PORTAL_ID).await {
        let segments: Vec<&str> = path.split('/').collect();
        assert!(
            !segments.contains(&old_contact.as_str()) && !segments.contains(&old_company.as_str()),
            "an id of the first portal was sent to the second: {path}"
        );
    }
    assert_eq!(
        portal_request_count(&app, PORTAL_ID).await,
        first_portal_requests,
        "no request reached the first portal after the disconnect"
    );
    assert_eq!(
        first_portal_snapshot(&app).await,
        snapshot,
        "the first portal is unchanged"
    );
    assert_nothing_deleted(&app).await;
}

/// Disconnects, then connects the second portal through the OAuth flow.
async fn reconnect_to_second_portal(app: &TestApp) {
    let response = app.admin_delete("/api/v1/integrations/hubspot").await;
    assert_eq!(response.status(), 200);
    choose_portal(app, SECOND_PORTAL_ID).await;
    connect_hubspot(app).await;
    assert_eq!(connection_status(app).await["portal_id"], SECOND_PORTAL_ID);
}

/// Bulk-pushes `visitor_ids` and checks that every push finished.
async fn bulk_push_all(app: &TestApp, visitor_ids: &[String]) {
    let bulk_id = queue_bulk_push(app, &app.address, visitor_ids).await;
    let bulk = wait_for_bulk(app, &bulk_id).await;
    assert_eq!(bulk["done"], visitor_ids.len(), "bulk push: {bulk}");
}

#[tokio::test]
async fn bulk_push_after_portal_switch() {
    let app = spawn_app_with(two_portal_options()).await;
    connect_hubspot(&app).await;
    let no_domain = json!({
        "email": "ivo.petrov@petrov-mail.com",
        "last_name": "Petrov",
        "company": {"name": "Petrov Bakery"}
    });
    let visitor_ids = vec![
        create_visitor(&app, visitor_body()).await,
        create_visitor(&app, no_domain).await,
    ];
    bulk_push_all(&app, &visitor_ids).await;
    let mut old_ids = Vec::new();
    for visitor_id in &visitor_ids {
        let visitor = get_visitor(&app, visitor_id).await;
        assert_eq!(visitor["hubspot_portal_id"], PORTAL_ID);
        old_ids.push(
            visitor["hubspot_contact_id"]
                .as_str()
                .expect("contact id")
                .to_string(),
        );
        old_ids.push(
            visitor["hubspot_company_id"]
                .as_str()
                .expect("company id")
                .to_string(),
        );
    }
    let snapshot = first_portal_snapshot(&app).await;

    reconnect_to_second_portal(&app).await;
    let first_portal_requests = portal_request_count(&app, PORTAL_ID).await;
    bulk_push_all(&app, &visitor_ids).await;

    for visitor_id in &visitor_ids {
        let visitor = get_visitor(&app, visitor_id).await;
        assert_eq!(visitor["hubspot_portal_id"], SECOND_PORTAL_ID, "{visitor}");
        for (object, field) in [
            ("contacts", "hubspot_contact_id"),
            ("companies", "hubspot_company_id"),
        ] {
            let id = visitor[field].as_str().expect("a HubSpot id");
            assert!(
                !old_ids.iter().any(|old| old == id),
                "{field} {id} is an id of the first portal"
            );
            let (status, _) = portal_get(
                &app,
                SECOND_READ_TOKEN,
                &format!("/crm/v3/objects/{object}/{id}"),
            )
            .await;
            assert_eq!(status, 200, "{object} {id} exists in the second portal");
        }
    }
    // Every visitor is new to the second portal, so no known id may be
    // updated there.
    let updates: Vec<String> = portal_request_paths(&app, SECOND_PORTAL_ID)
        .await
        .into_iter()
        .filter(|path| path.ends_with("/batch/update"))
        .collect();
    assert_eq!(
        updates,
        Vec::<String>::new(),
        "first-portal ids were sent as updates"
    );
    assert_eq!(
        portal_request_count(&app, PORTAL_ID).await,
        first_portal_requests
    );
    assert_eq!(
        first_portal_snapshot(&app).await,
        snapshot,
        "the first portal is unchanged"
    );
    assert_nothing_deleted(&app).await;
}

#[tokio::test]
async fn same_portal_reconnect_keeps_ids() {
    let app = spawn_app_with(two_portal_options()).await;
    connect_hubspot(&app).await;
    let visitor_id = create_visitor(&app, visitor_body()).await;
    let job = push_and_wait(&app, &visitor_id).await;
    assert_eq!(job["status"], "done", "first push failed: {job}");
    let before = get_visitor(&app, &visitor_id).await;

    let response = app.admin_delete("/api/v1/integrations/hubspot").await;
    assert_eq!(response.status(), 200);
    connect_hubspot(&app).await;
    let job = push_and_wait(&app, &visitor_id).await;
    assert_eq!(job["status"], "done", "push after reconnect failed: {job}");

    let after = get_visitor(&app, &visitor_id).await;
    assert_eq!(after["hubspot_portal_id"], PORTAL_ID);
    assert_eq!(after["hubspot_contact_id"], before["hubspot_contact_id"]);
    assert_eq!(after["hubspot_company_id"], before["hubspot_company_id"]);
    assert_eq!(all_records(&app, "contacts", &["email"]).await.len(), 1);
    assert_eq!(all_records(&app, "companies", &["domain"]).await.len(), 1);
    assert_eq!(portal_request_count(&app, SECOND_PORTAL_ID).await, 0);
}
