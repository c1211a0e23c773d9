//! CRM search: lag behind writes, operators, sorts and paging limits.

use std::time::Duration;

use reqwest::StatusCode;
use serde_json::{Value, json};
use slotchat::sandbox::SandboxConfig;

use crate::helpers::{TestSandbox, start, start_with};

async fn search(sandbox: &TestSandbox, token: &str, object: &str, body: Value) -> Value {
    let response = sandbox
        .post(token, &format!("/crm/v3/objects/{object}/search"), body)
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    assert!(
        !response.headers().contains_key("x-hubspot-ratelimit-max"),
        "search answers carry no rate-limit headers"
    );
    response.json().await.expect("JSON")
}

/// Starts a sandbox whose search limit does not get in the way of tests that
/// search many times in a row.
async fn start_searchable() -> TestSandbox {
    start_with(SandboxConfig {
        search_limit_per_second: 1_000,
        ..SandboxConfig::default()
    })
    .await
}

fn eq_filter(property: &str, value: &str) -> Value {
    json!({ "filterGroups": [{ "filters": [{ "propertyName": property, "operator": "EQ", "value": value }] }] })
}

#[tokio::test]
async fn search_lags_behind_writes() {
    let sandbox = start_with(SandboxConfig {
        search_lag_ms: 1_500,
        ..SandboxConfig::default()
    })
    .await;
    let token = sandbox.token().await;
    let created = sandbox
        .create_contact(
            &token,
            json!({ "email": "lag@acme-widgets.com", "firstname": "Before" }),
        )
        .await;
    let id = created["id"].as_str().expect("id");

    let immediate = search(
        &sandbox,
        &token,
        "contacts",
        eq_filter("email", "lag@acme-widgets.com"),
    )
    .await;
    assert_eq!(immediate["total"], 0, "a new record is not searchable yet");
    let by_id = sandbox
        .get(&token, &format!("/crm/v3/objects/contacts/{id}"))
        .await;
    assert_eq!(
        by_id.status(),
        StatusCode::OK,
        "GET by id sees the write at once"
    );

    tokio::time::sleep(Duration::from_millis(1_600)).await;
    let later = search(
        &sandbox,
        &token,
        "contacts",
        eq_filter("email", "lag@acme-widgets.com"),
    )
    .await;
    assert_eq!(later["total"], 1);

    sandbox
        .patch(
            &token,
            &format!("/crm/v3/objects/contacts/{id}"),
            json!({ "properties": { "firstname": "After" } }),
        )
        .await;
    tokio::time::sleep(Duration::from_millis(250)).await;
    let stale = search(
        &sandbox,
        &token,
        "contacts",
        eq_filter("firstname", "After"),
    )
    .await;
    assert_eq!(stale["total"], 0, "search still holds the old version");
    let old = search(
        &sandbox,
        &token,
        "contacts",
        eq_filter("firstname", "Before"),
    )
    .await;
    assert_eq!(old["total"], 1);
}

#[tokio::test]
async fn search_lag_changes_at_runtime() {
    let sandbox = start().await;
    let token = sandbox.token().await;
    assert_eq!(
        sandbox
            .control_post("/_sandbox/config", json!({ "search_lag_ms": 60_000 }))
            .await,
        StatusCode::OK
    );
    sandbox
        .create_contact(&token, json!({ "email": "slow@acme-widgets.com" }))
        .await;
    let result = search(
        &sandbox,
        &token,
        "contacts",
        eq_filter("email", "slow@acme-widgets.com"),
    )
    .await;
    assert_eq!(result["total"], 0);
}

async fn seed_companies(sandbox: &TestSandbox, token: &str) {
    let companies = [
        (
            "Acme Widgets",
            "acme-widgets.com",
            "250",
            "COMPUTER_SOFTWARE",
        ),
        ("Borealis Labs", "borealis.io", "12", "BIOTECHNOLOGY"),
        (
            "Cobalt Freight",
            "cobalt-freight.com",
            "900",
            "LOGISTICS_AND_SUPPLY_CHAIN",
        ),
    ];
    for (name, domain, employees, industry) in companies {
        let response = sandbox
            .post(
                token,
                "/crm/v3/objects/companies",
                json!({ "properties": { "name": name, "domain": domain, "numberofemployees": employees, "industry": industry } }),
            )
            .await;
        assert_eq!(response.status(), StatusCode::CREATED);
    }
    sandbox
        .post(
            token,
            "/crm/v3/objects/companies",
            json!({ "properties": { "name": "No Domain Ltd" } }),
        )
        .await;
}

fn names(result: &Value) -> Vec<String> {
    result["results"]
        .as_array()
        .expect("results")
        .iter()
        .map(|record| {
            record["properties"]["name"]
                .as_str()
                .unwrap_or("")
                .to_string()
        })
        .collect()
}

#[tokio::test]
async fn search_operators_and_groups() {
    let sandbox = start_searchable().await;
    let token = sandbox.token().await;
    seed_companies(&sandbox, &token).await;
    let cases = [
        (
            json!([{ "propertyName": "numberofemployees", "operator": "GT", "value": "100" }]),
            2,
        ),
        (
            json!([{ "propertyName": "numberofemployees", "operator": "LTE", "value": "250" }]),
            2,
        ),
        (
            json!([{ "propertyName": "numberofemployees", "operator": "BETWEEN", "value": "10", "highValue": "300" }]),
            2,
        ),
        (
            json!([{ "propertyName": "domain", "operator": "IN", "values": ["borealis.io", "cobalt-freight.com"] }]),
            2,
        ),
        (
            json!([{ "propertyName": "domain", "operator": "NOT_IN", "values": ["borealis.io"] }]),
            3,
        ),
        (
            json!([{ "propertyName": "domain", "operator": "HAS_PROPERTY" }]),
            3,
        ),
        (
            json!([{ "propertyName": "domain", "operator": "NOT_HAS_PROPERTY" }]),
            1,
        ),
        (
            json!([{ "propertyName": "name", "operator": "CONTAINS_TOKEN", "value": "labs" }]),
            1,
        ),
        (
            json!([{ "propertyName": "domain", "operator": "CONTAINS_TOKEN", "value": "*.com" }]),
            2,
        ),
        (
            json!([{ "propertyName": "domain", "operator": "EQ", "value": "ACME-WIDGETS.COM" }]),
            1,
        ),
        (
            json!([{ "propertyName": "industry", "operator": "NEQ", "value": "BIOTECHNOLOGY" }]),
            3,
        ),
        (
            json!([
                { "propertyName": "numberofemployees", "operator": "GTE", "value": "12" },
                { "propertyName": "numberofemployees", "operator": "LT", "value": "900" }
            ]),
            2,
        ),
    ];
    for (filters, expected) in cases {
        let result = search(
            &sandbox,
            &token,
            "companies",
            json!({ "filterGroups": [{ "filters": filters.clone() }] }),
        )
        .await;
        assert_eq!(result["total"], expected, "{filters}");
    }
    let either = json!({ "filterGroups": [
        { "filters": [{ "propertyName": "domain", "operator": "EQ", "value": "borealis.io" }] },
        { "filters": [{ "propertyName": "domain", "operator": "EQ", "value": "acme-widgets.com" }] }
    ] });
    assert_eq!(
        search(&sandbox, &token, "companies", either).await["total"],
        2,
        "groups are OR"
    );
}

#[tokio::test]
async fn search_sorts_both_forms() {
    let sandbox = start_searchable().await;
    let token = sandbox.token().await;
    seed_companies(&sandbox, &token).await;
    let object_form = search(
        &sandbox,
        &token,
        "companies",
        json!({ "sorts": [{ "propertyName": "numberofemployees", "direction": "DESCENDING" }], "properties": ["name"] }),
    )
    .await;
    assert_eq!(
        names(&object_form)[..3],
        ["Cobalt Freight", "Acme Widgets", "Borealis Labs"]
    );
    let string_form = search(
        &sandbox,
        &token,
        "companies",
        json!({ "sorts": ["name"], "properties": ["name"] }),
    )
    .await;
    assert_eq!(names(&string_form)[0], "Acme Widgets");
    let descending = search(
        &sandbox,
        &token,
        "companies",
        json!({ "sorts": ["-name"], "properties": ["name"] }),
    )
    .await;
    assert_eq!(names(&descending)[0], "No Domain Ltd");
}

#[tokio::test]
async fn search_paging_and_limits() {
    let sandbox = start_searchable().await;
    let token = sandbox.token().await;
    seed_companies(&sandbox, &token).await;
    let first = search(&sandbox, &token, "companies", json!({ "limit": 3 })).await;
    assert_eq!(first["total"], 4);
    assert_eq!(first["results"].as_array().expect("results").len(), 3);
    let after = first["paging"]["next"]["after"]
        .as_str()
        .expect("cursor")
        .to_string();
    let second = search(
        &sandbox,
        &token,
        "companies",
        json!({ "limit": 3, "after": after }),
    )
    .await;
    assert_eq!(second["results"].as_array().expect("results").len(), 1);
    assert!(second.get("paging").is_none());

    let empty = search(&sandbox, &token, "companies", json!({})).await;
    assert_eq!(empty["total"], 4, "an empty body searches everything");

    let too_large = sandbox
        .post(
            &token,
            "/crm/v3/objects/companies/search",
            json!({ "limit": 201 }),
        )
        .await;
    assert_eq!(too_large.status(), StatusCode::BAD_REQUEST);
    let past_limit = sandbox
        .post(
            &token,
            "/crm/v3/objects/companies/search",
            json!({ "limit": 100, "after": "9950" }),
        )
        .await;
    assert_eq!(
        past_limit.status(),
        StatusCode::BAD_REQUEST,
        "paging past 10,000 results"
    );
    let bad_operator = sandbox
        .post(
            &token,
            "/crm/v3/objects/companies/search",
            json!({ "filterGroups": [{ "filters": [{ "propertyName": "name", "operator": "LIKE", "value": "a" }] }] }),
        )
        .await;
    assert_eq!(bad_operator.status(), StatusCode::BAD_REQUEST);
    let groups: Vec<Value> = (0..6)
        .map(|_| json!({ "filters": [{ "propertyName": "name", "operator": "HAS_PROPERTY" }] }))
        .collect();
    let too_many = sandbox
        .post(
            &token,
            "/crm/v3/objects/companies/search",
            json!({ "filterGroups": groups }),
        )
        .await;
    assert_eq!(too_many.status(), StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn search_returns_requested_properties() {
    let sandbox = start().await;
    let token = sandbox.token().await;
    sandbox.create_contact(&token, json!({ "email": "props@acme-widgets.com", "jobtitle": "CFO", "hs_lead_status": "NEW" })).await;
    let result = search(
        &sandbox,
        &token,
        "contacts",
        json!({ "filterGroups": [{ "filters": [{ "propertyName": "email", "operator": "EQ", "value": "props@acme-widgets.com" }] }], "properties": ["hs_lead_status"] }),
    )
    .await;
    let properties = &result["results"][0]["properties"];
    assert_eq!(properties["hs_lead_status"], "NEW");
    assert!(properties.get("jobtitle").is_none());
    assert!(properties["hs_object_id"].is_string());
    let query = search(&sandbox, &token, "contacts", json!({ "query": "props" })).await;
    assert_eq!(query["total"], 1);
}
