//! The test harness: `spawn_app` and helpers per endpoint.

#![allow(dead_code)]

use std::net::TcpListener;

use slotchat::clock::Clock;
use slotchat::crypto::TokenCipher;
use slotchat::sandbox::{SandboxConfig, SandboxHandle};
use slotchat::settings::Settings;
use slotchat::startup::{AppState, Application};
use slotchat::storage::workspaces::{Site, Workspace};

/// A running server with its sandbox and one workspace with one site.
pub struct TestApp {
    pub address: String,
    pub state: AppState,
    pub sandbox: SandboxHandle,
    pub client: reqwest::Client,
    pub admin_token: String,
    pub workspace: Workspace,
    pub site: Site,
    pub clock: Clock,
}

/// Options that change how `spawn_app` sets things up.
pub struct TestOptions {
    pub sandbox: SandboxConfig,
    /// Changes the server's settings after the harness filled them in.
    pub configure: fn(&mut Settings),
}

impl Default for TestOptions {
    fn default() -> Self {
        Self { sandbox: SandboxConfig::default(), configure: |_| {} }
    }
}

/// Allowed origin of the test site.
pub const SITE_ORIGIN: &str = "http://customer.test";

/// Starts the sandbox and the server with default options.
pub async fn spawn_app() -> TestApp {
    spawn_app_with(TestOptions::default()).await
}

/// Starts the sandbox and the server with `options`.
pub async fn spawn_app_with(options: TestOptions) -> TestApp {
    slotchat::telemetry::init_for_tests();
    let sandbox_listener = TcpListener::bind("127.0.0.1:0").expect("bind a free port for the sandbox");
    let sandbox_config = options.sandbox.clone();
    let sandbox = slotchat::sandbox::spawn(sandbox_config.clone(), sandbox_listener)
        .await
        .expect("start the sandbox");

    // The server's listener is bound first so that `public_url`, from which
    // the OAuth redirect URL is derived, carries the real port.
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind a free port for the server");
    let port = listener.local_addr().expect("read the server's port").port();
    let address = format!("http://127.0.0.1:{port}");

    let mut settings = Settings::default();
    settings.listen = format!("127.0.0.1:{port}");
    settings.public_url = address.clone();
    settings.database_url = fresh_database_url().await;
    settings.database_max_connections = 5;
    settings.hubspot_api_base_url = sandbox.base_url.clone();
    settings.hubspot_auth_base_url = sandbox.base_url.clone();
    settings.hubspot_client_id = sandbox_config.client_id.clone();
    settings.hubspot_client_secret = Some(sandbox_config.client_secret.clone().into());
    settings.encryption_key = Some(TokenCipher::generate_key());
    settings.hubspot_request_timeout_ms = 2_000;
    (options.configure)(&mut settings);

    let clock = Clock::default();
    let application = Application::build_with_listener(settings, clock.clone(), listener)
        .await
        .expect("build the application");
    let state = application.state().clone();
    tokio::spawn(application.run_until_stopped());

    let admin_token = slotchat::crypto::random_token();
    let now = clock.now_ms();
    let workspace = state
        .db
        .create_workspace("Test workspace", &admin_token, now)
        .await
        .expect("create workspace");
    let site = state
        .db
        .create_site(&workspace.id, "Test site", &[SITE_ORIGIN.to_string()], now)
        .await
        .expect("create site");

    TestApp {
        address,
        state,
        sandbox,
        client: reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("build reqwest client"),
        admin_token,
        workspace,
        site,
        clock,
    }
}

/// A new empty database: a SQLite file in the temp folder, or a fresh
/// PostgreSQL database when `SLOTCHAT_TEST_POSTGRES_URL` is set.
async fn fresh_database_url() -> String {
    let name = format!("slotchat_test_{}", uuid::Uuid::new_v4().simple());
    match std::env::var("SLOTCHAT_TEST_POSTGRES_URL") {
        Ok(admin_url) => {
            use sqlx::Connection;
            let mut connection = sqlx::PgConnection::connect(&admin_url)
                .await
                .expect("connect to SLOTCHAT_TEST_POSTGRES_URL");
            sqlx::Executor::execute(&mut connection, format!("CREATE DATABASE {name}").as_str())
                .await
                .expect("create test database");
            let mut url = url::Url::parse(&admin_url).expect("SLOTCHAT_TEST_POSTGRES_URL is a URL");
            url.set_path(&name);
            url.to_string()
        }
        Err(_) => {
            remove_stale_sqlite_files();
            let path = std::env::temp_dir().join(format!("{name}.db"));
            format!("sqlite://{}", path.display())
        }
    }
}

/// Age after which a test database file left in the temp folder is removed.
const STALE_TEST_DATABASE_AGE: std::time::Duration = std::time::Duration::from_secs(3600);

/// Removes SQLite files of earlier test runs, once per test process. Files
/// of the current run are younger than the age limit and stay, because a
/// test may reopen its database (a restart, a second instance).
fn remove_stale_sqlite_files() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let Ok(entries) = std::fs::read_dir(std::env::temp_dir()) else {
            return;
        };
        for entry in entries.flatten() {
            let is_test_file = entry.file_name().to_string_lossy().starts_with("slotchat_test_");
            let age = entry.metadata().and_then(|meta| meta.modified()).ok().and_then(|at| at.elapsed().ok());
            if is_test_file && age.is_some_and(|age| age > STALE_TEST_DATABASE_AGE) {
                let _ = std::fs::remove_file(entry.path());
            }
        }
    });
}

impl TestApp {
    /// `GET` an admin API path with the workspace's admin token.
    pub async fn admin_get(&self, path: &str) -> reqwest::Response {
        self.client
            .get(format!("{}{}", self.address, path))
            .bearer_auth(&self.admin_token)
            .send()
            .await
            .expect("send request")
    }

    /// `POST` JSON to an admin API path with the workspace's admin token.
    pub async fn admin_post(&self, path: &str, body: &serde_json::Value) -> reqwest::Response {
        self.client
            .post(format!("{}{}", self.address, path))
            .bearer_auth(&self.admin_token)
            .json(body)
            .send()
            .await
            .expect("send request")
    }
}

impl TestApp {
    /// `DELETE` an admin API path with the workspace's admin token.
    pub async fn admin_delete(&self, path: &str) -> reqwest::Response {
        self.client
            .delete(format!("{}{}", self.address, path))
            .bearer_auth(&self.admin_token)
            .send()
            .await
            .expect("send request")
    }

    /// `GET` a sandbox path (the control API or HubSpot's) without auth.
    pub async fn sandbox_get(&self, path: &str) -> reqwest::Response {
        self.client
            .get(format!("{}{}", self.sandbox.base_url, path))
            .send()
            .await
            .expect("send request to the sandbox")
    }

    /// `POST` JSON to a sandbox path.
    pub async fn sandbox_post(&self, path: &str, body: &serde_json::Value) -> reqwest::Response {
        self.client
            .post(format!("{}{}", self.sandbox.base_url, path))
            .json(body)
            .send()
            .await
            .expect("send request to the sandbox")
    }
}

/// Starts the OAuth flow: `POST .../connect` and returns the authorize URL.
pub async fn start_hubspot_connect(app: &TestApp) -> String {
    let response = app.admin_post("/api/v1/integrations/hubspot/connect", &serde_json::json!({})).await;
    assert_eq!(response.status(), 200, "POST connect failed: {}", response.text().await.unwrap_or_default());
    let body: serde_json::Value = response.json().await.expect("connect answer is JSON");
    body["authorize_url"].as_str().expect("authorize_url is a string").to_string()
}

/// Opens the authorize URL as a browser would (redirects not followed) and
/// returns the callback URL HubSpot redirects to.
pub async fn follow_authorize(app: &TestApp, authorize_url: &str) -> String {
    let response = app.client.get(authorize_url).send().await.expect("open the authorize URL");
    assert_eq!(response.status(), 302, "the authorize page did not redirect");
    let location = response
        .headers()
        .get(reqwest::header::LOCATION)
        .expect("the redirect has a Location")
        .to_str()
        .expect("Location is text")
        .to_string();
    assert!(
        location.starts_with(&format!("{}/oauth/hubspot/callback?", app.address)),
        "redirected to an unexpected URL"
    );
    location
}

/// Connects the test workspace to the sandbox portal through the real OAuth
/// flow (connect, authorize page, callback) and panics when any step fails.
pub async fn connect_hubspot(app: &TestApp) {
    let authorize_url = start_hubspot_connect(app).await;
    let callback_url = follow_authorize(app, &authorize_url).await;
    let response = app.client.get(&callback_url).send().await.expect("open the callback URL");
    let status = response.status();
    let page = response.text().await.unwrap_or_default();
    assert_eq!(status, 200, "the OAuth callback failed: {page}");
}

/// The `by_endpoint` count of the sandbox's stats for `key`, for example
/// `"POST /oauth/2026-03/token"`.
pub async fn sandbox_endpoint_count(app: &TestApp, key: &str) -> u64 {
    let stats: serde_json::Value = app.sandbox_get("/_sandbox/stats").await.json().await.expect("stats are JSON");
    stats["by_endpoint"][key].as_u64().unwrap_or(0)
}
