//! OAuth: authorize, code exchange, refresh, expiry, revocation, scopes.

use std::time::Duration;

use reqwest::StatusCode;
use serde_json::Value;
use slotchat::sandbox::SandboxConfig;

use crate::helpers::{ALL_SCOPES, REDIRECT_URI, error_body, start, start_with};

#[tokio::test]
async fn oauth_round_trip_v1() {
    let sandbox = start().await;
    let code = sandbox.authorize(ALL_SCOPES).await;
    let response = sandbox.exchange("/oauth/v1/token", &code).await;
    assert_eq!(response.status(), StatusCode::OK);
    let body: Value = response.json().await.expect("JSON");
    assert_eq!(body["token_type"], "bearer");
    assert_eq!(body["expires_in"], 1800);
    assert_eq!(body["hub_id"], 48_213_377);
    assert_eq!(body["token_use"], "access_token");
    assert!(
        body["scopes"]
            .as_array()
            .expect("scopes")
            .iter()
            .any(|scope| scope == "crm.objects.contacts.write")
    );
    let access = body["access_token"].as_str().expect("access token");

    let metadata = sandbox
        .http
        .get(sandbox.url(&format!("/oauth/v1/access-tokens/{access}")))
        .send()
        .await
        .expect("metadata");
    assert_eq!(metadata.status(), StatusCode::OK);
    let metadata: Value = metadata.json().await.expect("JSON");
    assert_eq!(metadata["hub_id"], 48_213_377);
    assert_eq!(
        metadata["hub_domain"],
        "slotchat-demo.sandbox.hubspot.local"
    );

    let links = sandbox
        .get(access, "/scheduler/v3/meetings/meeting-links")
        .await;
    assert_eq!(links.status(), StatusCode::OK);
}

#[tokio::test]
async fn authorize_redirect_keeps_state() {
    let sandbox = start().await;
    let response = sandbox
        .http
        .get(sandbox.url("/oauth/48213377/authorize"))
        .query(&[
            ("client_id", "sandbox-client-id"),
            ("redirect_uri", REDIRECT_URI),
            ("scope", "oauth"),
            ("state", "abc 123"),
        ])
        .send()
        .await
        .expect("authorize");
    assert_eq!(response.status(), StatusCode::FOUND);
    let location =
        url::Url::parse(response.headers()["location"].to_str().expect("ascii")).expect("URL");
    assert!(location.as_str().starts_with(REDIRECT_URI));
    let pairs: Vec<(String, String)> = location.query_pairs().into_owned().collect();
    assert!(
        pairs
            .iter()
            .any(|(key, value)| key == "state" && value == "abc 123")
    );
    assert!(pairs.iter().any(|(key, _)| key == "code"));
}

#[tokio::test]
async fn authorize_rejects_bad_input() {
    let sandbox = start().await;
    let authorize = |client_id: &'static str, redirect: &'static str, scope: &'static str| {
        let http = sandbox.http.clone();
        let url = sandbox.url("/oauth/authorize");
        async move {
            http.get(url)
                .query(&[
                    ("client_id", client_id),
                    ("redirect_uri", redirect),
                    ("scope", scope),
                ])
                .send()
                .await
                .expect("authorize")
        }
    };
    let wrong_client = authorize("nope", REDIRECT_URI, "oauth").await;
    assert_eq!(wrong_client.status(), StatusCode::BAD_REQUEST);
    let plain_http = authorize("sandbox-client-id", "http://example.org/callback", "oauth").await;
    assert_eq!(plain_http.status(), StatusCode::BAD_REQUEST);

    let unknown_scope = authorize(
        "sandbox-client-id",
        REDIRECT_URI,
        "oauth crm.objects.everything",
    )
    .await;
    assert_eq!(unknown_scope.status(), StatusCode::FOUND);
    let location = unknown_scope.headers()["location"]
        .to_str()
        .expect("ascii")
        .to_string();
    assert!(location.contains("error=invalid_scope"), "{location}");
}

#[tokio::test]
async fn authorize_deny_switch_redirects_error() {
    let sandbox = start().await;
    assert_eq!(
        sandbox
            .control_post("/_sandbox/oauth/deny-next", serde_json::json!({}))
            .await,
        StatusCode::NO_CONTENT
    );
    let response = sandbox
        .http
        .get(sandbox.url("/oauth/authorize"))
        .query(&[
            ("client_id", "sandbox-client-id"),
            ("redirect_uri", REDIRECT_URI),
            ("scope", "oauth"),
            ("state", "s1"),
        ])
        .send()
        .await
        .expect("authorize");
    let location = response.headers()["location"]
        .to_str()
        .expect("ascii")
        .to_string();
    assert!(location.contains("error=access_denied"), "{location}");
    assert!(location.contains("error_description="), "{location}");
    assert!(location.contains("state=s1"), "{location}");
    // Only the next request is denied.
    sandbox.authorize("oauth").await;
}

#[tokio::test]
async fn code_is_single_use() {
    let sandbox = start().await;
    let code = sandbox.authorize("oauth").await;
    assert_eq!(
        sandbox.exchange("/oauth/v1/token", &code).await.status(),
        StatusCode::OK
    );
    let again = sandbox.exchange("/oauth/v1/token", &code).await;
    assert_eq!(again.status(), StatusCode::BAD_REQUEST);
    let body: Value = again.json().await.expect("JSON");
    assert_eq!(body["status"], "BAD_AUTH_CODE");
    assert!(body.get("error").is_none(), "v1 errors carry no RFC fields");
}

#[tokio::test]
async fn exchange_checks_redirect_and_secret() {
    let sandbox = start().await;
    let code = sandbox.authorize("oauth").await;
    let form = [
        ("grant_type", "authorization_code"),
        ("client_id", "sandbox-client-id"),
        ("client_secret", "sandbox-client-secret"),
        ("redirect_uri", "http://localhost:1/other"),
        ("code", code.as_str()),
    ];
    let body: Value = sandbox
        .token_request("/oauth/2026-03/token", &form)
        .await
        .json()
        .await
        .expect("JSON");
    assert_eq!(body["status"], "BAD_REDIRECT_URI");
    assert_eq!(body["error"], "invalid_grant");

    let code = sandbox.authorize("oauth").await;
    let form = [
        ("grant_type", "authorization_code"),
        ("client_id", "sandbox-client-id"),
        ("client_secret", "wrong"),
        ("redirect_uri", REDIRECT_URI),
        ("code", code.as_str()),
    ];
    let body: Value = sandbox
        .token_request("/oauth/v3/token", &form)
        .await
        .json()
        .await
        .expect("JSON");
    assert_eq!(body["error"], "invalid_client");
}

#[tokio::test]
async fn expired_code_is_rejected() {
    let sandbox = start().await;
    sandbox
        .control_post(
            "/_sandbox/config",
            serde_json::json!({ "auth_code_ttl_secs": 0 }),
        )
        .await;
    let code = sandbox.authorize("oauth").await;
    let body: Value = sandbox
        .exchange("/oauth/v1/token", &code)
        .await
        .json()
        .await
        .expect("JSON");
    assert_eq!(body["status"], "EXPIRED_AUTH_CODE");
}

#[tokio::test]
async fn current_token_endpoint_rejects_query() {
    let sandbox = start().await;
    let code = sandbox.authorize("oauth").await;
    let response = sandbox
        .http
        .post(sandbox.url("/oauth/2026-03/token"))
        .query(&[
            ("grant_type", "authorization_code"),
            ("code", code.as_str()),
        ])
        .form(&[("client_id", "sandbox-client-id")])
        .send()
        .await
        .expect("token request");
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    let body: Value = response.json().await.expect("JSON");
    assert_eq!(body["error"], "invalid_request");

    let json_body = sandbox
        .http
        .post(sandbox.url("/oauth/v1/token"))
        .json(&serde_json::json!({ "grant_type": "refresh_token" }))
        .send()
        .await
        .expect("token request");
    assert_eq!(
        json_body.status(),
        StatusCode::BAD_REQUEST,
        "JSON bodies are rejected"
    );
}

#[tokio::test]
async fn refresh_on_both_schemes() {
    let sandbox = start().await;
    let tokens = sandbox.connect_with(ALL_SCOPES).await;
    for path in ["/oauth/v1/token", "/oauth/v3/token", "/oauth/2026-03/token"] {
        let response = sandbox.refresh(path, &tokens.refresh).await;
        assert_eq!(response.status(), StatusCode::OK, "{path}");
        let body: Value = response.json().await.expect("JSON");
        let access = body["access_token"].as_str().expect("access token");
        assert_ne!(access, tokens.access, "{path} issues a new access token");
        assert_eq!(body["refresh_token"], tokens.refresh.as_str());
        assert_eq!(
            sandbox
                .get(access, "/crm/v3/objects/contacts")
                .await
                .status(),
            StatusCode::OK
        );
    }
}

#[tokio::test]
async fn access_token_expires_after_ttl() {
    let sandbox = start_with(SandboxConfig {
        access_token_ttl_secs: 2,
        ..SandboxConfig::default()
    })
    .await;
    let tokens = sandbox.connect_with(ALL_SCOPES).await;
    assert_eq!(tokens.body["expires_in"], 2);
    assert_eq!(
        sandbox
            .get(&tokens.access, "/crm/v3/objects/contacts")
            .await
            .status(),
        StatusCode::OK
    );
    tokio::time::sleep(Duration::from_millis(2_300)).await;
    let response = sandbox
        .get(&tokens.access, "/crm/v3/objects/contacts")
        .await;
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    let body = error_body(response).await;
    assert_eq!(body["category"], "EXPIRED_AUTHENTICATION");
    let message = body["message"].as_str().expect("message");
    assert!(
        message.starts_with("The OAuth token used to make this call expired"),
        "{message}"
    );
    assert!(message.ends_with("second(s) ago."), "{message}");
    assert!(
        body["context"]["expire time"][0]
            .as_str()
            .expect("expire time")
            .ends_with('Z')
    );

    let refreshed: Value = sandbox
        .refresh("/oauth/v1/token", &tokens.refresh)
        .await
        .json()
        .await
        .expect("JSON");
    let fresh = refreshed["access_token"].as_str().expect("access token");
    assert_eq!(
        sandbox
            .get(fresh, "/crm/v3/objects/contacts")
            .await
            .status(),
        StatusCode::OK
    );
}

#[tokio::test]
async fn control_expires_every_token() {
    let sandbox = start().await;
    let token = sandbox.token().await;
    let response = sandbox
        .http
        .post(sandbox.url("/_sandbox/tokens/expire"))
        .send()
        .await
        .expect("expire");
    assert_eq!(response.status(), StatusCode::OK);
    let body = error_body(sandbox.get(&token, "/crm/v3/objects/contacts").await).await;
    assert_eq!(body["category"], "EXPIRED_AUTHENTICATION");
}

#[tokio::test]
async fn revoked_refresh_token_fails() {
    let sandbox = start().await;
    let tokens = sandbox.connect_with(ALL_SCOPES).await;
    let deleted = sandbox
        .http
        .delete(sandbox.url(&format!("/oauth/v1/refresh-tokens/{}", tokens.refresh)))
        .send()
        .await
        .expect("delete");
    assert_eq!(deleted.status(), StatusCode::NO_CONTENT);

    let v1: Value = sandbox
        .refresh("/oauth/v1/token", &tokens.refresh)
        .await
        .json()
        .await
        .expect("JSON");
    assert_eq!(v1["status"], "BAD_REFRESH_TOKEN");
    let current: Value = sandbox
        .refresh("/oauth/2026-03/token", &tokens.refresh)
        .await
        .json()
        .await
        .expect("JSON");
    assert_eq!(current["status"], "BAD_REFRESH_TOKEN");
    assert_eq!(current["error"], "invalid_grant");
    assert!(current["error_description"].is_string());
    // Access tokens already issued keep working.
    assert_eq!(
        sandbox
            .get(&tokens.access, "/crm/v3/objects/contacts")
            .await
            .status(),
        StatusCode::OK
    );
}

#[tokio::test]
async fn current_revoke_and_introspect() {
    let sandbox = start().await;
    let tokens = sandbox.connect_with(ALL_SCOPES).await;
    let credentials = [
        ("client_id", "sandbox-client-id"),
        ("client_secret", "sandbox-client-secret"),
    ];
    let introspect = |token: String| {
        let mut form: Vec<(&str, String)> = credentials
            .iter()
            .map(|(key, value)| (*key, value.to_string()))
            .collect();
        form.push(("token", token));
        sandbox
            .http
            .post(sandbox.url("/oauth/2026-03/token/introspect"))
            .form(&form)
            .send()
    };
    let active: Value = introspect(tokens.access.clone())
        .await
        .expect("introspect")
        .json()
        .await
        .expect("JSON");
    assert_eq!(active["active"], true);
    assert_eq!(active["token_use"], "access_token");
    assert_eq!(active["hub_id"], 48_213_377);
    let refresh: Value = introspect(tokens.refresh.clone())
        .await
        .expect("introspect")
        .json()
        .await
        .expect("JSON");
    assert_eq!(refresh["token_use"], "refresh_token");

    let revoke = sandbox
        .token_request(
            "/oauth/2026-03/token/revoke",
            &[
                credentials[0],
                credentials[1],
                ("token", tokens.refresh.as_str()),
                ("token_type_hint", "refresh_token"),
            ],
        )
        .await;
    assert_eq!(revoke.status(), StatusCode::OK);
    let after: Value = introspect(tokens.refresh.clone())
        .await
        .expect("introspect")
        .json()
        .await
        .expect("JSON");
    assert_eq!(after["active"], false);
    let refreshed: Value = sandbox
        .refresh("/oauth/v3/token", &tokens.refresh)
        .await
        .json()
        .await
        .expect("JSON");
    assert_eq!(refreshed["error"], "invalid_grant");
}

#[tokio::test]
async fn unknown_token_is_invalid() {
    let sandbox = start().await;
    let response = sandbox.get("not-a-token", "/crm/v3/objects/contacts").await;
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(
        response.headers()["x-hubspot-auth-failure"],
        "401 Unauthorized"
    );
    let body = error_body(response).await;
    assert_eq!(body["category"], "INVALID_AUTHENTICATION");
    assert_eq!(body["status"], "error");

    let missing = sandbox
        .http
        .get(sandbox.url("/crm/v3/objects/contacts"))
        .send()
        .await
        .expect("request");
    assert_eq!(missing.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn missing_scope_is_forbidden() {
    let sandbox = start().await;
    let tokens = sandbox
        .connect_with("oauth scheduler.meetings.meeting-link.read crm.objects.contacts.read")
        .await;
    let response = sandbox
        .post(
            &tokens.access,
            "/crm/v3/objects/contacts",
            serde_json::json!({ "properties": { "email": "a@acme-widgets.com" } }),
        )
        .await;
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    let body = error_body(response).await;
    assert_eq!(body["category"], "MISSING_SCOPES");
    assert_eq!(
        body["errors"][0]["context"]["requiredScopes"][0],
        "crm.objects.contacts.write"
    );

    let booking = sandbox
        .post(
            &tokens.access,
            "/scheduler/v3/meetings/meeting-links/book",
            serde_json::json!({}),
        )
        .await;
    assert_eq!(
        booking.status(),
        StatusCode::FORBIDDEN,
        "booking needs a write scope"
    );
}

#[tokio::test]
async fn uninstall_revokes_everything() {
    let sandbox = start().await;
    let tokens = sandbox.connect_with(ALL_SCOPES).await;
    let response = sandbox
        .call(
            reqwest::Method::DELETE,
            &tokens.access,
            "/appinstalls/v3/external-install",
            None,
        )
        .await;
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    let body: Value = sandbox
        .refresh("/oauth/v1/token", &tokens.refresh)
        .await
        .json()
        .await
        .expect("JSON");
    assert_eq!(body["status"], "BAD_REFRESH_TOKEN");
    assert_eq!(
        sandbox
            .get(&tokens.access, "/crm/v3/objects/contacts")
            .await
            .status(),
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn private_app_token_has_daily_headers() {
    let sandbox = start().await;
    let response = sandbox
        .get(crate::helpers::PRIVATE_TOKEN, "/crm/v3/objects/companies")
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    let headers = response.headers();
    assert!(headers.contains_key("x-hubspot-ratelimit-daily"));
    assert!(headers.contains_key("x-hubspot-ratelimit-daily-remaining"));
    assert!(headers.contains_key("x-hubspot-ratelimit-max"));

    let oauth = sandbox
        .get(&sandbox.token().await, "/crm/v3/objects/companies")
        .await;
    assert!(oauth.headers().contains_key("x-hubspot-ratelimit-max"));
    assert!(
        !oauth.headers().contains_key("x-hubspot-ratelimit-daily"),
        "no daily headers for OAuth"
    );
}
