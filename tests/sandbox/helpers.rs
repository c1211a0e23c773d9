//! The test harness: a sandbox per test and helpers per endpoint.

#![allow(dead_code)]

use std::net::TcpListener;

use reqwest::{Method, Response, StatusCode};
use serde_json::{Value, json};
use slotchat::sandbox::{SandboxConfig, SandboxHandle};

/// Every scope the sandbox grants, space-separated.
pub const ALL_SCOPES: &str = "oauth crm.objects.contacts.read crm.objects.contacts.write crm.objects.companies.read \
crm.objects.companies.write crm.schemas.contacts.read crm.schemas.companies.read scheduler.meetings.meeting-link.read";

/// Redirect URI used by the tests.
pub const REDIRECT_URI: &str = "http://127.0.0.1:9/oauth/hubspot/callback";

/// Private-app token configured in `start`.
pub const PRIVATE_TOKEN: &str = "pat-test-sandbox-token";

/// A running sandbox and a client that does not follow redirects.
pub struct TestSandbox {
    pub handle: SandboxHandle,
    pub base: String,
    pub http: reqwest::Client,
    pub config: SandboxConfig,
}

/// Tokens from a code exchange.
pub struct Tokens {
    pub access: String,
    pub refresh: String,
    pub body: Value,
}

/// Starts a sandbox with the default settings and a private-app token.
pub async fn start() -> TestSandbox {
    start_with(SandboxConfig {
        private_app_token: Some(PRIVATE_TOKEN.into()),
        ..SandboxConfig::default()
    })
    .await
}

/// Starts a sandbox with `config`.
pub async fn start_with(config: SandboxConfig) -> TestSandbox {
    slotchat::telemetry::init_for_tests();
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind a free port");
    let handle = slotchat::sandbox::spawn(config.clone(), listener)
        .await
        .expect("start the sandbox");
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("build the HTTP client");
    TestSandbox {
        base: handle.base_url.clone(),
        handle,
        http,
        config,
    }
}

impl TestSandbox {
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// Runs the authorize step and returns the code from the redirect.
    pub async fn authorize(&self, scope: &str) -> String {
        let response = self
            .http
            .get(self.url("/oauth/authorize"))
            .query(&[
                ("client_id", self.config.client_id.as_str()),
                ("redirect_uri", REDIRECT_URI),
                ("scope", scope),
                ("state", "xyz"),
            ])
            .send()
            .await
            .expect("authorize request");
        assert_eq!(
            response.status(),
            StatusCode::FOUND,
            "authorize should redirect"
        );
        let location = response.headers()["location"]
            .to_str()
            .expect("ascii location")
            .to_string();
        let url = url::Url::parse(&location).expect("a URL");
        url.query_pairs()
            .find(|(key, _)| key == "code")
            .map(|(_, value)| value.into_owned())
            .expect("a code in the redirect")
    }

    /// Posts a form to a token endpoint.
    pub async fn token_request(&self, path: &str, form: &[(&str, &str)]) -> Response {
        self.http
            .post(self.url(path))
            .form(form)
            .send()
            .await
            .expect("token request")
    }

    /// Exchanges a code for tokens at `path`.
    pub async fn exchange(&self, path: &str, code: &str) -> Response {
        let form = [
            ("grant_type", "authorization_code"),
            ("client_id", self.config.client_id.as_str()),
            ("client_secret", self.config.client_secret.as_str()),
            ("redirect_uri", REDIRECT_URI),
            ("code", code),
        ];
        self.token_request(path, &form).await
    }

    /// Refreshes at `path`.
    pub async fn refresh(&self, path: &str, refresh_token: &str) -> Response {
        let form = [
            ("grant_type", "refresh_token"),
            ("client_id", self.config.client_id.as_str()),
            ("client_secret", self.config.client_secret.as_str()),
            ("refresh_token", refresh_token),
        ];
        self.token_request(path, &form).await
    }

    /// Connects through the whole OAuth flow with `scope`.
    pub async fn connect_with(&self, scope: &str) -> Tokens {
        let code = self.authorize(scope).await;
        let response = self.exchange("/oauth/v1/token", &code).await;
        assert_eq!(response.status(), StatusCode::OK);
        let body: Value = response.json().await.expect("token JSON");
        Tokens {
            access: body["access_token"]
                .as_str()
                .expect("access_token")
                .to_string(),
            refresh: body["refresh_token"]
                .as_str()
                .expect("refresh_token")
                .to_string(),
            body,
        }
    }

    /// Connects with every scope and returns the access token.
    pub async fn token(&self) -> String {
        self.connect_with(ALL_SCOPES).await.access
    }

    /// Sends an API call with a bearer token and an optional JSON body.
    pub async fn call(
        &self,
        method: Method,
        token: &str,
        path: &str,
        body: Option<Value>,
    ) -> Response {
        let mut request = self.http.request(method, self.url(path)).bearer_auth(token);
        if let Some(body) = body {
            request = request.json(&body);
        }
        request.send().await.expect("API request")
    }

    pub async fn get(&self, token: &str, path: &str) -> Response {
        self.call(Method::GET, token, path, None).await
    }

    pub async fn post(&self, token: &str, path: &str, body: Value) -> Response {
        self.call(Method::POST, token, path, Some(body)).await
    }

    pub async fn patch(&self, token: &str, path: &str, body: Value) -> Response {
        self.call(Method::PATCH, token, path, Some(body)).await
    }

    /// Creates a contact with `properties` and returns the response body.
    pub async fn create_contact(&self, token: &str, properties: Value) -> Value {
        let response = self
            .post(
                token,
                "/crm/v3/objects/contacts",
                json!({ "properties": properties }),
            )
            .await;
        assert_eq!(response.status(), StatusCode::CREATED, "contact create");
        response.json().await.expect("contact JSON")
    }

    /// Reads a control endpoint.
    pub async fn control_get(&self, path: &str) -> Value {
        let response = self
            .http
            .get(self.url(path))
            .send()
            .await
            .expect("control request");
        assert!(response.status().is_success(), "control GET {path}");
        response.json().await.expect("control JSON")
    }

    /// Posts to a control endpoint and returns the status.
    pub async fn control_post(&self, path: &str, body: Value) -> StatusCode {
        self.http
            .post(self.url(path))
            .json(&body)
            .send()
            .await
            .expect("control request")
            .status()
    }
}

/// Reads a JSON body and checks the correlation header equals the body's
/// `correlationId`, when the body has one.
pub async fn error_body(response: Response) -> Value {
    let header = response
        .headers()
        .get("x-hubspot-correlation-id")
        .map(|value| value.to_str().expect("ascii").to_string());
    let body: Value = response.json().await.expect("JSON error body");
    if let Some(id) = body.get("correlationId").and_then(Value::as_str) {
        assert_eq!(
            Some(id.to_string()),
            header,
            "correlation header equals the body"
        );
    }
    body
}
