use serde_json::json;
use slotchat::clock::Clock;

use crate::helpers::{TestApp, connect_hubspot, spawn_app_with};
use crate::push_helpers::*;

/// Companies made by [`seed_visitors`]: the shared domains plus one per
/// fifth visitor without a domain.
fn expected_companies(count: usize, domains: usize) -> usize {
    let with_domain: std::collections::HashSet<usize> = (0..count)
        .filter(|index| index % 5 != 4)
        .map(|index| index % domains)
        .collect();
    with_domain.len() + (0..count).filter(|index| index % 5 == 4).count()
}

async fn sandbox_requests_total(app: &TestApp) -> u64 {
    let stats: serde_json::Value = app
        .sandbox_get("/_sandbox/stats")
        .await
        .json()
        .await
        .expect("JSON");
    stats["requests"].as_u64().expect("request count")
}

#[tokio::test]
async fn bulk_push_has_no_duplicates() {
    let app = spawn_connected_app().await;
    let ids = seed_visitors(&app, "bulk", 300, 40).await;
    // A few visitors are already contacts in HubSpot.
    for index in [0, 7, 99] {
        let body = json!({"properties": {"email": format!("bulk.{index}@bulk-mail.com"), "lastname": "Known"}, "associations": []});
        let response = app
            .client
            .post(format!("{}/crm/v3/objects/contacts", app.sandbox.base_url))
            .bearer_auth(READ_TOKEN)
            .json(&body)
            .send()
            .await
            .expect("send");
        assert_eq!(response.status(), 201);
    }
    app.sandbox_post("/_sandbox/reset", &json!({})).await;

    let bulk_id = queue_bulk_push(&app, &app.address, &ids).await;
    let bulk = wait_for_bulk(&app, &bulk_id).await;
    assert_eq!(bulk["done"], 300, "bulk push: {}", bulk["items"][0]);
    assert_eq!(bulk["failed"], 0);

    let calls = sandbox_requests_total(&app).await;
    let per_visitor = calls as f64 / 300.0;
    assert!(per_visitor < 0.1, "{calls} HubSpot calls for 300 visitors");

    assert_no_duplicates(&app, 300, expected_companies(300, 40)).await;
    let visitor = get_visitor(&app, &ids[7]).await;
    assert_eq!(visitor["push_status"], "pushed");
    let contact_id = visitor["hubspot_contact_id"].as_str().expect("contact id");
    let contact = hubspot_get(
        &app,
        &format!("/crm/v3/objects/contacts/{contact_id}?properties=lastname,firstname"),
    )
    .await;
    assert_eq!(
        contact["properties"]["lastname"], "Known",
        "values HubSpot has are kept"
    );
    assert_eq!(contact["properties"]["firstname"], "Person7");
    assert_eq!(
        associated_ids(&app, "contacts", contact_id, "companies").await,
        vec![visitor["hubspot_company_id"].as_str().unwrap().to_string()]
    );
    assert_eq!(
        associated_ids(&app, "contacts", contact_id, "notes")
            .await
            .len(),
        1
    );
    assert_nothing_deleted(&app).await;
}

#[tokio::test]
async fn bulk_push_rejects_bad_ids() {
    let app = spawn_connected_app().await;
    let too_many: Vec<String> = (0..1001).map(|index| format!("id-{index}")).collect();
    let response = app
        .admin_post("/api/v1/visitors/push", &json!({"visitor_ids": too_many}))
        .await;
    assert_eq!(response.status(), 400);
    let response = app
        .admin_post("/api/v1/visitors/push", &json!({"visitor_ids": []}))
        .await;
    assert_eq!(response.status(), 400);
    let known = create_visitor(&app, json!({"email": "known@acme.test"})).await;
    let response = app
        .admin_post(
            "/api/v1/visitors/push",
            &json!({"visitor_ids": [known, "missing"]}),
        )
        .await;
    assert_eq!(response.status(), 400);
    let body: serde_json::Value = response.json().await.expect("JSON");
    assert_eq!(body["error"]["field"], "visitor_ids[1]");
    let response = app
        .admin_post("/api/v1/visitors/push", &json!({"ids": [known]}))
        .await;
    assert_eq!(response.status(), 400);
}

#[tokio::test]
async fn restart_mid_bulk_loses_nothing() {
    let app = spawn_app_with(push_options()).await;
    connect_hubspot(&app).await;
    let ids = seed_visitors(&app, "restart", 250, 30).await;
    // Slow note writes keep the first instance busy inside a batch.
    add_fault(&app, json!({"path": "/crm/v3/objects/notes/batch/create", "kind": "timeout", "delay_ms": 700, "when": "after"})).await;
    let bulk_id = queue_bulk_push(&app, &app.address, &ids).await;
    loop {
        let done = app
            .state
            .db
            .count_push_jobs(&app.workspace.id, "done")
            .await
            .expect("count");
        if done > 0 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    app.state.push_queue.stop();
    let before = app
        .state
        .db
        .count_push_jobs(&app.workspace.id, "done")
        .await
        .expect("count");
    assert!(
        before < 250,
        "the first instance finished before it was stopped"
    );

    // The new instance's clock is past the stopped workers' leases.
    let clock = Clock::default();
    clock.advance(chrono::Duration::milliseconds(
        app.state.settings.push_lease_ms as i64 + 1_000,
    ));
    let (_second, address) = spawn_second_instance(&app, clock).await;
    let bulk = wait_for_bulk_at(&app, &address, &bulk_id).await;
    assert_eq!(bulk["done"], 250, "bulk push: {bulk}");
    assert_no_duplicates(&app, 250, expected_companies(250, 30)).await;
    for id in ids.iter().step_by(25) {
        let visitor = get_visitor(&app, id).await;
        let contact_id = visitor["hubspot_contact_id"].as_str().expect("contact id");
        assert_eq!(
            associated_ids(&app, "contacts", contact_id, "companies")
                .await
                .len(),
            1
        );
        assert!(
            !associated_ids(&app, "contacts", contact_id, "notes")
                .await
                .is_empty()
        );
    }
}

#[tokio::test]
async fn two_instances_push_same_people() {
    let app = spawn_app_with(push_options()).await;
    connect_hubspot(&app).await;
    let (_second, address) = spawn_second_instance(&app, Clock::default()).await;
    let ids = seed_visitors(&app, "twin", 100, 10).await;
    let (first_bulk, second_bulk) = tokio::join!(
        queue_bulk_push(&app, &app.address, &ids),
        queue_bulk_push(&app, &address, &ids)
    );
    for id in ids.iter().take(10) {
        queue_push(&app, id).await;
        let response = app
            .client
            .post(format!("{address}/api/v1/visitors/{id}/push"))
            .bearer_auth(&app.admin_token)
            .send()
            .await
            .expect("send");
        assert_eq!(response.status(), 202);
    }
    let first = wait_for_bulk(&app, &first_bulk).await;
    let second = wait_for_bulk_at(&app, &address, &second_bulk).await;
    assert_eq!(first["done"], 100, "first bulk: {first}");
    assert_eq!(second["done"], 100, "second bulk: {second}");
    wait_until_idle(&app).await;
    assert_no_duplicates(&app, 100, expected_companies(100, 10)).await;
    for id in &ids {
        let visitor = get_visitor(&app, id).await;
        let contact_id = visitor["hubspot_contact_id"].as_str().expect("contact id");
        let companies = associated_ids(&app, "contacts", contact_id, "companies").await;
        assert_eq!(companies.len(), 1, "visitor {id} has one company");
    }
}

/// Polls a bulk job through another instance's API.
async fn wait_for_bulk_at(app: &TestApp, address: &str, bulk_id: &str) -> serde_json::Value {
    let started = std::time::Instant::now();
    loop {
        let response = app
            .client
            .get(format!("{address}/api/v1/push-jobs/{bulk_id}"))
            .bearer_auth(&app.admin_token)
            .send()
            .await
            .expect("send");
        let bulk: serde_json::Value = response.json().await.expect("JSON");
        if bulk["finished"] == true {
            return bulk;
        }
        assert!(
            started.elapsed() < std::time::Duration::from_secs(120),
            "bulk {bulk_id} unfinished: {}",
            bulk["pending"]
        );
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
}

/// Waits until the workspace has no pending push.
async fn wait_until_idle(app: &TestApp) {
    let started = std::time::Instant::now();
    while app
        .state
        .db
        .count_push_jobs(&app.workspace.id, "pending")
        .await
        .expect("count")
        > 0
    {
        assert!(
            started.elapsed() < std::time::Duration::from_secs(60),
            "pushes still pending"
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
}
