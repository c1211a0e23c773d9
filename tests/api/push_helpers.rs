//! Helpers for push tests: a connected app, visitors, waiting for pushes,
//! and reading records back from the sandbox with a private-app token.

use std::time::Duration;

use serde_json::{Value, json};
use slotchat::sandbox::SandboxConfig;
use slotchat::settings::Settings;

use crate::helpers::{TestApp, TestOptions, connect_hubspot, spawn_app_with};

/// Private-app token the sandbox accepts for reading records back.
pub const READ_TOKEN: &str = "pat-test-read-token";

/// Maximum wait for a push to finish.
const PUSH_TIMEOUT: Duration = Duration::from_secs(60);

/// Options for an app whose sandbox accepts [`READ_TOKEN`].
pub fn push_options() -> TestOptions {
    TestOptions {
        sandbox: SandboxConfig {
            private_app_token: Some(READ_TOKEN.into()),
            ..SandboxConfig::default()
        },
        configure: fast_retries,
    }
}

/// Short retry delays and polling, so failure tests finish quickly.
pub fn fast_retries(settings: &mut Settings) {
    settings.push_retry_base_ms = 50;
    settings.push_poll_interval_ms = 50;
    settings.push_max_attempts = 3;
}

/// Poll interval of [`spawn_event_driven_app`]: far longer than any test
/// waits, so only the wake-up of a new push can start it.
pub const NO_POLL_INTERVAL_MS: u64 = 600_000;

/// Fast retries, but workers that never poll: a push runs only when the
/// event that queued it wakes them.
pub fn wake_only(settings: &mut Settings) {
    fast_retries(settings);
    settings.push_poll_interval_ms = NO_POLL_INTERVAL_MS;
}

/// Starts a connected app whose push workers run only when woken, so a
/// test can tell an event-driven push from one found by polling.
pub async fn spawn_event_driven_app() -> TestApp {
    let app = spawn_app_with(TestOptions { configure: wake_only, ..push_options() }).await;
    connect_hubspot(&app).await;
    app
}

/// Starts an app and connects its workspace to the sandbox.
pub async fn spawn_connected_app() -> TestApp {
    let app = spawn_app_with(push_options()).await;
    connect_hubspot(&app).await;
    app
}

/// Creates a visitor and returns its id.
pub async fn create_visitor(app: &TestApp, body: Value) -> String {
    let response = app.admin_post("/api/v1/visitors", &body).await;
    let status = response.status();
    let json: Value = response.json().await.expect("JSON body");
    assert!(status.is_success(), "creating a visitor failed: {json}");
    json["id"].as_str().expect("visitor id").to_string()
}

/// Queues a manual push and returns the push job id.
pub async fn queue_push(app: &TestApp, visitor_id: &str) -> String {
    let response = app
        .admin_post(&format!("/api/v1/visitors/{visitor_id}/push"), &json!({}))
        .await;
    assert_eq!(response.status(), 202);
    let job: Value = response.json().await.expect("JSON body");
    job["id"].as_str().expect("push job id").to_string()
}

/// Polls a push job until it is no longer pending and returns it.
pub async fn wait_for_job(app: &TestApp, job_id: &str) -> Value {
    let started = std::time::Instant::now();
    loop {
        let job: Value = app
            .admin_get(&format!("/api/v1/push-jobs/{job_id}"))
            .await
            .json()
            .await
            .expect("JSON");
        let pending = job["status"] == "pending" || job["finished"] == false;
        if !pending {
            return job;
        }
        assert!(
            started.elapsed() < PUSH_TIMEOUT,
            "push {job_id} still pending: {job}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Pushes a visitor and waits for the push to end.
pub async fn push_and_wait(app: &TestApp, visitor_id: &str) -> Value {
    let job_id = queue_push(app, visitor_id).await;
    wait_for_job(app, &job_id).await
}

/// Reads a visitor through the admin API.
pub async fn get_visitor(app: &TestApp, visitor_id: &str) -> Value {
    app.admin_get(&format!("/api/v1/visitors/{visitor_id}"))
        .await
        .json()
        .await
        .expect("JSON")
}

/// `GET` a HubSpot API path on the sandbox with [`READ_TOKEN`].
pub async fn hubspot_get(app: &TestApp, path: &str) -> Value {
    let response = app
        .client
        .get(format!("{}{}", app.sandbox.base_url, path))
        .bearer_auth(READ_TOKEN)
        .send()
        .await
        .expect("send request to the sandbox");
    assert_eq!(response.status(), 200, "GET {path} failed");
    response.json().await.expect("JSON")
}

/// Lists every record of `object` in the sandbox portal (up to 10,000).
pub async fn all_records(app: &TestApp, object: &str, properties: &[&str]) -> Vec<Value> {
    let mut records = Vec::new();
    let mut after: Option<String> = None;
    loop {
        let mut path = format!(
            "/crm/v3/objects/{object}?limit=100&properties={}",
            properties.join(",")
        );
        if let Some(after) = &after {
            path.push_str(&format!("&after={after}"));
        }
        let page = hubspot_get(app, &path).await;
        records.extend(page["results"].as_array().cloned().unwrap_or_default());
        match page["paging"]["next"]["after"].as_str() {
            Some(next) => after = Some(next.to_string()),
            None => return records,
        }
    }
}

/// Ids of the `to` records associated with a record.
pub async fn associated_ids(app: &TestApp, from: &str, id: &str, to: &str) -> Vec<String> {
    let page = hubspot_get(
        app,
        &format!("/crm/v4/objects/{from}/{id}/associations/{to}"),
    )
    .await;
    page["results"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .iter()
        .map(|item| match &item["toObjectId"] {
            Value::String(text) => text.clone(),
            other => other.to_string(),
        })
        .collect()
}

/// Adds a sandbox fault.
pub async fn add_fault(app: &TestApp, fault: Value) {
    let response = app.sandbox_post("/_sandbox/faults", &fault).await;
    assert_eq!(response.status(), 201, "adding fault {fault} failed");
}

/// Reads the sandbox's request log as `(method, path)` pairs.
pub async fn sandbox_requests(app: &TestApp) -> Vec<(String, String)> {
    let log: Value = app
        .sandbox_get("/_sandbox/requests")
        .await
        .json()
        .await
        .expect("JSON");
    log["requests"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .iter()
        .map(|request| {
            (
                request["method"].as_str().unwrap_or_default().to_string(),
                request["path"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect()
}

/// Asserts that no request deleted or archived CRM data.
pub async fn assert_nothing_deleted(app: &TestApp) {
    for (method, path) in sandbox_requests(app).await {
        let crm = path.starts_with("/crm/");
        assert!(
            !(crm && method == "DELETE"),
            "CRM data deleted: {method} {path}"
        );
        assert!(
            !path.contains("/archive"),
            "CRM data archived: {method} {path}"
        );
        assert!(
            !path.contains("gdpr-delete"),
            "CRM data deleted: {method} {path}"
        );
    }
}

/// Starts a second slotchat instance on the same database and sandbox as `app`,
/// with its own clock and push workers. Returns its state and address.
pub async fn spawn_second_instance(
    app: &TestApp,
    clock: slotchat::clock::Clock,
) -> (slotchat::startup::AppState, String) {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind a free port");
    let port = listener.local_addr().expect("local address").port();
    let address = format!("http://127.0.0.1:{port}");
    let mut settings = (*app.state.settings).clone();
    settings.listen = format!("127.0.0.1:{port}");
    settings.public_url = address.clone();
    let application =
        slotchat::startup::Application::build_with_listener(settings, clock, listener)
            .await
            .expect("build the second instance");
    let state = application.state().clone();
    tokio::spawn(application.run_until_stopped());
    (state, address)
}

/// Stores `count` visitors directly: every fifth without a company domain,
/// the others spread over `domains` shared domains. Returns their ids.
pub async fn seed_visitors(
    app: &TestApp,
    prefix: &str,
    count: usize,
    domains: usize,
) -> Vec<String> {
    let mut ids = Vec::with_capacity(count);
    for index in 0..count {
        let company = if index % 5 == 4 {
            json!({"name": format!("{prefix} shop {index}")})
        } else {
            let domain = index % domains;
            json!({"name": format!("{prefix} company {domain}"), "domain": format!("{prefix}-{domain}.com"), "employees": "1,000"})
        };
        let body = json!({
            "email": format!("{prefix}.{index}@{prefix}-mail.com"),
            "first_name": format!("Person{index}"),
            "company": company,
            "pages": [{"url": format!("https://{prefix}.test/page/{index}"), "viewed_at": "2026-06-12T10:00:00Z"}]
        });
        let request: slotchat::domain::VisitorRequest =
            serde_json::from_value(body).expect("visitor shape");
        let input = request.validate().expect("valid visitor");
        let saved = app
            .state
            .db
            .save_visitor(&app.workspace.id, &input, app.clock.now_ms())
            .await
            .expect("save visitor");
        ids.push(saved.id);
    }
    ids
}

/// Queues a bulk push through `address` and returns the bulk job id.
pub async fn queue_bulk_push(app: &TestApp, address: &str, visitor_ids: &[String]) -> String {
    let response = app
        .client
        .post(format!("{address}/api/v1/visitors/push"))
        .bearer_auth(&app.admin_token)
        .json(&json!({"visitor_ids": visitor_ids}))
        .send()
        .await
        .expect("send");
    assert_eq!(response.status(), 202);
    let body: Value = response.json().await.expect("JSON");
    body["id"].as_str().expect("bulk id").to_string()
}

/// Waits until no push of the bulk job is pending; returns the job's view.
pub async fn wait_for_bulk(app: &TestApp, bulk_id: &str) -> Value {
    wait_for_job(app, bulk_id).await
}

/// Checks that HubSpot has one contact per visitor, one company per
/// distinct company, and one association per contact.
pub async fn assert_no_duplicates(app: &TestApp, visitors: usize, companies: usize) {
    let contacts = all_records(app, "contacts", &["email"]).await;
    let mut emails: Vec<String> = contacts
        .iter()
        .map(|contact| {
            contact["properties"]["email"]
                .as_str()
                .unwrap_or_default()
                .to_string()
        })
        .collect();
    emails.sort();
    emails.dedup();
    assert_eq!(contacts.len(), visitors, "one contact per visitor");
    assert_eq!(emails.len(), visitors, "no duplicate emails");
    let stored = all_records(app, "companies", &["domain", "name"]).await;
    assert_eq!(stored.len(), companies, "one company per company key");
    let mut domains: Vec<String> = stored
        .iter()
        .filter_map(|company| company["properties"]["domain"].as_str().map(str::to_string))
        .collect();
    let with_domain = domains.len();
    domains.sort();
    domains.dedup();
    assert_eq!(domains.len(), with_domain, "no duplicate domains");
}
