//! Identifying widget visitors: the `identify` frame and the `anonymous_id`
//! field of the visitor API link an anonymous visitor to a person, and a
//! workflow then pushes that person once.

use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::helpers::{TestApp, spawn_app};
use crate::push_helpers::{all_records, create_visitor, get_visitor, sandbox_requests, spawn_event_driven_app};
use crate::widget_client::WidgetClient;

const ANONYMOUS_ID: &str = "anon-widget-visitor-1";

/// Opens a widget session as the browser `anonymous_id` on `url`.
async fn widget_on_page(app: &TestApp, anonymous_id: &str, url: &str) -> WidgetClient {
    let mut client = WidgetClient::connect(app).await;
    client
        .send(json!({"type": "hello", "time_zone": "Europe/Madrid", "locale": "en-US",
                     "anonymous_id": anonymous_id, "page": {"url": url, "title": "Page"}}))
        .await;
    let welcome = client.next_of_type("welcome").await;
    assert_eq!(welcome["type"], "welcome", "hello failed: {welcome}");
    client
}

async fn view_page(client: &mut WidgetClient, url: &str) {
    client.send(json!({"type": "page_view", "url": url})).await;
}

/// Sends `identify` and returns the reply (`identified` or `error`).
async fn identify(client: &mut WidgetClient, frame: Value) -> Value {
    let mut frame = frame;
    frame["type"] = json!("identify");
    client.send(frame).await;
    client.next_of_type("identified").await
}

async fn listed_visitors(app: &TestApp) -> Vec<Value> {
    let listed: Value = app.admin_get("/api/v1/visitors").await.json().await.expect("visitors JSON");
    listed["visitors"].as_array().expect("visitors").clone()
}

fn page_urls(visitor: &Value) -> Vec<String> {
    let mut urls: Vec<String> = visitor["pages"]
        .as_array()
        .expect("pages")
        .iter()
        .map(|page| page["url"].as_str().expect("url").to_string())
        .collect();
    urls.sort();
    urls
}

async fn visitor_id_of_anonymous(app: &TestApp, anonymous_id: &str) -> String {
    app.state
        .db
        .visitor_by_anonymous_id(&app.workspace.id, anonymous_id)
        .await
        .expect("read visitor")
        .expect("the anonymous id has a visitor")
        .id
}

#[tokio::test]
async fn identify_links_anonymous_visitor() {
    let app = spawn_app().await;
    let mut client = widget_on_page(&app, ANONYMOUS_ID, "http://customer.test/").await;
    view_page(&mut client, "http://customer.test/pricing").await;
    let anonymous_visitor = {
        // Frames are handled in order, so the identify reply means both
        // page views are stored.
        let answer = identify(&mut client, json!({"email": "Maria@Acme.example", "first_name": "Maria",
                                                   "company": {"name": "Acme", "domain": "acme.example"}})).await;
        assert_eq!(answer["type"], "identified", "identify failed: {answer}");
        visitor_id_of_anonymous(&app, ANONYMOUS_ID).await
    };

    let visitors = listed_visitors(&app).await;
    assert_eq!(visitors.len(), 1, "one visitor: {visitors:?}");
    let visitor = get_visitor(&app, &anonymous_visitor).await;
    assert_eq!(visitor["email"], "maria@acme.example");
    assert_eq!(visitor["first_name"], "Maria");
    assert_eq!(visitor["company"]["domain"], "acme.example");
    assert_eq!(visitor["data_version"], 2, "identify changed the data");
    assert_eq!(page_urls(&visitor), ["http://customer.test/", "http://customer.test/pricing"]);
}

#[tokio::test]
async fn identify_merges_into_existing_email() {
    let app = spawn_app().await;
    let known = create_visitor(&app, json!({"email": "ada@customer.example", "quality_score": 40})).await;
    let mut client = widget_on_page(&app, ANONYMOUS_ID, "http://customer.test/").await;
    view_page(&mut client, "http://customer.test/pricing").await;

    let answer = identify(&mut client, json!({"email": "ada@customer.example"})).await;
    assert_eq!(answer["type"], "identified", "identify failed: {answer}");
    view_page(&mut client, "http://customer.test/docs").await;
    let again = identify(&mut client, json!({"email": "ada@customer.example"})).await;
    assert_eq!(again["type"], "identified");

    let visitors = listed_visitors(&app).await;
    assert_eq!(visitors.len(), 1, "one visitor: {visitors:?}");
    assert_eq!(visitors[0]["id"], known.as_str());
    assert_eq!(visitor_id_of_anonymous(&app, ANONYMOUS_ID).await, known);
    let visitor = get_visitor(&app, &known).await;
    assert_eq!(visitor["quality_score"], 40);
    let expected = ["http://customer.test/", "http://customer.test/docs", "http://customer.test/pricing"];
    assert_eq!(page_urls(&visitor), expected, "page views moved and later ones follow");
}

#[tokio::test]
async fn identify_invalid_email_names_field() {
    let app = spawn_app().await;
    let mut client = widget_on_page(&app, ANONYMOUS_ID, "http://customer.test/").await;

    let answer = identify(&mut client, json!({"email": "not-an-email"})).await;
    assert_eq!(answer["type"], "error");
    assert_eq!(answer["code"], "invalid_field");
    assert_eq!(answer["field"], "email");

    let domain = identify(&mut client, json!({"email": "a@acme.example", "company": {"domain": "acme"}})).await;
    assert_eq!(domain["field"], "company.domain");
    let unknown = identify(&mut client, json!({"email": "a@acme.example", "phone": "1"})).await;
    assert_eq!(unknown["code"], "invalid_frame");
    assert!(listed_visitors(&app).await.is_empty(), "nothing stored");

    let valid = identify(&mut client, json!({"email": "a@acme.example"})).await;
    assert_eq!(valid["type"], "identified", "the connection lives on");
}

#[tokio::test]
async fn api_anonymous_id_links_visitor() {
    let app = spawn_app().await;
    let mut client = widget_on_page(&app, ANONYMOUS_ID, "http://customer.test/pricing").await;
    identify(&mut client, json!({"email": "first@acme.example"})).await;

    let response = app
        .admin_post(
            "/api/v1/visitors",
            &json!({"anonymous_id": ANONYMOUS_ID, "email": "first@acme.example", "quality_score": 90}),
        )
        .await;
    assert_eq!(response.status(), 200, "the linked visitor is updated");
    let body: Value = response.json().await.expect("JSON");
    let visitor = get_visitor(&app, body["id"].as_str().expect("id")).await;
    assert_eq!(visitor["quality_score"], 90);
    assert_eq!(page_urls(&visitor), ["http://customer.test/pricing"]);

    let bad = app.admin_post("/api/v1/visitors", &json!({"anonymous_id": "x y", "email": "a@b.example"})).await;
    assert_eq!(bad.status(), 400);
    let error: Value = bad.json().await.expect("JSON");
    assert_eq!(error["error"]["field"], "anonymous_id");
}

/// Requests that may write to the sandbox: anything but reads and searches.
async fn sandbox_writes(app: &TestApp) -> usize {
    let requests = sandbox_requests(app).await;
    requests.iter().filter(|(method, path)| method != "GET" && !path.ends_with("/search")).count()
}

async fn wait_for_contact(app: &TestApp, email: &str, limit: Duration) -> Duration {
    let started = Instant::now();
    loop {
        let contacts = all_records(app, "contacts", &["email"]).await;
        if contacts.iter().any(|contact| contact["properties"]["email"] == email) {
            return started.elapsed();
        }
        assert!(started.elapsed() < limit, "no contact {email} in the sandbox after {limit:?}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test]
async fn workflow_pushes_identified_visitor_once() {
    // Workers never poll here, so the push can only start from the page view.
    let app = spawn_event_driven_app().await;
    let workflow = json!({"name": "Pricing visitors", "active": true, "match": "all",
        "conditions": [{"type": "page_visited", "match": "prefix", "value": "/pricing"}, {"type": "has_email"}]});
    assert_eq!(app.admin_post("/api/v1/workflows", &workflow).await.status(), 201);
    let mut client = widget_on_page(&app, ANONYMOUS_ID, "http://customer.test/").await;
    identify(&mut client, json!({"email": "lead@acme.example", "first_name": "Lena"})).await;
    let contacts = all_records(&app, "contacts", &["email"]).await;
    assert!(contacts.is_empty(), "no push before the matching page view: {contacts:?}");

    let viewed = Instant::now();
    view_page(&mut client, "http://customer.test/pricing").await;
    wait_for_contact(&app, "lead@acme.example", Duration::from_secs(20)).await;
    eprintln!("workflow push reached the sandbox {:?} after the page view", viewed.elapsed());

    // Let the push finish its writes (note, associations) before counting.
    tokio::time::sleep(Duration::from_millis(500)).await;
    let writes = sandbox_writes(&app).await;
    view_page(&mut client, "http://customer.test/pricing/enterprise").await;
    let again = identify(&mut client, json!({"email": "lead@acme.example", "first_name": "Lena"})).await;
    assert_eq!(again["type"], "identified");
    tokio::time::sleep(Duration::from_millis(700)).await;

    assert_eq!(sandbox_writes(&app).await, writes, "a second page view pushes nothing");
    let runs: Value = app.admin_get("/api/v1/workflow-runs").await.json().await.expect("runs JSON");
    assert_eq!(runs["runs"].as_array().expect("runs").len(), 1, "one run: {runs}");
    let contacts = all_records(&app, "contacts", &["email"]).await;
    assert_eq!(contacts.len(), 1, "one contact: {contacts:?}");
}
