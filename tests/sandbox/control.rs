//! The control API: statistics, the request log, faults, reset and the
//! automatic company switch.

use std::time::{Duration, Instant};

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::{TestSandbox, error_body, start};

async fn add_fault(sandbox: &TestSandbox, fault: Value) {
    assert_eq!(
        sandbox.control_post("/_sandbox/faults", fault).await,
        StatusCode::CREATED
    );
}

async fn contact_count(sandbox: &TestSandbox, token: &str) -> usize {
    let body: Value = sandbox
        .get(token, "/crm/v3/objects/contacts?limit=100")
        .await
        .json()
        .await
        .expect("JSON");
    body["results"].as_array().expect("results").len()
}

#[tokio::test]
async fn stats_count_by_endpoint() {
    let sandbox = start().await;
    let token = sandbox.token().await;
    for _ in 0..2 {
        sandbox
            .post(&token, "/crm/v3/objects/contacts/search", json!({}))
            .await;
    }
    let created = sandbox
        .create_contact(&token, json!({ "email": "stats@acme-widgets.com" }))
        .await;
    sandbox
        .get(
            &token,
            &format!(
                "/crm/v3/objects/contacts/{}",
                created["id"].as_str().expect("id")
            ),
        )
        .await;
    sandbox
        .get(
            &token,
            "/scheduler/v3/meetings/meeting-links/book/ana-ruiz?timezone=UTC",
        )
        .await;
    sandbox.control_get("/_sandbox/requests").await;

    let stats = sandbox.control_get("/_sandbox/stats").await;
    let keys: Vec<&String> = stats.as_object().expect("object").keys().collect();
    assert_eq!(
        keys,
        ["by_endpoint", "by_portal", "rate_limited", "requests"]
    );
    let by_endpoint = &stats["by_endpoint"];
    assert_eq!(by_endpoint["POST /crm/v3/objects/contacts/search"], 2);
    assert_eq!(by_endpoint["POST /crm/v3/objects/contacts"], 1);
    assert_eq!(by_endpoint["GET /crm/v3/objects/contacts/{contactId}"], 1);
    assert_eq!(by_endpoint["GET /oauth/authorize"], 1);
    assert_eq!(by_endpoint["POST /oauth/v1/token"], 1);
    assert_eq!(
        by_endpoint["GET /scheduler/v3/meetings/meeting-links/book/{slug}"],
        1
    );
    assert_eq!(stats["requests"], 7, "the control API is not counted");
    assert_eq!(stats["rate_limited"], 0);
    let first_portal = &stats["by_portal"]["48213377"];
    assert_eq!(
        first_portal["requests"], 5,
        "OAuth endpoints name no portal"
    );
    assert_eq!(
        first_portal["by_endpoint"]["POST /crm/v3/objects/contacts/search"],
        2
    );

    assert_eq!(
        sandbox.control_post("/_sandbox/reset", json!({})).await,
        StatusCode::NO_CONTENT
    );
    let stats = sandbox.control_get("/_sandbox/stats").await;
    assert_eq!(stats["requests"], 0);
    assert_eq!(stats["by_endpoint"], json!({}));
    assert_eq!(stats["by_portal"], json!({}));
}

#[tokio::test]
async fn request_log_shows_deletes() {
    let sandbox = start().await;
    let token = sandbox.token().await;
    let created = sandbox
        .create_contact(&token, json!({ "email": "log@acme-widgets.com" }))
        .await;
    let path = format!(
        "/crm/v3/objects/contacts/{}",
        created["id"].as_str().expect("id")
    );
    sandbox.call(Method::DELETE, &token, &path, None).await;
    let log = sandbox.control_get("/_sandbox/requests").await;
    let requests = log["requests"].as_array().expect("requests");
    let delete = requests
        .iter()
        .find(|request| request["method"] == "DELETE")
        .expect("the delete is logged");
    assert_eq!(delete["path"], path.as_str());
    assert_eq!(delete["route"], "/crm/v3/objects/contacts/{contactId}");
    assert_eq!(delete["status"], 204);
    assert!(delete["time"].as_str().expect("time").ends_with('Z'));
    let authorize = requests
        .iter()
        .find(|request| request["path"] == "/oauth/authorize")
        .expect("authorize is logged");
    assert!(
        !authorize["path"].as_str().expect("path").contains("code"),
        "no query strings in the log"
    );
}

#[tokio::test]
async fn status_fault_applies_times() {
    let sandbox = start().await;
    let token = sandbox.token().await;
    add_fault(&sandbox, json!({ "method": "POST", "path": "/crm/v3/objects/contacts", "kind": "status", "status": 409, "existing_id": "777", "times": 1 })).await;
    let first = sandbox
        .post(
            &token,
            "/crm/v3/objects/contacts",
            json!({ "properties": { "email": "f@acme-widgets.com" } }),
        )
        .await;
    assert_eq!(first.status(), StatusCode::CONFLICT);
    assert_eq!(
        error_body(first).await["message"],
        "Contact already exists. Existing ID: 777"
    );
    assert_eq!(
        contact_count(&sandbox, &token).await,
        0,
        "an injected status skips the action"
    );
    let second = sandbox
        .post(
            &token,
            "/crm/v3/objects/contacts",
            json!({ "properties": { "email": "f@acme-widgets.com" } }),
        )
        .await;
    assert_eq!(
        second.status(),
        StatusCode::CREATED,
        "the fault applied once"
    );
}

#[tokio::test]
async fn status_faults_use_hubspot_bodies() {
    let sandbox = start().await;
    let token = sandbox.token().await;
    let route = "/crm/v3/objects/companies/{companyId}";
    let cases = [
        (401, "category", "EXPIRED_AUTHENTICATION"),
        (429, "policyName", "SECONDLY"),
        (400, "category", "VALIDATION_ERROR"),
        (423, "category", "LOCKED"),
        (503, "status", "error"),
    ];
    for (status, field, expected) in cases {
        add_fault(&sandbox, json!({ "route": route, "kind": "status", "status": status, "policy_name": "SECONDLY", "times": 1 })).await;
        let response = sandbox.get(&token, "/crm/v3/objects/companies/123").await;
        assert_eq!(response.status().as_u16(), status);
        let body = error_body(response).await;
        assert_eq!(body[field], expected, "{status}");
    }
    add_fault(&sandbox, json!({ "path": "/crm/v3/objects/companies", "kind": "status", "status": 400, "body": { "status": "error", "message": "custom", "category": "VALIDATION_ERROR" } })).await;
    for _ in 0..2 {
        let body = error_body(sandbox.get(&token, "/crm/v3/objects/companies").await).await;
        assert_eq!(body["message"], "custom", "without times the fault stays");
    }
    let listed = sandbox.control_get("/_sandbox/faults").await;
    assert_eq!(listed["faults"][0]["hits"], 2);
    let cleared = sandbox
        .http
        .delete(sandbox.url("/_sandbox/faults"))
        .send()
        .await
        .expect("delete faults");
    assert_eq!(cleared.status(), StatusCode::NO_CONTENT);
    assert_eq!(
        sandbox
            .get(&token, "/crm/v3/objects/companies")
            .await
            .status(),
        StatusCode::OK
    );
    let stats = sandbox.control_get("/_sandbox/stats").await;
    assert_eq!(
        stats["rate_limited"], 1,
        "an injected 429 counts as rate limited"
    );
}

#[tokio::test]
async fn timeout_fault_before_action() {
    let sandbox = start().await;
    let token = sandbox.token().await;
    add_fault(&sandbox, json!({ "method": "POST", "path": "/crm/v3/objects/contacts", "kind": "timeout", "delay_ms": 300, "when": "before", "times": 1 })).await;
    let started = Instant::now();
    let response = sandbox
        .post(
            &token,
            "/crm/v3/objects/contacts",
            json!({ "properties": { "email": "t@acme-widgets.com" } }),
        )
        .await;
    assert!(started.elapsed() >= Duration::from_millis(300));
    assert_eq!(response.status(), StatusCode::GATEWAY_TIMEOUT);
    assert_eq!(contact_count(&sandbox, &token).await, 0);
}

#[tokio::test]
async fn timeout_fault_after_action() {
    let sandbox = start().await;
    let token = sandbox.token().await;
    add_fault(&sandbox, json!({ "method": "POST", "path": "/crm/v3/objects/contacts", "kind": "timeout", "delay_ms": 1_500, "when": "after", "times": 1 })).await;
    let result = sandbox
        .http
        .post(sandbox.url("/crm/v3/objects/contacts"))
        .bearer_auth(&token)
        .json(&json!({ "properties": { "email": "late@acme-widgets.com" } }))
        .timeout(Duration::from_millis(200))
        .send()
        .await;
    assert!(
        result.is_err_and(|error| error.is_timeout()),
        "the client times out"
    );
    assert_eq!(
        contact_count(&sandbox, &token).await,
        1,
        "the write happened before the delay"
    );
}

#[tokio::test]
async fn fault_spec_is_validated() {
    let sandbox = start().await;
    assert_eq!(
        sandbox
            .control_post(
                "/_sandbox/faults",
                json!({ "kind": "status", "status": 500 })
            )
            .await,
        StatusCode::BAD_REQUEST
    );
    assert_eq!(
        sandbox
            .control_post(
                "/_sandbox/faults",
                json!({ "path": "/crm", "kind": "status", "status": 200 })
            )
            .await,
        StatusCode::BAD_REQUEST
    );
    assert_eq!(
        sandbox
            .control_post(
                "/_sandbox/faults",
                json!({ "path": "/crm", "kind": "explode" })
            )
            .await,
        StatusCode::BAD_REQUEST
    );
}

#[tokio::test]
async fn auto_company_from_email_domain() {
    let sandbox = start().await;
    let token = sandbox.token().await;
    let status = sandbox
        .control_post(
            "/_sandbox/config",
            json!({ "auto_create_company": true, "auto_create_company_delay_ms": 1_000 }),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let work = sandbox
        .create_contact(&token, json!({ "email": "eva@borealis.io" }))
        .await;
    let free = sandbox
        .create_contact(&token, json!({ "email": "eva.home@gmail.com" }))
        .await;
    let companies_of = |contact: &Value| {
        format!(
            "/crm/v4/objects/contacts/{}/associations/companies",
            contact["id"].as_str().expect("id")
        )
    };

    let immediate: Value = sandbox
        .get(&token, &companies_of(&work))
        .await
        .json()
        .await
        .expect("JSON");
    assert_eq!(
        immediate["results"],
        json!([]),
        "the company appears in the background"
    );
    tokio::time::sleep(Duration::from_millis(1_300)).await;
    let later: Value = sandbox
        .get(&token, &companies_of(&work))
        .await
        .json()
        .await
        .expect("JSON");
    let company_id = later["results"][0]["toObjectId"]
        .to_string()
        .trim_matches('"')
        .to_string();
    let company: Value = sandbox
        .get(&token, &format!("/crm/v3/objects/companies/{company_id}"))
        .await
        .json()
        .await
        .expect("JSON");
    assert_eq!(company["properties"]["domain"], "borealis.io");
    let none: Value = sandbox
        .get(&token, &companies_of(&free))
        .await
        .json()
        .await
        .expect("JSON");
    assert_eq!(none["results"], json!([]), "no company for free mail");
}

#[tokio::test]
async fn unknown_path_is_json_404() {
    let sandbox = start().await;
    let response = sandbox
        .http
        .get(sandbox.url("/crm/v9/nothing"))
        .send()
        .await
        .expect("request");
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    let body = error_body(response).await;
    assert_eq!(body["status"], "error");
}
