//! CRM records: create, read, update, batch, validation and conflicts.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{error_body, start};

#[tokio::test]
async fn duplicate_email_conflict_names_id() {
    let sandbox = start().await;
    let token = sandbox.token().await;
    let created = sandbox
        .create_contact(
            &token,
            json!({ "email": "Maria.Lopez@acme-widgets.com", "firstname": "Maria" }),
        )
        .await;
    let id = created["id"].as_str().expect("id");
    assert_eq!(
        created["properties"]["email"], "maria.lopez@acme-widgets.com",
        "emails are stored in lower case"
    );

    let again = sandbox
        .post(
            &token,
            "/crm/v3/objects/contacts",
            json!({ "properties": { "email": "maria.lopez@ACME-widgets.com" } }),
        )
        .await;
    assert_eq!(again.status(), StatusCode::CONFLICT);
    let body = error_body(again).await;
    assert_eq!(body["category"], "CONFLICT");
    assert_eq!(
        body["message"],
        format!("Contact already exists. Existing ID: {id}")
    );

    let batch = sandbox
        .post(
            &token,
            "/crm/v3/objects/contacts/batch/create",
            json!({ "inputs": [
                { "properties": { "email": "new.person@acme-widgets.com" } },
                { "properties": { "email": "maria.lopez@acme-widgets.com" } }
            ] }),
        )
        .await;
    assert_eq!(
        batch.status(),
        StatusCode::CONFLICT,
        "the whole batch fails"
    );
    let body = error_body(batch).await;
    assert_eq!(
        body["message"],
        format!("Contact already exists. Existing ID: {id}")
    );
    let search = sandbox
        .post(
            &token,
            "/crm/v3/objects/contacts/search",
            json!({ "filterGroups": [{ "filters": [{ "propertyName": "email", "operator": "EQ", "value": "new.person@acme-widgets.com" }] }] }),
        )
        .await;
    let search: Value = search.json().await.expect("JSON");
    assert_eq!(
        search["total"], 0,
        "nothing from the failed batch was written"
    );
}

#[tokio::test]
async fn batch_create_with_trace_ids() {
    let sandbox = start().await;
    let token = sandbox.token().await;
    sandbox
        .create_contact(&token, json!({ "email": "taken@acme-widgets.com" }))
        .await;
    let response = sandbox
        .post(
            &token,
            "/crm/v3/objects/contacts/batch/create",
            json!({ "inputs": [
                { "properties": { "email": "fresh@acme-widgets.com" }, "objectWriteTraceId": "a" },
                { "properties": { "email": "taken@acme-widgets.com" }, "objectWriteTraceId": "b" }
            ] }),
        )
        .await;
    assert_eq!(response.status(), StatusCode::MULTI_STATUS);
    let body: Value = response.json().await.expect("JSON");
    assert_eq!(body["results"].as_array().expect("results").len(), 1);
    assert_eq!(body["numErrors"], 1);
    assert_eq!(body["errors"][0]["category"], "CONFLICT");
    assert_eq!(body["errors"][0]["status"], "409");
    assert_eq!(body["errors"][0]["context"]["objectWriteTraceId"][0], "b");
}

#[tokio::test]
async fn both_path_schemes_share_records() {
    let sandbox = start().await;
    let token = sandbox.token().await;
    let response = sandbox
        .post(
            &token,
            "/crm/objects/2026-03/companies",
            json!({ "properties": { "name": "Acme Widgets", "domain": "acme-widgets.com" } }),
        )
        .await;
    assert_eq!(response.status(), StatusCode::CREATED);
    let created: Value = response.json().await.expect("JSON");
    let id = created["id"].as_str().expect("id");
    let read = sandbox
        .get(&token, &format!("/crm/v3/objects/companies/{id}"))
        .await;
    assert_eq!(read.status(), StatusCode::OK);
    let read: Value = read.json().await.expect("JSON");
    assert_eq!(read["properties"]["domain"], "acme-widgets.com");
    assert_eq!(read["properties"]["hs_object_id"], id);
    assert_eq!(read["archived"], false);
}

#[tokio::test]
async fn read_by_email_with_properties() {
    let sandbox = start().await;
    let token = sandbox.token().await;
    let created = sandbox
        .create_contact(
            &token,
            json!({ "email": "ines@acme-widgets.com", "firstname": "Ines", "jobtitle": "CTO" }),
        )
        .await;
    let default_read: Value = sandbox
        .get(
            &token,
            &format!(
                "/crm/v3/objects/contacts/{}",
                created["id"].as_str().expect("id")
            ),
        )
        .await
        .json()
        .await
        .expect("JSON");
    assert!(
        default_read["properties"].get("jobtitle").is_none(),
        "jobtitle is not a default property"
    );
    assert_eq!(default_read["properties"]["email"], "ines@acme-widgets.com");

    let response = sandbox
        .get(&token, "/crm/v3/objects/contacts/ines%40acme-widgets.com?idProperty=email&properties=jobtitle,city")
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    let body: Value = response.json().await.expect("JSON");
    assert_eq!(body["id"], created["id"]);
    assert_eq!(body["properties"]["jobtitle"], "CTO");
    assert!(body["properties"]["city"].is_null());

    let missing = sandbox.get(&token, "/crm/v3/objects/contacts/999999").await;
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);
    assert_eq!(error_body(missing).await["message"], "resource not found");
}

#[tokio::test]
async fn update_by_id_and_email() {
    let sandbox = start().await;
    let token = sandbox.token().await;
    let created = sandbox
        .create_contact(
            &token,
            json!({ "email": "leo@acme-widgets.com", "city": "Lyon" }),
        )
        .await;
    let id = created["id"].as_str().expect("id");
    let response = sandbox
        .patch(
            &token,
            &format!("/crm/v3/objects/contacts/{id}"),
            json!({ "properties": { "city": "" , "jobtitle": "CEO" } }),
        )
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    let body: Value = response.json().await.expect("JSON");
    assert!(
        body["properties"].get("city").is_none(),
        "an empty string clears a value"
    );
    assert_eq!(body["properties"]["jobtitle"], "CEO");

    let by_email = sandbox
        .patch(
            &token,
            "/crm/v3/objects/contacts/LEO%40acme-widgets.com?idProperty=email",
            json!({ "properties": { "phone": "+33 1 23 45" } }),
        )
        .await;
    assert_eq!(by_email.status(), StatusCode::OK);
    let body: Value = by_email.json().await.expect("JSON");
    assert_eq!(body["id"], id);
}

#[tokio::test]
async fn invalid_enumeration_option_rejected() {
    let sandbox = start().await;
    let token = sandbox.token().await;
    let response = sandbox
        .post(
            &token,
            "/crm/v3/objects/companies",
            json!({ "properties": { "name": "Acme", "industry": "Technology" } }),
        )
        .await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    let body = error_body(response).await;
    assert_eq!(body["category"], "VALIDATION_ERROR");
    let message = body["message"].as_str().expect("message");
    let embedded = message
        .strip_prefix("Property values were not valid: ")
        .expect("message prefix");
    let list: Value = serde_json::from_str(embedded).expect("the message embeds a JSON array");
    assert_eq!(list[0]["error"], "INVALID_OPTION");
    assert_eq!(list[0]["name"], "industry");
    assert!(
        list[0]["message"]
            .as_str()
            .expect("text")
            .contains("COMPUTER_SOFTWARE")
    );
    assert_eq!(body["errors"][0]["code"], "INVALID_OPTION");
    assert_eq!(body["errors"][0]["context"]["propertyName"][0], "industry");

    let lead = sandbox
        .post(
            &token,
            "/crm/v3/objects/contacts",
            json!({ "properties": { "email": "x@acme-widgets.com", "hs_lead_status": "new" } }),
        )
        .await;
    assert_eq!(
        lead.status(),
        StatusCode::BAD_REQUEST,
        "options match exactly"
    );
    let good = sandbox
        .post(
            &token,
            "/crm/v3/objects/companies",
            json!({ "properties": { "name": "Acme", "industry": "COMPUTER_SOFTWARE" } }),
        )
        .await;
    assert_eq!(good.status(), StatusCode::CREATED);
}

#[tokio::test]
async fn invalid_number_rejected() {
    let sandbox = start().await;
    let token = sandbox.token().await;
    for bad in ["12,5", "1.2e3", "1 000", "1.2.3", "abc"] {
        let response = sandbox
            .post(
                &token,
                "/crm/v3/objects/companies",
                json!({ "properties": { "numberofemployees": bad } }),
            )
            .await;
        assert_eq!(response.status(), StatusCode::BAD_REQUEST, "{bad}");
        let body = error_body(response).await;
        assert_eq!(body["errors"][0]["code"], "INVALID_INTEGER", "{bad}");
        assert_eq!(
            body["errors"][0]["message"],
            format!("{bad} was not a valid number.")
        );
    }
    for good in ["250", "-3", "1200000.50"] {
        let response = sandbox
            .post(
                &token,
                "/crm/v3/objects/companies",
                json!({ "properties": { "annualrevenue": good } }),
            )
            .await;
        assert_eq!(response.status(), StatusCode::CREATED, "{good}");
    }
}

#[tokio::test]
async fn unknown_and_nonstring_properties_rejected() {
    let sandbox = start().await;
    let token = sandbox.token().await;
    let unknown = sandbox
        .post(
            &token,
            "/crm/v3/objects/contacts",
            json!({ "properties": { "favourite_color": "blue" } }),
        )
        .await;
    assert_eq!(unknown.status(), StatusCode::BAD_REQUEST);
    let body = error_body(unknown).await;
    assert_eq!(body["errors"][0]["code"], "PROPERTY_DOESNT_EXIST");
    assert_eq!(
        body["errors"][0]["message"],
        "Property \"favourite_color\" does not exist"
    );

    let number = sandbox
        .post(
            &token,
            "/crm/v3/objects/companies",
            json!({ "properties": { "numberofemployees": 250 } }),
        )
        .await;
    assert_eq!(
        number.status(),
        StatusCode::BAD_REQUEST,
        "values must be strings"
    );
    let read_only = sandbox
        .post(
            &token,
            "/crm/v3/objects/contacts",
            json!({ "properties": { "hs_object_id": "5" } }),
        )
        .await;
    assert_eq!(read_only.status(), StatusCode::BAD_REQUEST);
    let no_properties = sandbox
        .post(&token, "/crm/v3/objects/contacts", json!({ "props": {} }))
        .await;
    assert_eq!(no_properties.status(), StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn batch_upsert_by_email() {
    let sandbox = start().await;
    let token = sandbox.token().await;
    let existing = sandbox
        .create_contact(&token, json!({ "email": "old@acme-widgets.com" }))
        .await;
    let response = sandbox
        .post(
            &token,
            "/crm/v3/objects/contacts/batch/upsert",
            json!({ "inputs": [
                { "id": "OLD@acme-widgets.com", "idProperty": "email", "properties": { "firstname": "Olga" } },
                { "id": "new@acme-widgets.com", "idProperty": "email", "properties": { "firstname": "Nils" } }
            ] }),
        )
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    let body: Value = response.json().await.expect("JSON");
    assert_eq!(body["status"], "COMPLETE");
    let results = body["results"].as_array().expect("results");
    let old = results
        .iter()
        .find(|result| result["id"] == existing["id"])
        .expect("updated record");
    assert_eq!(old["new"], false);
    assert_eq!(old["properties"]["firstname"], "Olga");
    let new = results
        .iter()
        .find(|result| result["new"] == true)
        .expect("created record");
    assert_eq!(new["properties"]["email"], "new@acme-widgets.com");
}

#[tokio::test]
async fn batch_update_rejects_id_property() {
    let sandbox = start().await;
    let token = sandbox.token().await;
    let existing = sandbox
        .create_contact(&token, json!({ "email": "b@acme-widgets.com" }))
        .await;
    let by_email = sandbox
        .post(
            &token,
            "/crm/v3/objects/contacts/batch/update",
            json!({ "inputs": [{ "id": "b@acme-widgets.com", "idProperty": "email", "properties": { "firstname": "B" } }] }),
        )
        .await;
    assert_eq!(by_email.status(), StatusCode::BAD_REQUEST);
    let message = error_body(by_email).await["message"]
        .as_str()
        .expect("message")
        .to_string();
    assert!(
        message.starts_with("Unable to perform update/upsert by non-unique 0-1 property"),
        "{message}"
    );

    let by_object_id = sandbox
        .post(
            &token,
            "/crm/v3/objects/contacts/batch/upsert",
            json!({ "inputs": [{ "id": existing["id"], "idProperty": "hs_object_id", "properties": { "firstname": "B" } }] }),
        )
        .await;
    assert_eq!(by_object_id.status(), StatusCode::BAD_REQUEST);
    let message = error_body(by_object_id).await["message"]
        .as_str()
        .expect("message")
        .to_string();
    assert!(
        message.contains("non-unique 0-1 property hs_object_id in portal ID 48213377"),
        "{message}"
    );

    let by_id = sandbox
        .post(
            &token,
            "/crm/v3/objects/contacts/batch/update",
            json!({ "inputs": [{ "id": existing["id"], "properties": { "firstname": "B" } }] }),
        )
        .await;
    assert_eq!(by_id.status(), StatusCode::OK);
}

#[tokio::test]
async fn batch_limit_is_one_hundred() {
    let sandbox = start().await;
    let token = sandbox.token().await;
    let inputs: Vec<Value> = (0..101)
        .map(|index| json!({ "properties": { "name": format!("Company {index}") } }))
        .collect();
    let response = sandbox
        .post(
            &token,
            "/crm/v3/objects/companies/batch/create",
            json!({ "inputs": inputs }),
        )
        .await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    let inputs: Vec<Value> = (0..100)
        .map(|index| json!({ "properties": { "name": format!("Company {index}") } }))
        .collect();
    let response = sandbox
        .post(
            &token,
            "/crm/v3/objects/companies/batch/create",
            json!({ "inputs": inputs }),
        )
        .await;
    assert_eq!(response.status(), StatusCode::CREATED);
}

#[tokio::test]
async fn companies_allow_duplicate_domains() {
    let sandbox = start().await;
    let token = sandbox.token().await;
    for _ in 0..2 {
        let response = sandbox
            .post(
                &token,
                "/crm/v3/objects/companies",
                json!({ "properties": { "domain": "same.io" } }),
            )
            .await;
        assert_eq!(response.status(), StatusCode::CREATED);
    }
}

#[tokio::test]
async fn note_requires_timestamp() {
    let sandbox = start().await;
    let token = sandbox.token().await;
    let contact = sandbox
        .create_contact(&token, json!({ "email": "note.target@acme-widgets.com" }))
        .await;
    let missing = sandbox
        .post(
            &token,
            "/crm/v3/objects/notes",
            json!({ "properties": { "hs_note_body": "Visited /pricing" } }),
        )
        .await;
    assert_eq!(missing.status(), StatusCode::BAD_REQUEST);
    let body = error_body(missing).await;
    assert_eq!(
        body["errors"][0]["context"]["propertyName"][0],
        "hs_timestamp"
    );

    let created = sandbox
        .post(
            &token,
            "/crm/v3/objects/notes",
            json!({
                "properties": { "hs_timestamp": "2026-06-12T10:02:13.000Z", "hs_note_body": "Visited /pricing" },
                "associations": [{ "to": { "id": contact["id"] }, "types": [{ "associationCategory": "HUBSPOT_DEFINED", "associationTypeId": 202 }] }]
            }),
        )
        .await;
    assert_eq!(created.status(), StatusCode::CREATED);
    let note: Value = created.json().await.expect("JSON");
    let contact_id = contact["id"].as_str().expect("id");
    let notes: Value = sandbox
        .get(
            &token,
            &format!("/crm/v4/objects/contacts/{contact_id}/associations/notes"),
        )
        .await
        .json()
        .await
        .expect("JSON");
    assert_eq!(
        notes["results"][0]["toObjectId"]
            .to_string()
            .trim_matches('"'),
        note["id"].as_str().expect("id")
    );
    assert_eq!(notes["results"][0]["associationTypes"][0]["typeId"], 201);

    let bad_type = sandbox
        .post(
            &token,
            "/crm/v3/objects/notes",
            json!({
                "properties": { "hs_timestamp": "1781258400000" },
                "associations": [{ "to": { "id": contact["id"] }, "types": [{ "associationCategory": "HUBSPOT_DEFINED", "associationTypeId": 279 }] }]
            }),
        )
        .await;
    assert_eq!(
        bad_type.status(),
        StatusCode::BAD_REQUEST,
        "279 is not a note association type"
    );
}

#[tokio::test]
async fn property_catalogue_lists_options() {
    let sandbox = start().await;
    let token = sandbox.token().await;
    let industry: Value = sandbox
        .get(&token, "/crm/v3/properties/companies/industry")
        .await
        .json()
        .await
        .expect("JSON");
    assert_eq!(industry["type"], "enumeration");
    let options = industry["options"].as_array().expect("options");
    assert!(options.len() > 140);
    assert!(
        options
            .iter()
            .any(|option| option["value"] == "COMPUTER_SOFTWARE"
                && option["label"] == "Computer Software")
    );
    let lead: Value = sandbox
        .get(&token, "/crm/v3/properties/contacts/hs_lead_status")
        .await
        .json()
        .await
        .expect("JSON");
    assert_eq!(lead["options"].as_array().expect("options").len(), 8);
    let email: Value = sandbox
        .get(&token, "/crm/v3/properties/0-1/email")
        .await
        .json()
        .await
        .expect("JSON");
    assert_eq!(email["hasUniqueValue"], true);
    let all: Value = sandbox
        .get(&token, "/crm/v3/properties/notes")
        .await
        .json()
        .await
        .expect("JSON");
    assert!(
        all["results"]
            .as_array()
            .expect("results")
            .iter()
            .any(|property| property["name"] == "hs_timestamp")
    );
    let missing = sandbox
        .get(&token, "/crm/v3/properties/contacts/nope")
        .await;
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn archive_hides_record() {
    let sandbox = start().await;
    let token = sandbox.token().await;
    let created = sandbox
        .create_contact(&token, json!({ "email": "gone@acme-widgets.com" }))
        .await;
    let path = format!(
        "/crm/v3/objects/contacts/{}",
        created["id"].as_str().expect("id")
    );
    let response = sandbox
        .call(reqwest::Method::DELETE, &token, &path, None)
        .await;
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    assert_eq!(
        sandbox.get(&token, &path).await.status(),
        StatusCode::NOT_FOUND
    );
    // The email is free again once the contact is archived.
    sandbox
        .create_contact(&token, json!({ "email": "gone@acme-widgets.com" }))
        .await;
}
