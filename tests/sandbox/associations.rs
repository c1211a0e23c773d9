//! Associations v4: default and labelled associations, primary company,
//! reads and batch endpoints.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::{TestSandbox, start};

async fn company(sandbox: &TestSandbox, token: &str, name: &str) -> String {
    let response = sandbox
        .post(
            token,
            "/crm/v3/objects/companies",
            json!({ "properties": { "name": name } }),
        )
        .await;
    assert_eq!(response.status(), StatusCode::CREATED);
    let body: Value = response.json().await.expect("JSON");
    body["id"].as_str().expect("id").to_string()
}

async fn contact(sandbox: &TestSandbox, token: &str, email: &str) -> String {
    sandbox
        .create_contact(token, json!({ "email": email }))
        .await["id"]
        .as_str()
        .expect("id")
        .to_string()
}

/// Type ids per associated company id.
async fn company_types(
    sandbox: &TestSandbox,
    token: &str,
    contact_id: &str,
) -> Vec<(String, Vec<i64>)> {
    let body: Value = sandbox
        .get(
            token,
            &format!("/crm/v4/objects/contacts/{contact_id}/associations/companies"),
        )
        .await
        .json()
        .await
        .expect("JSON");
    body["results"]
        .as_array()
        .expect("results")
        .iter()
        .map(|item| {
            let id = item["toObjectId"].to_string().trim_matches('"').to_string();
            let types = item["associationTypes"]
                .as_array()
                .expect("types")
                .iter()
                .map(|kind| kind["typeId"].as_i64().expect("id"))
                .collect();
            (id, types)
        })
        .collect()
}

#[tokio::test]
async fn default_association_is_idempotent() {
    let sandbox = start().await;
    let token = sandbox.token().await;
    let contact_id = contact(&sandbox, &token, "assoc@acme-widgets.com").await;
    let first = company(&sandbox, &token, "First").await;
    let second = company(&sandbox, &token, "Second").await;
    let path = |company_id: &str| {
        format!("/crm/v4/objects/contacts/{contact_id}/associations/default/companies/{company_id}")
    };
    for _ in 0..2 {
        let response = sandbox.call(Method::PUT, &token, &path(&first), None).await;
        assert_eq!(response.status(), StatusCode::OK);
        let body: Value = response.json().await.expect("JSON");
        assert_eq!(body["status"], "COMPLETE");
        assert_eq!(
            body["results"][0]["associationSpec"]["associationTypeId"],
            279
        );
    }
    let dated = sandbox
        .call(
            Method::PUT,
            &token,
            &format!("/crm/objects/2026-03/0-1/{contact_id}/associations/default/company/{second}"),
            None,
        )
        .await;
    assert_eq!(dated.status(), StatusCode::OK);

    let types = company_types(&sandbox, &token, &contact_id).await;
    assert_eq!(types.len(), 2);
    let first_types = &types
        .iter()
        .find(|(id, _)| *id == first)
        .expect("first company")
        .1;
    assert!(
        first_types.contains(&1) && first_types.contains(&279),
        "the first company is primary: {first_types:?}"
    );
    let second_types = &types
        .iter()
        .find(|(id, _)| *id == second)
        .expect("second company")
        .1;
    assert_eq!(second_types, &vec![279]);

    let record: Value = sandbox
        .get(
            &token,
            &format!("/crm/v3/objects/contacts/{contact_id}?associations=companies"),
        )
        .await
        .json()
        .await
        .expect("JSON");
    let listed = record["associations"]["companies"]["results"]
        .as_array()
        .expect("associations");
    assert!(
        listed
            .iter()
            .any(|item| item["id"] == first.as_str() && item["type"] == "contact_to_company")
    );
    assert!(listed.iter().any(
        |item| item["id"] == second.as_str() && item["type"] == "contact_to_company_unlabeled"
    ));

    let reverse: Value = sandbox
        .get(
            &token,
            &format!("/crm/v4/objects/companies/{first}/associations/contacts"),
        )
        .await
        .json()
        .await
        .expect("JSON");
    let reverse_types = reverse["results"][0]["associationTypes"]
        .as_array()
        .expect("types");
    assert!(reverse_types.iter().any(|kind| kind["typeId"] == 280));
    assert!(
        reverse_types
            .iter()
            .any(|kind| kind["typeId"] == 2 && kind["label"] == "Primary")
    );
}

#[tokio::test]
async fn labelled_primary_moves_primary() {
    let sandbox = start().await;
    let token = sandbox.token().await;
    let contact_id = contact(&sandbox, &token, "labels@acme-widgets.com").await;
    let first = company(&sandbox, &token, "First").await;
    let second = company(&sandbox, &token, "Second").await;
    sandbox
        .call(
            Method::PUT,
            &token,
            &format!(
                "/crm/v4/objects/contacts/{contact_id}/associations/default/companies/{first}"
            ),
            None,
        )
        .await;
    let response = sandbox
        .call(
            Method::PUT,
            &token,
            &format!("/crm/v4/objects/contacts/{contact_id}/associations/companies/{second}"),
            Some(json!([{ "associationCategory": "HUBSPOT_DEFINED", "associationTypeId": 1 }])),
        )
        .await;
    assert_eq!(response.status(), StatusCode::CREATED);
    let body: Value = response.json().await.expect("JSON");
    assert_eq!(body["fromObjectTypeId"], "0-1");
    assert_eq!(body["toObjectTypeId"], "0-2");
    assert_eq!(body["labels"], json!(["Primary"]));
    let types = company_types(&sandbox, &token, &contact_id).await;
    assert_eq!(
        types.iter().find(|(id, _)| *id == first).expect("first").1,
        vec![279]
    );
    assert!(
        types
            .iter()
            .find(|(id, _)| *id == second)
            .expect("second")
            .1
            .contains(&1)
    );

    let bad = sandbox
        .call(
            Method::PUT,
            &token,
            &format!("/crm/v4/objects/contacts/{contact_id}/associations/companies/{second}"),
            Some(json!([{ "associationCategory": "HUBSPOT_DEFINED", "associationTypeId": 202 }])),
        )
        .await;
    assert_eq!(bad.status(), StatusCode::BAD_REQUEST);
    let missing = sandbox
        .call(
            Method::PUT,
            &token,
            &format!("/crm/v4/objects/contacts/{contact_id}/associations/default/companies/1"),
            None,
        )
        .await;
    assert_eq!(missing.status(), StatusCode::BAD_REQUEST, "unknown company");
}

#[tokio::test]
async fn contact_created_with_company() {
    let sandbox = start().await;
    let token = sandbox.token().await;
    let company_id = company(&sandbox, &token, "Acme").await;
    let response = sandbox
        .post(
            &token,
            "/crm/v3/objects/contacts",
            json!({
                "properties": { "email": "with.company@acme-widgets.com" },
                "associations": [{ "to": { "id": company_id }, "types": [{ "associationCategory": "HUBSPOT_DEFINED", "associationTypeId": 279 }] }]
            }),
        )
        .await;
    assert_eq!(response.status(), StatusCode::CREATED);
    let contact_id = response.json::<Value>().await.expect("JSON")["id"]
        .as_str()
        .expect("id")
        .to_string();
    let types = company_types(&sandbox, &token, &contact_id).await;
    assert_eq!(types[0].0, company_id);
}

#[tokio::test]
async fn batch_association_endpoints() {
    let sandbox = start().await;
    let token = sandbox.token().await;
    let contact_a = contact(&sandbox, &token, "a@acme-widgets.com").await;
    let contact_b = contact(&sandbox, &token, "b@acme-widgets.com").await;
    let lonely = contact(&sandbox, &token, "c@acme-widgets.com").await;
    let company_id = company(&sandbox, &token, "Acme").await;
    let response = sandbox
        .post(
            &token,
            "/crm/v4/associations/contacts/companies/batch/associate/default",
            json!({ "inputs": [
                { "from": { "id": contact_a }, "to": { "id": company_id } },
                { "from": { "id": contact_b }, "to": { "id": company_id } }
            ] }),
        )
        .await;
    assert_eq!(response.status(), StatusCode::OK);

    let read = sandbox
        .post(
            &token,
            "/crm/associations/2026-03/0-1/0-2/batch/read",
            json!({ "inputs": [{ "id": contact_a }, { "id": lonely }] }),
        )
        .await;
    assert_eq!(read.status(), StatusCode::MULTI_STATUS);
    let body: Value = read.json().await.expect("JSON");
    assert_eq!(body["results"][0]["from"]["id"], contact_a.as_str());
    assert_eq!(body["numErrors"], 1);

    let created = sandbox
        .post(
            &token,
            "/crm/v4/associations/companies/contacts/batch/create",
            json!({ "inputs": [{ "from": { "id": company_id }, "to": { "id": lonely }, "types": [{ "associationCategory": "HUBSPOT_DEFINED", "associationTypeId": 280 }] }] }),
        )
        .await;
    assert_eq!(created.status(), StatusCode::CREATED);
    let page: Value = sandbox
        .get(
            &token,
            &format!("/crm/v4/objects/companies/{company_id}/associations/contacts?limit=2"),
        )
        .await
        .json()
        .await
        .expect("JSON");
    assert_eq!(page["results"].as_array().expect("results").len(), 2);
    assert!(page["paging"]["next"]["after"].is_string());
}
