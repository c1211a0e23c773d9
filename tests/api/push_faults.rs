use serde_json::json;

use crate::helpers::{connect_hubspot, spawn_app_with};
use crate::push_helpers::*;

#[tokio::test]
async fn timed_out_create_is_checked() {
    let app = spawn_connected_app().await;
    let visitor_id = create_visitor(
        &app,
        json!({"email": "slow@acme-slow.com", "first_name": "Slow"}),
    )
    .await;
    // The create lands, but its response comes after the client's 2 s timeout.
    add_fault(&app, json!({"method": "POST", "path": "/crm/v3/objects/contacts", "kind": "timeout", "delay_ms": 2500, "when": "after", "times": 1})).await;
    let job = push_and_wait(&app, &visitor_id).await;
    assert_eq!(job["status"], "done", "push failed: {job}");
    let contacts = all_records(&app, "contacts", &["email", "firstname"]).await;
    assert_eq!(contacts.len(), 1, "the create was not repeated");
    assert_eq!(
        get_visitor(&app, &visitor_id).await["hubspot_contact_id"],
        contacts[0]["id"]
    );
}

#[tokio::test]
async fn conflict_after_lookup_miss_matches() {
    let app = spawn_connected_app().await;
    app.sandbox_post("/_sandbox/config", &json!({"search_lag_ms": 30000}))
        .await;
    let existing = app
        .client
        .post(format!("{}/crm/v3/objects/contacts", app.sandbox.base_url))
        .bearer_auth(READ_TOKEN)
        .json(&json!({"properties": {"email": "dup@acme-dup.com", "lastname": "Before"}, "associations": []}))
        .send()
        .await
        .expect("send");
    assert_eq!(existing.status(), 201);
    let existing: serde_json::Value = existing.json().await.expect("JSON");
    // The lookup by email misses once, as a lagging index or a secondary
    // email would make it, so the push creates and meets a 409.
    add_fault(&app, json!({"method": "GET", "path": "/crm/v3/objects/contacts/dup", "kind": "status", "status": 404, "times": 1})).await;
    let visitor_id = create_visitor(
        &app,
        json!({"email": "dup@acme-dup.com", "last_name": "After"}),
    )
    .await;
    let job = push_and_wait(&app, &visitor_id).await;
    assert_eq!(job["status"], "done", "push failed: {job}");
    assert_eq!(job["hubspot_contact_id"], existing["id"]);
    let contacts = all_records(&app, "contacts", &["email", "lastname"]).await;
    assert_eq!(contacts.len(), 1);
    assert_eq!(contacts[0]["properties"]["lastname"], "After");
    let conflicts = sandbox_requests(&app)
        .await
        .into_iter()
        .filter(|(method, path)| method == "POST" && path == "/crm/v3/objects/contacts")
        .count();
    assert_eq!(
        conflicts, 2,
        "the test's create, then the push's create answered 409"
    );
}

#[tokio::test]
async fn rejected_enumeration_is_skipped() {
    let app = spawn_connected_app().await;
    let body = json!({
        "status": "error",
        "message": "Property values were not valid: [{\"isValid\":false,\"message\":\"COMPUTER_SOFTWARE was not one of the allowed options\",\"error\":\"INVALID_OPTION\",\"name\":\"industry\"}]",
        "category": "VALIDATION_ERROR",
        "errors": [{"message": "COMPUTER_SOFTWARE was not one of the allowed options", "code": "INVALID_OPTION", "context": {"propertyName": ["industry"]}}]
    });
    // The company exists, so the push updates it, and the update is where
    // HubSpot rejects the option.
    let existing = app
        .client
        .post(format!("{}/crm/v3/objects/companies", app.sandbox.base_url))
        .bearer_auth(READ_TOKEN)
        .json(&json!({"properties": {"name": "Enum Inc", "domain": "acme-enum.com"}, "associations": []}))
        .send()
        .await
        .expect("send");
    assert_eq!(existing.status(), 201);
    add_fault(&app, json!({"method": "PATCH", "path": "/crm/v3/objects/companies/", "kind": "status", "status": 400, "body": body, "times": 1})).await;
    let visitor_id = create_visitor(
        &app,
        json!({"email": "enum@acme-enum.com", "company": {"name": "Enum Inc", "domain": "acme-enum.com", "industry": "Computer Software"}}),
    )
    .await;
    let job = push_and_wait(&app, &visitor_id).await;
    assert_eq!(job["status"], "done", "push failed: {job}");
    let visitor = get_visitor(&app, &visitor_id).await;
    assert_eq!(visitor["skipped_fields"][0]["field"], "company.industry");
    let company_id = visitor["hubspot_company_id"].as_str().expect("company id");
    let company = hubspot_get(
        &app,
        &format!("/crm/v3/objects/companies/{company_id}?properties=name,industry"),
    )
    .await;
    assert_eq!(company["properties"]["name"], "Enum Inc");
    assert!(company["properties"]["industry"].is_null());
}

#[tokio::test]
async fn passing_faults_are_retried() {
    let faults = [
        json!({"method": "POST", "path": "/crm/v3/objects/companies", "kind": "status", "status": 503, "times": 3}),
        json!({"method": "PATCH", "path": "/crm/v3/objects/contacts", "kind": "status", "status": 429, "times": 1}),
        json!({"path": "/crm/v4/objects/contacts", "kind": "status", "status": 423, "times": 1}),
        json!({"method": "PATCH", "path": "/crm/v3/objects/contacts", "kind": "status", "status": 401, "times": 1}),
        json!({"path": "/crm/v3/objects/notes", "kind": "timeout", "delay_ms": 2500, "when": "before", "times": 1}),
    ];
    for (index, fault) in faults.into_iter().enumerate() {
        let app = spawn_connected_app().await;
        let email = format!("retry{index}@acme-retry.com");
        let visitor_id = create_visitor(
            &app,
            json!({"email": email, "company": {"domain": "acme-retry.com"}}),
        )
        .await;
        let first = push_and_wait(&app, &visitor_id).await;
        assert_eq!(first["status"], "done", "setup push failed: {first}");
        add_fault(&app, fault.clone()).await;
        let job = push_and_wait(&app, &visitor_id).await;
        assert_eq!(
            job["status"], "done",
            "push with fault {fault} failed: {job}"
        );
        assert_eq!(
            all_records(&app, "contacts", &["email"]).await.len(),
            1,
            "fault {fault}"
        );
        assert_eq!(
            all_records(&app, "companies", &["domain"]).await.len(),
            1,
            "fault {fault}"
        );
    }
}

#[tokio::test]
async fn lasting_failure_stays_visible() {
    let app = spawn_connected_app().await;
    add_fault(&app, json!({"method": "POST", "path": "/crm/v3/objects/companies", "kind": "status", "status": 500})).await;
    let visitor_id = create_visitor(
        &app,
        json!({"email": "down@acme-down.com", "company": {"domain": "acme-down.com"}}),
    )
    .await;
    let job = push_and_wait(&app, &visitor_id).await;
    assert_eq!(job["status"], "failed");
    assert_eq!(job["attempts"], 3);
    let visitor = get_visitor(&app, &visitor_id).await;
    assert_eq!(visitor["push_status"], "failed");
    assert_eq!(visitor["last_error"]["action"], "retry");
    let listed: serde_json::Value = app
        .admin_get("/api/v1/visitors?push_status=failed")
        .await
        .json()
        .await
        .expect("JSON");
    assert_eq!(listed["visitors"][0]["id"], visitor_id.as_str());
}

#[tokio::test]
async fn missing_connection_waits_then_resumes() {
    let app = spawn_app_with(push_options()).await;
    let visitor_id = create_visitor(
        &app,
        json!({"email": "wait@acme-wait.com", "company": {"domain": "acme-wait.com"}}),
    )
    .await;
    let job = push_and_wait(&app, &visitor_id).await;
    assert_eq!(job["status"], "waiting");
    let visitor = get_visitor(&app, &visitor_id).await;
    assert_eq!(visitor["push_status"], "waiting");
    assert_eq!(
        visitor["last_error"]["message"],
        "HubSpot is not connected: reconnect in Integrations"
    );
    assert_eq!(visitor["last_error"]["action"], "reconnect");

    connect_hubspot(&app).await;
    let job = wait_for_status(&app, job["id"].as_str().expect("job id"), "done").await;
    assert_eq!(job["status"], "done");
    assert_eq!(
        get_visitor(&app, &visitor_id).await["push_status"],
        "pushed"
    );
}

#[tokio::test]
async fn disconnect_and_reconnect_keep_ids() {
    let app = spawn_connected_app().await;
    let visitor_id = create_visitor(
        &app,
        json!({"email": "back@acme-back.com", "company": {"domain": "acme-back.com"}}),
    )
    .await;
    assert_eq!(push_and_wait(&app, &visitor_id).await["status"], "done");
    let pushed = get_visitor(&app, &visitor_id).await;

    assert_eq!(
        app.admin_delete("/api/v1/integrations/hubspot")
            .await
            .status(),
        200
    );
    let after_disconnect = get_visitor(&app, &visitor_id).await;
    assert_eq!(after_disconnect["push_status"], "pushed");
    assert_eq!(
        after_disconnect["hubspot_contact_id"],
        pushed["hubspot_contact_id"]
    );
    let job = push_and_wait(&app, &visitor_id).await;
    assert_eq!(job["status"], "waiting");

    connect_hubspot(&app).await;
    wait_for_status(&app, job["id"].as_str().expect("job id"), "done").await;
    let repushed = get_visitor(&app, &visitor_id).await;
    assert_eq!(repushed["hubspot_contact_id"], pushed["hubspot_contact_id"]);
    assert_eq!(repushed["hubspot_company_id"], pushed["hubspot_company_id"]);
    assert_eq!(all_records(&app, "contacts", &["email"]).await.len(), 1);
    assert_nothing_deleted(&app).await;
}

#[tokio::test]
async fn missing_scope_waits_for_reconnect() {
    let app = spawn_connected_app().await;
    add_fault(&app, json!({"method": "POST", "path": "/crm/v3/objects/contacts", "kind": "status", "status": 403, "times": 1})).await;
    let visitor_id = create_visitor(&app, json!({"email": "scope@acme-scope.com"})).await;
    let job = push_and_wait(&app, &visitor_id).await;
    assert_eq!(job["status"], "waiting");
    assert_eq!(
        get_visitor(&app, &visitor_id).await["last_error"]["action"],
        "reconnect"
    );
    connect_hubspot(&app).await;
    wait_for_status(&app, job["id"].as_str().expect("job id"), "done").await;
}

/// Polls a push job until it has `status`.
async fn wait_for_status(
    app: &crate::helpers::TestApp,
    job_id: &str,
    status: &str,
) -> serde_json::Value {
    let started = std::time::Instant::now();
    loop {
        let job: serde_json::Value = app
            .admin_get(&format!("/api/v1/push-jobs/{job_id}"))
            .await
            .json()
            .await
            .expect("JSON");
        if job["status"] == status {
            return job;
        }
        assert!(
            started.elapsed() < std::time::Duration::from_secs(30),
            "push {job_id} never reached {status}: {job}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
}
