//! Workflows: rule evaluation, CRUD and validation, and pushes enqueued by
//! `evaluate_visitor` once per visitor data version.

use serde_json::{Value, json};
use slotchat::workflows::evaluate_visitor;
use slotchat::workflows::rules::{Condition, MatchMode, PageMatch, VisitorFacts, rules_match};

use std::time::{Duration, Instant};

use crate::helpers::{TestApp, spawn_app};
use crate::push_helpers::{hubspot_get, spawn_event_driven_app};

fn pricing_workflow(active: bool) -> Value {
    json!({
        "name": "Pricing visitors",
        "active": active,
        "match": "any",
        "conditions": [
            {"type": "quality_score_at_least", "value": 70},
            {"type": "page_visited", "match": "prefix", "value": "/pricing"},
        ],
        "action": "push_to_hubspot",
    })
}

/// Creates or updates a visitor through the visitor API, which evaluates
/// workflows right after saving; returns the visitor id.
async fn save_visitor(app: &TestApp, body: Value) -> String {
    let response = app.admin_post("/api/v1/visitors", &body).await;
    let status = response.status();
    let json: Value = response.json().await.expect("visitor JSON");
    assert!(status.is_success(), "saving a visitor failed: {json}");
    json["id"].as_str().expect("visitor id").to_string()
}

async fn runs_of(app: &TestApp, workflow: &Value) -> Vec<Value> {
    let path = format!("/api/v1/workflows/{}/runs", workflow["id"].as_str().expect("workflow id"));
    let listed: Value = app.admin_get(&path).await.json().await.expect("runs JSON");
    listed["runs"].as_array().expect("runs").clone()
}

async fn visitor_json(app: &TestApp, visitor_id: &str) -> Value {
    app.admin_get(&format!("/api/v1/visitors/{visitor_id}")).await.json().await.expect("visitor JSON")
}

fn page_at(url: &str) -> Value {
    json!({"url": url, "viewed_at": "2026-12-04T20:00:00Z"})
}

async fn create_workflow(app: &TestApp, body: &Value) -> Value {
    let response = app.admin_post("/api/v1/workflows", body).await;
    assert_eq!(response.status(), 201, "create workflow");
    response.json().await.expect("workflow JSON")
}

async fn admin_patch(app: &TestApp, path: &str, body: &Value) -> reqwest::Response {
    app.client
        .patch(format!("{}{}", app.address, path))
        .bearer_auth(&app.admin_token)
        .json(body)
        .send()
        .await
        .expect("send request")
}

fn facts(email: Option<&str>, score: Option<i64>, pages: &[&str]) -> VisitorFacts {
    VisitorFacts {
        pushable: true,
        email: email.map(str::to_string),
        quality_score: score,
        page_urls: pages.iter().map(|page| page.to_string()).collect(),
        data_version: 1,
    }
}

fn page(page_match: PageMatch, value: &str) -> Condition {
    Condition::PageVisited { page_match, value: value.to_string() }
}

#[test]
fn each_condition_type_matches() {
    let scored = facts(None, Some(70), &[]);
    let unscored = facts(None, None, &[]);
    let pricing = facts(None, None, &["https://customer.test/pricing/?plan=pro#top"]);
    let docs = facts(None, None, &["https://customer.test/docs/pricing-faq"]);
    let relative = facts(None, None, &["/pricing?ref=ad"]);
    let emailed = facts(Some("a@b.test"), None, &[]);
    let blank_email = facts(Some("  "), None, &[]);
    let cases: Vec<(&str, Condition, &VisitorFacts, bool)> = vec![
        ("score equal", Condition::QualityScoreAtLeast { value: 70 }, &scored, true),
        ("score below", Condition::QualityScoreAtLeast { value: 71 }, &scored, false),
        ("score unknown", Condition::QualityScoreAtLeast { value: 0 }, &unscored, false),
        ("email present", Condition::HasEmail, &emailed, true),
        ("email blank", Condition::HasEmail, &blank_email, false),
        ("email missing", Condition::HasEmail, &unscored, false),
        ("exact trailing slash", page(PageMatch::Exact, "/pricing"), &pricing, true),
        ("exact other page", page(PageMatch::Exact, "/pricing"), &docs, false),
        ("exact relative url", page(PageMatch::Exact, "/pricing"), &relative, true),
        ("prefix match", page(PageMatch::Prefix, "/pri"), &pricing, true),
        ("prefix not at start", page(PageMatch::Prefix, "/pricing"), &docs, false),
        ("contains in path", page(PageMatch::Contains, "pricing"), &docs, true),
        ("contains ignores query", page(PageMatch::Contains, "plan=pro"), &pricing, false),
        ("full url prefix", page(PageMatch::Prefix, "https://customer.test/pricing"), &pricing, true),
        ("full url other host", page(PageMatch::Prefix, "https://other.test/pricing"), &pricing, false),
        ("full url keeps query", page(PageMatch::Contains, "http"), &pricing, true),
        ("no pages", page(PageMatch::Contains, "/"), &unscored, false),
    ];
    for (label, condition, facts, expected) in cases {
        assert_eq!(
            rules_match(MatchMode::All, std::slice::from_ref(&condition), facts),
            expected,
            "{label}"
        );
    }
}

#[test]
fn all_and_any_combine() {
    let score = Condition::QualityScoreAtLeast { value: 50 };
    let email = Condition::HasEmail;
    let both = vec![score.clone(), email.clone()];
    let only_score = facts(None, Some(80), &[]);
    let everything = facts(Some("a@b.test"), Some(80), &[]);
    let nothing = facts(None, Some(10), &[]);

    assert!(rules_match(MatchMode::All, &both, &everything), "all, both hold");
    assert!(!rules_match(MatchMode::All, &both, &only_score), "all, one holds");
    assert!(rules_match(MatchMode::Any, &both, &only_score), "any, one holds");
    assert!(!rules_match(MatchMode::Any, &both, &nothing), "any, none holds");
    assert!(!rules_match(MatchMode::Any, &[], &everything), "no conditions");
}

#[tokio::test]
async fn workflow_create_get_list() {
    let app = spawn_app().await;
    let created = create_workflow(&app, &pricing_workflow(true)).await;
    let id = created["id"].as_str().expect("id");

    assert_eq!(created["name"], "Pricing visitors");
    assert_eq!(created["active"], true);
    assert_eq!(created["match"], "any");
    assert_eq!(created["action"], "push_to_hubspot");
    assert_eq!(created["conditions"], pricing_workflow(true)["conditions"]);
    assert!(created["created_at"].as_str().expect("created_at").ends_with('Z'));
    assert_eq!(created["created_at"], created["updated_at"]);

    let fetched: Value = app.admin_get(&format!("/api/v1/workflows/{id}")).await.json().await.unwrap();
    assert_eq!(fetched, created);

    let listed: Value = app.admin_get("/api/v1/workflows").await.json().await.unwrap();
    assert_eq!(listed["workflows"], json!([created]));
}

#[tokio::test]
async fn workflow_create_applies_defaults() {
    let app = spawn_app().await;
    let created = create_workflow(
        &app,
        &json!({"name": "Emails", "conditions": [{"type": "has_email"}]}),
    )
    .await;
    assert_eq!(created["active"], false);
    assert_eq!(created["match"], "all");
    assert_eq!(created["action"], "push_to_hubspot");
}

#[tokio::test]
async fn patch_changes_only_sent_fields() {
    let app = spawn_app().await;
    let created = create_workflow(&app, &pricing_workflow(true)).await;
    let path = format!("/api/v1/workflows/{}", created["id"].as_str().unwrap());
    app.clock.advance(chrono::Duration::seconds(5));

    let response = admin_patch(&app, &path, &json!({"active": false, "name": "Renamed"})).await;
    assert_eq!(response.status(), 200);
    let updated: Value = response.json().await.unwrap();
    assert_eq!(updated["active"], false);
    assert_eq!(updated["name"], "Renamed");
    assert_eq!(updated["match"], created["match"]);
    assert_eq!(updated["conditions"], created["conditions"]);
    assert_eq!(updated["created_at"], created["created_at"]);
    assert_ne!(updated["updated_at"], created["updated_at"]);

    let conditions = json!([{"type": "has_email"}]);
    let response = admin_patch(&app, &path, &json!({"match": "all", "conditions": conditions})).await;
    let updated: Value = response.json().await.unwrap();
    assert_eq!(updated["match"], "all");
    assert_eq!(updated["conditions"], conditions);
    assert_eq!(updated["name"], "Renamed");
}

#[tokio::test]
async fn validation_errors_name_field() {
    let app = spawn_app().await;
    let page = |extra: Value| {
        let mut body = pricing_workflow(true);
        body["conditions"][1] = extra;
        body
    };
    let cases = vec![
        (json!({"conditions": [{"type": "has_email"}]}), "name"),
        (json!({"name": " ", "conditions": [{"type": "has_email"}]}), "name"),
        (json!({"name": "x".repeat(121), "conditions": [{"type": "has_email"}]}), "name"),
        (json!({"name": "No rules"}), "conditions"),
        (json!({"name": "Empty", "conditions": []}), "conditions"),
        (json!({"name": "Bad", "match": "some", "conditions": [{"type": "has_email"}]}), "match"),
        (json!({"name": "Bad", "active": "yes", "conditions": [{"type": "has_email"}]}), "active"),
        (json!({"name": "Bad", "action": "delete", "conditions": [{"type": "has_email"}]}), "action"),
        (json!({"name": "Bad", "owner": "me", "conditions": [{"type": "has_email"}]}), "owner"),
        (page(json!({"type": "page_visited", "match": "regex", "value": "/a"})), "conditions[1].match"),
        (page(json!({"type": "page_visited", "value": "/a"})), "conditions[1].match"),
        (page(json!({"type": "page_visited", "match": "exact"})), "conditions[1].value"),
        (page(json!({"type": "page_visited", "match": "prefix", "value": "pricing"})), "conditions[1].value"),
        (page(json!({"type": "page_visited", "match": "exact", "value": "/a", "x": 1})), "conditions[1].x"),
        (page(json!({"type": "quality_score_at_least", "value": 101})), "conditions[1].value"),
        (page(json!({"type": "quality_score_at_least", "value": 7.5})), "conditions[1].value"),
        (page(json!({"type": "visited_twice"})), "conditions[1].type"),
        (page(json!("has_email")), "conditions[1]"),
        (json!([1, 2]), "body"),
    ];
    for (body, field) in cases {
        let response = app.admin_post("/api/v1/workflows", &body).await;
        assert_eq!(response.status(), 400, "status for {body}");
        let error: Value = response.json().await.unwrap();
        assert_eq!(error["error"]["field"], field, "field for {body}");
        assert_eq!(error["error"]["code"], "invalid_request", "code for {body}");
    }
    let listed: Value = app.admin_get("/api/v1/workflows").await.json().await.unwrap();
    assert_eq!(listed["workflows"], json!([]), "nothing stored");
}

#[tokio::test]
async fn patch_rejects_invalid_and_keeps_workflow() {
    let app = spawn_app().await;
    let created = create_workflow(&app, &pricing_workflow(true)).await;
    let path = format!("/api/v1/workflows/{}", created["id"].as_str().unwrap());

    for (body, field) in [
        (json!({}), "body"),
        (json!({"name": "Fine", "conditions": [{"type": "page_visited", "match": "glob", "value": "/"}]}), "conditions[0].match"),
        (json!({"id": "other"}), "id"),
    ] {
        let response = admin_patch(&app, &path, &body).await;
        assert_eq!(response.status(), 400, "status for {body}");
        let error: Value = response.json().await.unwrap();
        assert_eq!(error["error"]["field"], field, "field for {body}");
    }
    let fetched: Value = app.admin_get(&path).await.json().await.unwrap();
    assert_eq!(fetched, created, "unchanged after rejected patches");
}

#[tokio::test]
async fn workflows_scoped_to_workspace() {
    let app = spawn_app().await;
    let created = create_workflow(&app, &pricing_workflow(true)).await;
    let path = format!("/api/v1/workflows/{}", created["id"].as_str().unwrap());
    let other_token = slotchat::crypto::random_token();
    app.state
        .db
        .create_workspace("Other", &other_token, app.clock.now_ms())
        .await
        .unwrap();

    let other_get = |path: String| {
        app.client.get(format!("{}{}", app.address, path)).bearer_auth(&other_token).send()
    };
    assert_eq!(other_get(path.clone()).await.unwrap().status(), 404);
    assert_eq!(other_get(format!("{path}/runs")).await.unwrap().status(), 404);
    let listed: Value = other_get("/api/v1/workflows".into()).await.unwrap().json().await.unwrap();
    assert_eq!(listed["workflows"], json!([]));
    let patch = app
        .client
        .patch(format!("{}{}", app.address, path))
        .bearer_auth(&other_token)
        .json(&json!({"active": false}))
        .send()
        .await
        .unwrap();
    assert_eq!(patch.status(), 404);

    let unauthenticated = app.client.get(format!("{}/api/v1/workflows", app.address)).send().await.unwrap();
    assert_eq!(unauthenticated.status(), 401);
}

#[tokio::test]
async fn inactive_workflow_does_nothing() {
    let app = spawn_app().await;
    let workflow = create_workflow(&app, &pricing_workflow(false)).await;
    let visitor = save_visitor(&app, json!({"email": "ada@customer.test", "quality_score": 90})).await;

    let runs = evaluate_visitor(&app.state, &app.workspace.id, &visitor, "page_view").await.unwrap();

    assert!(runs.is_empty());
    assert_eq!(runs_of(&app, &workflow).await, Vec::<Value>::new());
    assert_eq!(visitor_json(&app, &visitor).await["push_status"], "not_pushed");
}

#[tokio::test]
async fn one_push_per_data_version() {
    let app = spawn_app().await;
    let workflow = create_workflow(&app, &pricing_workflow(true)).await;
    let email = "ada@customer.test";

    let visitor = save_visitor(&app, json!({"email": email, "quality_score": 20})).await;
    assert!(runs_of(&app, &workflow).await.is_empty(), "score 20 and no page: no match");

    save_visitor(&app, json!({"email": email, "pages": [page_at("https://customer.test/pricing")]})).await;
    let runs = runs_of(&app, &workflow).await;
    assert_eq!(runs.len(), 1, "pricing page matches");
    assert_eq!(runs[0]["trigger"], "visitor_updated");
    assert_eq!(runs[0]["visitor_id"], visitor.as_str());
    assert_eq!(runs[0]["workflow_name"], "Pricing visitors");
    assert!(runs[0]["push_job_id"].is_string());
    let first_version = runs[0]["data_version"].as_i64().expect("data version");

    let again = evaluate_visitor(&app.state, &app.workspace.id, &visitor, "page_view").await.unwrap();
    assert!(again.is_empty(), "same data version runs once");
    save_visitor(&app, json!({"email": email})).await;
    assert_eq!(runs_of(&app, &workflow).await.len(), 1, "unchanged data runs once");

    save_visitor(&app, json!({"email": email, "quality_score": 95})).await;
    let runs = runs_of(&app, &workflow).await;
    assert_eq!(runs.len(), 2, "changed data runs again");
    assert!(runs[0]["data_version"].as_i64().unwrap() > first_version);
    assert_ne!(runs[0]["push_job_id"], runs[1]["push_job_id"]);

    let job: Value = app
        .admin_get(&format!("/api/v1/push-jobs/{}", runs[0]["push_job_id"].as_str().unwrap()))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(job["reason"], "workflow", "push job: {job}");
}

#[tokio::test]
async fn anonymous_visitor_waits_for_identity() {
    let app = spawn_app().await;
    create_workflow(&app, &pricing_workflow(true)).await;
    let now = app.clock.now_ms();
    let visitor = app
        .state
        .db
        .record_page_view(&app.workspace.id, &app.site.id, "anon-visitor-1", "https://customer.test/pricing", None, now)
        .await
        .expect("record page view");

    let runs = evaluate_visitor(&app.state, &app.workspace.id, &visitor, "page_view").await.unwrap();

    assert!(runs.is_empty(), "nothing HubSpot could store yet");
}

#[tokio::test]
async fn concurrent_evaluations_push_once() {
    let app = spawn_app().await;
    let workflow = create_workflow(&app, &pricing_workflow(false)).await;
    let visitor = save_visitor(&app, json!({"email": "ada@customer.test", "quality_score": 80})).await;
    let path = format!("/api/v1/workflows/{}", workflow["id"].as_str().unwrap());
    assert_eq!(admin_patch(&app, &path, &json!({"active": true})).await.status(), 200);

    let calls = (0..8).map(|_| evaluate_visitor(&app.state, &app.workspace.id, &visitor, "visitor_updated"));
    let results = futures_util::future::join_all(calls).await;

    let created: usize = results.into_iter().map(|runs| runs.expect("evaluate").len()).sum();
    assert_eq!(created, 1);
    assert_eq!(runs_of(&app, &workflow).await.len(), 1);
}

#[tokio::test]
async fn each_matching_workflow_runs() {
    let app = spawn_app().await;
    create_workflow(&app, &pricing_workflow(true)).await;
    create_workflow(&app, &json!({"name": "Known", "active": true, "conditions": [{"type": "has_email"}]})).await;
    create_workflow(&app, &json!({"name": "Hot", "active": true, "conditions": [{"type": "quality_score_at_least", "value": 99}]})).await;

    save_visitor(&app, json!({"email": "ada@customer.test", "quality_score": 75})).await;

    let listed: Value = app.admin_get("/api/v1/workflow-runs").await.json().await.unwrap();
    let mut names: Vec<_> = listed["runs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|run| run["workflow_name"].as_str().unwrap().to_string())
        .collect();
    names.sort();
    assert_eq!(names, ["Known", "Pricing visitors"]);
    let limited: Value = app.admin_get("/api/v1/workflow-runs?limit=1").await.json().await.unwrap();
    assert_eq!(limited["runs"].as_array().unwrap().len(), 1);
    let bad = app.admin_get("/api/v1/workflow-runs?limit=0").await;
    assert_eq!(bad.status(), 400);
}

#[tokio::test]
async fn unknown_visitor_is_an_error() {
    let app = spawn_app().await;
    create_workflow(&app, &pricing_workflow(true)).await;
    let result = evaluate_visitor(&app.state, &app.workspace.id, "no-such-visitor", "page_view").await;
    assert!(matches!(result, Err(slotchat::workflows::EvaluateError::VisitorNotFound { .. })));
}

#[tokio::test]
async fn workflow_push_follows_the_event() {
    // Workers never poll here, so the push can only start from the event.
    // The bound is generous because shared machines are slow at times; the
    // speed itself is measured in docs/benchmarks.md, not asserted.
    let app = spawn_event_driven_app().await;
    let workflow = create_workflow(&app, &pricing_workflow(true)).await;
    let email = "grace@customer.test";
    let visitor = save_visitor(&app, json!({"email": email, "first_name": "Grace"})).await;
    assert!(runs_of(&app, &workflow).await.is_empty());

    let started = Instant::now();
    save_visitor(&app, json!({"email": email, "pages": [page_at("https://customer.test/pricing/teams")]})).await;
    let contact_id = loop {
        let stored = visitor_json(&app, &visitor).await;
        if let Some(id) = stored["hubspot_contact_id"].as_str() {
            break id.to_string();
        }
        assert!(started.elapsed() < Duration::from_secs(20), "not pushed: {stored}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    let elapsed = started.elapsed();
    eprintln!("workflow push reached the sandbox {elapsed:?} after the event");

    let contact = hubspot_get(&app, &format!("/crm/v3/objects/contacts/{contact_id}?properties=email")).await;
    assert_eq!(contact["properties"]["email"], email);
    let runs = runs_of(&app, &workflow).await;
    assert_eq!(runs.len(), 1);
    assert_eq!(runs[0]["outcome"], "pushed");
    assert_eq!(runs[0]["push_status"], "done");
}
