//! The second seeded portal: choosing it at authorization, token metadata
//! naming it, and records, tokens, rate limits, bookings and statistics kept
//! apart from the first portal.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use slotchat::sandbox::{PORTAL_ID, SECOND_HUB_DOMAIN, SECOND_PORTAL_ID, SandboxConfig};

use crate::helpers::{ALL_SCOPES, REDIRECT_URI, TestSandbox, Tokens, start, start_with};
use crate::scheduler::{THIRTY_MINUTES_MS, book, booking, pick, slots};

/// Private-app token of the second portal.
const SECOND_PRIVATE_TOKEN: &str = "pat-test-second-portal";

/// Opens `authorize_path` and returns the response without following it.
async fn open_authorize(sandbox: &TestSandbox, authorize_path: &str) -> reqwest::Response {
    sandbox
        .http
        .get(sandbox.url(authorize_path))
        .query(&[
            ("client_id", sandbox.config.client_id.as_str()),
            ("redirect_uri", REDIRECT_URI),
            ("scope", ALL_SCOPES),
        ])
        .send()
        .await
        .expect("authorize request")
}

/// Runs the OAuth flow through `authorize_path` and returns the tokens.
async fn connect_through(sandbox: &TestSandbox, authorize_path: &str) -> Tokens {
    let response = open_authorize(sandbox, authorize_path).await;
    assert_eq!(response.status(), StatusCode::FOUND, "authorize redirects");
    let location = response.headers()["location"]
        .to_str()
        .expect("ascii location")
        .to_string();
    let code = url::Url::parse(&location)
        .expect("a URL")
        .query_pairs()
        .find(|(key, _)| key == "code")
        .map(|(_, value)| value.into_owned())
        .expect("a code in the redirect");
    let response = sandbox.exchange("/oauth/v1/token", &code).await;
    assert_eq!(response.status(), StatusCode::OK);
    let body: Value = response.json().await.expect("token JSON");
    Tokens {
        access: body["access_token"].as_str().expect("access_token").into(),
        refresh: body["refresh_token"]
            .as_str()
            .expect("refresh_token")
            .into(),
        body,
    }
}

/// Connects the second portal through `/oauth/{hubId}/authorize`.
async fn connect_second(sandbox: &TestSandbox) -> Tokens {
    connect_through(sandbox, &format!("/oauth/{SECOND_PORTAL_ID}/authorize")).await
}

async fn start_two_private_apps() -> TestSandbox {
    start_with(SandboxConfig {
        private_app_token: Some(crate::helpers::PRIVATE_TOKEN.into()),
        second_private_app_token: Some(SECOND_PRIVATE_TOKEN.into()),
        ..SandboxConfig::default()
    })
    .await
}

async fn json_of(response: reqwest::Response) -> Value {
    response.json().await.expect("JSON body")
}

#[tokio::test]
async fn hub_authorize_picks_second_portal() {
    let sandbox = start().await;
    let tokens = connect_second(&sandbox).await;
    assert_eq!(tokens.body["hub_id"], SECOND_PORTAL_ID);

    let access_path = format!("/oauth/v1/access-tokens/{}", tokens.access);
    let access = json_of(
        sandbox
            .http
            .get(sandbox.url(&access_path))
            .send()
            .await
            .expect("GET"),
    )
    .await;
    assert_eq!(access["hub_id"], SECOND_PORTAL_ID);
    assert_eq!(access["hub_domain"], SECOND_HUB_DOMAIN);
    assert_eq!(access["signed_access_token"]["hubId"], SECOND_PORTAL_ID);

    let refresh_path = format!("/oauth/v1/refresh-tokens/{}", tokens.refresh);
    let refresh = json_of(
        sandbox
            .http
            .get(sandbox.url(&refresh_path))
            .send()
            .await
            .expect("GET"),
    )
    .await;
    assert_eq!(refresh["hub_id"], SECOND_PORTAL_ID);
    assert_eq!(refresh["hub_domain"], SECOND_HUB_DOMAIN);

    for token in [&tokens.access, &tokens.refresh] {
        let form = [
            ("client_id", sandbox.config.client_id.as_str()),
            ("client_secret", sandbox.config.client_secret.as_str()),
            ("token", token.as_str()),
        ];
        let introspected = json_of(
            sandbox
                .token_request("/oauth/2026-03/token/introspect", &form)
                .await,
        )
        .await;
        assert_eq!(introspected["active"], true);
        assert_eq!(introspected["hub_id"], SECOND_PORTAL_ID);
    }

    let refreshed = json_of(sandbox.refresh("/oauth/v1/token", &tokens.refresh).await).await;
    assert_eq!(
        refreshed["hub_id"], SECOND_PORTAL_ID,
        "a refresh stays in its portal"
    );
}

#[tokio::test]
async fn unknown_hub_authorize_is_rejected() {
    let sandbox = start().await;
    for path in ["/oauth/12345/authorize", "/oauth/not-a-hub/authorize"] {
        let response = open_authorize(&sandbox, path).await;
        assert_eq!(response.status(), StatusCode::BAD_REQUEST, "{path}");
    }
    let first = connect_through(&sandbox, &format!("/oauth/{PORTAL_ID}/authorize")).await;
    assert_eq!(first.body["hub_id"], PORTAL_ID);
}

#[tokio::test]
async fn chosen_portal_applies_to_authorize() {
    let sandbox = start().await;
    let before = sandbox.control_get("/_sandbox/portal").await;
    assert_eq!(before["portal_id"], PORTAL_ID);
    assert_eq!(before["portals"].as_array().expect("portals").len(), 2);

    let unknown = sandbox
        .control_post("/_sandbox/portal", json!({ "portal_id": 1 }))
        .await;
    assert_eq!(unknown, StatusCode::BAD_REQUEST);
    let chosen = sandbox
        .control_post("/_sandbox/portal", json!({ "portal_id": SECOND_PORTAL_ID }))
        .await;
    assert_eq!(chosen, StatusCode::OK);
    assert_eq!(
        sandbox.control_get("/_sandbox/portal").await["portal_id"],
        SECOND_PORTAL_ID
    );
    let tokens = connect_through(&sandbox, "/oauth/authorize").await;
    assert_eq!(tokens.body["hub_id"], SECOND_PORTAL_ID);

    let reset = sandbox.control_post("/_sandbox/reset", json!({})).await;
    assert_eq!(reset, StatusCode::NO_CONTENT);
    let tokens = connect_through(&sandbox, "/oauth/authorize").await;
    assert_eq!(
        tokens.body["hub_id"], PORTAL_ID,
        "reset restores the first portal"
    );
}

#[tokio::test]
async fn portal_tokens_never_cross_records() {
    let sandbox = start().await;
    let first = sandbox.token().await;
    let second = connect_second(&sandbox).await.access;
    let email = "lena@acme-widgets.com";
    let contact = sandbox
        .create_contact(&first, json!({ "email": email }))
        .await;
    let contact_id = contact["id"].as_str().expect("id").to_string();

    let by_id = sandbox
        .get(&second, &format!("/crm/v3/objects/contacts/{contact_id}"))
        .await;
    assert_eq!(by_id.status(), StatusCode::NOT_FOUND);
    let by_email = sandbox
        .get(
            &second,
            &format!("/crm/v3/objects/contacts/{email}?idProperty=email"),
        )
        .await;
    assert_eq!(by_email.status(), StatusCode::NOT_FOUND);
    let listed = json_of(sandbox.get(&second, "/crm/v3/objects/contacts").await).await;
    assert_eq!(listed["results"], json!([]));
    let search = json!({ "filterGroups": [{ "filters": [{ "propertyName": "email", "operator": "EQ", "value": email }] }] });
    let found = json_of(
        sandbox
            .post(&second, "/crm/v3/objects/contacts/search", search)
            .await,
    )
    .await;
    assert_eq!(found["total"], 0);

    let copy = sandbox
        .create_contact(&second, json!({ "email": email }))
        .await;
    let copy_id: u64 = copy["id"]
        .as_str()
        .expect("id")
        .parse()
        .expect("numeric id");
    assert_ne!(
        copy_id.to_string(),
        contact_id,
        "ids differ between portals"
    );
    assert!(
        copy_id >= 590_201,
        "second portal ids start at 590201: {copy_id}"
    );

    let company = json_of(
        sandbox
            .post(
                &first,
                "/crm/v3/objects/companies",
                json!({ "properties": { "domain": "acme-widgets.com" } }),
            )
            .await,
    )
    .await;
    let company_id = company["id"].as_str().expect("company id");
    let cross = sandbox
        .call(
            Method::PUT,
            &second,
            &format!(
                "/crm/v4/objects/contacts/{copy_id}/associations/default/companies/{company_id}"
            ),
            None,
        )
        .await;
    assert_eq!(cross.status(), StatusCode::BAD_REQUEST);
    let message = json_of(cross).await["message"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    assert!(
        message.contains(&format!("{company_id} does not exist")),
        "another portal's company is unknown: {message}"
    );

    let first_list = json_of(sandbox.get(&first, "/crm/v3/objects/contacts").await).await;
    let first_ids: Vec<&str> = first_list["results"]
        .as_array()
        .expect("results")
        .iter()
        .map(|record| record["id"].as_str().expect("id"))
        .collect();
    assert_eq!(first_ids, [contact_id.as_str()]);
}

#[tokio::test]
async fn private_apps_read_own_portal() {
    let sandbox = start_two_private_apps().await;
    let second = connect_second(&sandbox).await.access;
    let created = sandbox
        .create_contact(&second, json!({ "email": "ivo@acme-widgets.com" }))
        .await;
    let path = format!(
        "/crm/v3/objects/contacts/{}",
        created["id"].as_str().expect("id")
    );

    let own = sandbox.get(SECOND_PRIVATE_TOKEN, &path).await;
    assert_eq!(own.status(), StatusCode::OK);
    let other = sandbox.get(crate::helpers::PRIVATE_TOKEN, &path).await;
    assert_eq!(other.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn uninstall_leaves_other_portal_connected() {
    let sandbox = start().await;
    let first = sandbox.connect_with(ALL_SCOPES).await;
    let second = connect_second(&sandbox).await;
    let uninstall = sandbox
        .call(
            Method::DELETE,
            &second.access,
            "/appinstalls/v3/external-install",
            None,
        )
        .await;
    assert_eq!(uninstall.status(), StatusCode::NO_CONTENT);

    let second_call = sandbox
        .get(&second.access, "/crm/v3/objects/contacts")
        .await;
    assert_eq!(second_call.status(), StatusCode::UNAUTHORIZED);
    let first_call = sandbox.get(&first.access, "/crm/v3/objects/contacts").await;
    assert_eq!(first_call.status(), StatusCode::OK);
    let refreshed = sandbox.refresh("/oauth/v1/token", &first.refresh).await;
    assert_eq!(refreshed.status(), StatusCode::OK);
}

#[tokio::test]
async fn rate_limits_count_per_portal() {
    let sandbox = start_with(SandboxConfig {
        burst_limit: 2,
        search_limit_per_second: 1,
        ..SandboxConfig::default()
    })
    .await;
    let first = sandbox.token().await;
    let second = connect_second(&sandbox).await.access;
    for _ in 0..2 {
        let response = sandbox.get(&first, "/crm/v3/objects/contacts").await;
        assert_eq!(response.status(), StatusCode::OK);
    }
    let limited = sandbox.get(&first, "/crm/v3/objects/contacts").await;
    assert_eq!(limited.status(), StatusCode::TOO_MANY_REQUESTS);
    let other = sandbox.get(&second, "/crm/v3/objects/contacts").await;
    assert_eq!(
        other.status(),
        StatusCode::OK,
        "the second portal has its own window"
    );
    assert_eq!(other.headers()["x-hubspot-ratelimit-remaining"], "1");

    let search = || json!({ "filterGroups": [] });
    let first_search = sandbox
        .post(&first, "/crm/v3/objects/contacts/search", search())
        .await;
    assert_eq!(first_search.status(), StatusCode::OK);
    let second_search = sandbox
        .post(&second, "/crm/v3/objects/contacts/search", search())
        .await;
    assert_eq!(
        second_search.status(),
        StatusCode::OK,
        "search limits are per portal"
    );
}

#[tokio::test]
async fn bookings_stay_in_their_portal() {
    let sandbox = start().await;
    let first = sandbox.token().await;
    let second = connect_second(&sandbox).await.access;
    let start_ms = pick(&slots(&sandbox, &second, "ana-ruiz", THIRTY_MINUTES_MS).await);
    let body = booking(
        "ana-ruiz",
        "noor@acme-widgets.com",
        start_ms,
        THIRTY_MINUTES_MS,
    );
    let response = book(&sandbox, &second, body).await;
    assert_eq!(response.status(), StatusCode::OK);
    let booked = json_of(response).await;
    let contact_path = format!(
        "/crm/v3/objects/contacts/{}",
        booked["contactId"].as_str().expect("contactId")
    );

    assert_eq!(
        sandbox.get(&second, &contact_path).await.status(),
        StatusCode::OK
    );
    assert_eq!(
        sandbox.get(&first, &contact_path).await.status(),
        StatusCode::NOT_FOUND
    );
    let second_meetings = sandbox
        .control_get(&format!("/_sandbox/meetings?portal_id={SECOND_PORTAL_ID}"))
        .await;
    assert_eq!(
        second_meetings["meetings"]
            .as_array()
            .expect("meetings")
            .len(),
        1
    );
    let first_meetings = sandbox.control_get("/_sandbox/meetings").await;
    assert_eq!(first_meetings["meetings"], json!([]));
    let first_slots = slots(&sandbox, &first, "ana-ruiz", THIRTY_MINUTES_MS).await;
    assert!(
        first_slots.contains(&start_ms),
        "the first portal's calendar is untouched"
    );
}

#[tokio::test]
async fn stats_and_log_name_portal() {
    let sandbox = start().await;
    let first = sandbox.token().await;
    let second = connect_second(&sandbox).await.access;
    sandbox.get(&first, "/crm/v3/objects/contacts").await;
    for _ in 0..2 {
        sandbox.get(&second, "/crm/v3/objects/companies").await;
    }
    let unauthenticated = sandbox
        .get("no-such-token", "/crm/v3/objects/companies")
        .await;
    assert_eq!(unauthenticated.status(), StatusCode::UNAUTHORIZED);

    let stats = sandbox.control_get("/_sandbox/stats").await;
    let first_counts = &stats["by_portal"][PORTAL_ID.to_string()];
    let second_counts = &stats["by_portal"][SECOND_PORTAL_ID.to_string()];
    assert_eq!(first_counts["requests"], 1);
    assert_eq!(
        first_counts["by_endpoint"]["GET /crm/v3/objects/contacts"],
        1
    );
    assert_eq!(second_counts["requests"], 2);
    assert_eq!(
        second_counts["by_endpoint"]["GET /crm/v3/objects/companies"],
        2
    );
    assert_eq!(stats["by_endpoint"]["GET /crm/v3/objects/companies"], 3);

    let log = sandbox.control_get("/_sandbox/requests").await;
    let portals: Vec<(String, Value)> = log["requests"]
        .as_array()
        .expect("requests")
        .iter()
        .filter(|entry| {
            entry["path"]
                .as_str()
                .is_some_and(|path| path.starts_with("/crm/"))
        })
        .map(|entry| {
            (
                entry["path"].as_str().expect("path").to_string(),
                entry["portal_id"].clone(),
            )
        })
        .collect();
    assert_eq!(
        portals,
        [
            ("/crm/v3/objects/contacts".to_string(), json!(PORTAL_ID)),
            (
                "/crm/v3/objects/companies".to_string(),
                json!(SECOND_PORTAL_ID)
            ),
            (
                "/crm/v3/objects/companies".to_string(),
                json!(SECOND_PORTAL_ID)
            ),
            ("/crm/v3/objects/companies".to_string(), Value::Null),
        ]
    );
}
