//! Rate limits: the burst window, the search limit and their headers.

use std::time::Duration;

use reqwest::StatusCode;
use serde_json::json;
use slotchat::sandbox::SandboxConfig;

use crate::helpers::{PRIVATE_TOKEN, error_body, start_with};

#[tokio::test]
async fn burst_limit_returns_429() {
    let config = SandboxConfig {
        burst_limit: 5,
        private_app_token: Some(PRIVATE_TOKEN.into()),
        ..SandboxConfig::default()
    };
    let sandbox = start_with(config).await;
    let token = sandbox.token().await;
    for expected_remaining in (0..5).rev() {
        let response = sandbox.get(&token, "/crm/v3/objects/contacts").await;
        assert_eq!(response.status(), StatusCode::OK);
        let headers = response.headers();
        assert_eq!(headers["x-hubspot-ratelimit-max"], "5");
        assert_eq!(
            headers["x-hubspot-ratelimit-remaining"],
            expected_remaining.to_string().as_str()
        );
        assert_eq!(
            headers["x-hubspot-ratelimit-interval-milliseconds"],
            "10000"
        );
    }
    let limited = sandbox.get(&token, "/crm/v3/objects/contacts").await;
    assert_eq!(limited.status(), StatusCode::TOO_MANY_REQUESTS);
    let body = error_body(limited).await;
    assert_eq!(body["errorType"], "RATE_LIMIT");
    assert_eq!(body["policyName"], "TEN_SECONDLY_ROLLING");
    assert!(body["requestId"].is_string());
    assert!(body["correlationId"].is_string());
    assert!(body.get("category").is_none());

    let private = sandbox.get(PRIVATE_TOKEN, "/crm/v3/objects/contacts").await;
    assert_eq!(
        private.status(),
        StatusCode::OK,
        "the private app has its own bucket"
    );
    let stats = sandbox.control_get("/_sandbox/stats").await;
    assert_eq!(stats["rate_limited"], 1);
}

#[tokio::test]
async fn burst_window_rolls() {
    let config = SandboxConfig {
        burst_limit: 2,
        burst_interval_ms: 400,
        ..SandboxConfig::default()
    };
    let sandbox = start_with(config).await;
    let token = sandbox.token().await;
    for _ in 0..2 {
        assert_eq!(
            sandbox
                .get(&token, "/crm/v3/objects/companies")
                .await
                .status(),
            StatusCode::OK
        );
    }
    assert_eq!(
        sandbox
            .get(&token, "/crm/v3/objects/companies")
            .await
            .status(),
        StatusCode::TOO_MANY_REQUESTS
    );
    tokio::time::sleep(Duration::from_millis(1_600)).await;
    assert_eq!(
        sandbox
            .get(&token, "/crm/v3/objects/companies")
            .await
            .status(),
        StatusCode::OK
    );
}

#[tokio::test]
async fn search_limit_is_secondly() {
    let sandbox = start_with(SandboxConfig::default()).await;
    let token = sandbox.token().await;
    for _ in 0..5 {
        let response = sandbox
            .post(&token, "/crm/v3/objects/contacts/search", json!({}))
            .await;
        assert_eq!(response.status(), StatusCode::OK);
    }
    let limited = sandbox
        .post(&token, "/crm/v3/objects/companies/search", json!({}))
        .await;
    assert_eq!(
        limited.status(),
        StatusCode::TOO_MANY_REQUESTS,
        "the limit is per portal, across object types"
    );
    let body = error_body(limited).await;
    assert_eq!(body["policyName"], "SECONDLY");
    assert_eq!(body["message"], "You have reached your secondly limit.");
    let other = sandbox.get(&token, "/crm/v3/objects/contacts").await;
    assert_eq!(
        other.status(),
        StatusCode::OK,
        "search does not use the burst limit"
    );
    tokio::time::sleep(Duration::from_millis(1_050)).await;
    assert_eq!(
        sandbox
            .post(&token, "/crm/v3/objects/contacts/search", json!({}))
            .await
            .status(),
        StatusCode::OK
    );
}

#[tokio::test]
async fn limits_change_at_runtime() {
    let sandbox = start_with(SandboxConfig::default()).await;
    let token = sandbox.token().await;
    assert_eq!(
        sandbox
            .control_post("/_sandbox/config", json!({ "burst_limit": 1 }))
            .await,
        StatusCode::OK
    );
    assert_eq!(
        sandbox
            .get(&token, "/crm/v3/objects/contacts")
            .await
            .status(),
        StatusCode::OK
    );
    assert_eq!(
        sandbox
            .get(&token, "/crm/v3/objects/contacts")
            .await
            .status(),
        StatusCode::TOO_MANY_REQUESTS
    );
    assert_eq!(
        sandbox
            .control_post("/_sandbox/config", json!({ "burst_limt": 1 }))
            .await,
        StatusCode::BAD_REQUEST,
        "unknown keys"
    );
}
