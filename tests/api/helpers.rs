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
            let path = std::env::temp_dir().join(format!("{name}.db"));
            format!("sqlite://{}", path.display())
        }
    }
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
