//! The HubSpot connection endpoints and the OAuth flow, against the sandbox.

use secrecy::ExposeSecret;
use slotchat::hubspot::{HubSpotError, REQUIRED_SCOPES};

use crate::helpers::{connect_hubspot, follow_authorize, spawn_app, start_hubspot_connect};

const SANDBOX_PORTAL_ID: i64 = 48213377;

async fn status_json(app: &crate::helpers::TestApp) -> serde_json::Value {
    let response = app.admin_get("/api/v1/integrations/hubspot").await;
    assert_eq!(response.status(), 200);
    response.json().await.expect("status is JSON")
}

#[tokio::test]
async fn status_starts_disconnected() {
    let app = spawn_app().await;
    let status = status_json(&app).await;
    assert_eq!(status["connected"], false);
    assert_eq!(status["status"], "disconnected");
    assert!(status["portal_id"].is_null());
    assert_eq!(status["missing_scopes"], serde_json::json!([]));
}

#[tokio::test]
async fn connect_requires_admin_token() {
    let app = spawn_app().await;
    let response = app
        .client
        .post(format!(
            "{}/api/v1/integrations/hubspot/connect",
            app.address
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 401);
}

#[tokio::test]
async fn authorize_url_asks_required_scopes() {
    let app = spawn_app().await;
    let authorize_url = start_hubspot_connect(&app).await;
    let url = url::Url::parse(&authorize_url).expect("authorize_url is a URL");
    assert!(authorize_url.starts_with(&format!("{}/oauth/authorize?", app.sandbox.base_url)));
    let pairs: std::collections::HashMap<String, String> = url.query_pairs().into_owned().collect();
    assert_eq!(pairs["client_id"], "sandbox-client-id");
    assert_eq!(
        pairs["redirect_uri"],
        format!("{}/oauth/hubspot/callback", app.address)
    );
    let scopes: Vec<&str> = pairs["scope"].split(' ').collect();
    assert_eq!(scopes, REQUIRED_SCOPES.to_vec());
    assert!(pairs["state"].len() >= 32, "state is long and random");
    assert!(
        authorize_url.contains("scope=oauth%20crm."),
        "scopes are joined with %20"
    );
}

#[tokio::test]
async fn oauth_flow_connects_portal() {
    let app = spawn_app().await;
    connect_hubspot(&app).await;

    let status = status_json(&app).await;
    assert_eq!(status["connected"], true);
    assert_eq!(status["status"], "connected");
    assert_eq!(status["portal_id"], SANDBOX_PORTAL_ID);
    assert!(
        status["hub_domain"]
            .as_str()
            .is_some_and(|domain| !domain.is_empty())
    );
    assert_eq!(status["missing_scopes"], serde_json::json!([]));
    assert!(
        status["connected_at"]
            .as_str()
            .is_some_and(|at| at.ends_with('Z'))
    );
    assert!(status["last_error"].is_null());
    let portal = app
        .state
        .hubspot
        .current_portal_id(&app.workspace.id)
        .await
        .unwrap();
    assert_eq!(portal, Some(SANDBOX_PORTAL_ID));
}

#[tokio::test]
async fn callback_page_hides_code_and_tokens() {
    let app = spawn_app().await;
    let authorize_url = start_hubspot_connect(&app).await;
    let callback_url = follow_authorize(&app, &authorize_url).await;
    let url = url::Url::parse(&callback_url).unwrap();
    let code = url
        .query_pairs()
        .find(|(name, _)| name == "code")
        .unwrap()
        .1
        .to_string();

    let response = app.client.get(&callback_url).send().await.unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(
        response.headers()["content-type"],
        "text/html; charset=utf-8"
    );
    let page = response.text().await.unwrap();
    assert!(page.contains("connected"));
    assert!(!page.contains(&code), "the page repeats the code");

    let connection = app
        .state
        .db
        .hubspot_connection(&app.workspace.id)
        .await
        .unwrap()
        .unwrap();
    let access = app
        .state
        .cipher
        .decrypt(connection.access_token_enc.as_ref().unwrap())
        .unwrap();
    assert!(!page.contains(access.expose_secret()));
    assert_ne!(
        connection.access_token_enc.as_deref(),
        Some(access.expose_secret()),
        "stored encrypted"
    );
}

#[tokio::test]
async fn reused_state_is_rejected() {
    let app = spawn_app().await;
    let authorize_url = start_hubspot_connect(&app).await;
    let callback_url = follow_authorize(&app, &authorize_url).await;
    let first = app.client.get(&callback_url).send().await.unwrap();
    assert_eq!(first.status(), 200);

    let second = app.client.get(&callback_url).send().await.unwrap();
    assert_eq!(second.status(), 400);
    assert!(
        second
            .text()
            .await
            .unwrap()
            .contains("expired or was already used")
    );
}

#[tokio::test]
async fn expired_state_is_rejected() {
    let app = spawn_app().await;
    let authorize_url = start_hubspot_connect(&app).await;
    let callback_url = follow_authorize(&app, &authorize_url).await;
    let ttl = app.state.settings.oauth_state_ttl_secs as i64;
    app.clock.advance(chrono::Duration::seconds(ttl + 1));

    let response = app.client.get(&callback_url).send().await.unwrap();
    assert_eq!(response.status(), 400);
    assert_eq!(status_json(&app).await["status"], "disconnected");
}

#[tokio::test]
async fn unknown_state_is_rejected() {
    let app = spawn_app().await;
    let url = format!(
        "{}/oauth/hubspot/callback?code=abc&state=forged",
        app.address
    );
    let response = app.client.get(url).send().await.unwrap();
    assert_eq!(response.status(), 400);
    assert_eq!(status_json(&app).await["status"], "disconnected");
}

#[tokio::test]
async fn denied_consent_is_reported() {
    let app = spawn_app().await;
    let authorize_url = start_hubspot_connect(&app).await;
    let url = url::Url::parse(&authorize_url).unwrap();
    let state = url
        .query_pairs()
        .find(|(name, _)| name == "state")
        .unwrap()
        .1
        .to_string();
    let callback = format!(
        "{}/oauth/hubspot/callback?error=access_denied&error_description=%3Cb%3Eno%3C%2Fb%3E&state={state}",
        app.address
    );

    let response = app.client.get(callback).send().await.unwrap();
    assert_eq!(response.status(), 400);
    let page = response.text().await.unwrap();
    assert!(page.contains("access_denied"));
    assert!(!page.contains("<b>"), "HubSpot's text is not echoed");
    assert_eq!(status_json(&app).await["status"], "disconnected");
}

#[tokio::test]
async fn disconnect_revokes_and_keeps_portal() {
    let app = spawn_app().await;
    connect_hubspot(&app).await;
    let connection = app
        .state
        .db
        .hubspot_connection(&app.workspace.id)
        .await
        .unwrap()
        .unwrap();
    let refresh_token = app
        .state
        .cipher
        .decrypt(connection.refresh_token_enc.as_ref().unwrap())
        .unwrap();

    let response = app.admin_delete("/api/v1/integrations/hubspot").await;
    assert_eq!(response.status(), 200);
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["status"], "disconnected");
    assert_eq!(body["connected"], false);
    assert_eq!(body["portal_id"], SANDBOX_PORTAL_ID);
    assert_eq!(body["revoked"], true);

    // The revoked refresh token no longer works at HubSpot.
    let refresh = app
        .client
        .post(format!("{}/oauth/2026-03/token", app.sandbox.base_url))
        .form(&[
            ("grant_type", "refresh_token"),
            ("client_id", "sandbox-client-id"),
            ("client_secret", "sandbox-client-secret"),
            ("refresh_token", refresh_token.expose_secret()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(refresh.status(), 400);

    let stored = app
        .state
        .db
        .hubspot_connection(&app.workspace.id)
        .await
        .unwrap()
        .unwrap();
    assert!(stored.access_token_enc.is_none());
    assert!(stored.refresh_token_enc.is_none());
    let error = app
        .state
        .hubspot
        .list_meeting_links(&app.workspace.id)
        .await
        .unwrap_err();
    assert!(
        matches!(error, HubSpotError::ReconnectRequired),
        "{error:?}"
    );
    assert_eq!(
        app.state
            .hubspot
            .current_portal_id(&app.workspace.id)
            .await
            .unwrap(),
        None
    );
}

#[tokio::test]
async fn reconnect_after_disconnect_works() {
    let app = spawn_app().await;
    connect_hubspot(&app).await;
    app.admin_delete("/api/v1/integrations/hubspot").await;
    connect_hubspot(&app).await;

    let status = status_json(&app).await;
    assert_eq!(status["status"], "connected");
    assert!(status["disconnected_at"].is_null());
    app.state
        .hubspot
        .list_meeting_links(&app.workspace.id)
        .await
        .expect("calls work again");
}

#[tokio::test]
async fn workspaces_do_not_share_connections() {
    let app = spawn_app().await;
    connect_hubspot(&app).await;
    let other_token = slotchat::crypto::random_token();
    let other = app
        .state
        .db
        .create_workspace("Other", &other_token, app.clock.now_ms())
        .await
        .unwrap();

    let response = app
        .client
        .get(format!("{}/api/v1/integrations/hubspot", app.address))
        .bearer_auth(&other_token)
        .send()
        .await
        .unwrap();
    let status: serde_json::Value = response.json().await.unwrap();
    assert_eq!(status["status"], "disconnected");
    let error = app
        .state
        .hubspot
        .list_meeting_links(&other.id)
        .await
        .unwrap_err();
    assert!(matches!(error, HubSpotError::ReconnectRequired));
}
