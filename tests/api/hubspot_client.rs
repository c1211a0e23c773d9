//! The HubSpot client against the sandbox over HTTP: tokens, retries, rate
//! limits, error parsing, meetings and CRM calls.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use secrecy::ExposeSecret;
use serde_json::json;
use slotchat::hubspot::meetings::{BookingRequest, FormFieldAnswer};
use slotchat::hubspot::{
    AssociationInput, CreateInput, CrmObject, HubSpot, HubSpotError, Properties, SearchRequest,
};

use crate::helpers::{TestApp, connect_hubspot, sandbox_endpoint_count, spawn_app};

const TOKEN_ENDPOINT: &str = "POST /oauth/2026-03/token";

async fn connected_app() -> TestApp {
    let app = spawn_app().await;
    connect_hubspot(&app).await;
    app
}

fn properties(pairs: &[(&str, &str)]) -> Properties {
    pairs
        .iter()
        .map(|(name, value)| (name.to_string(), value.to_string()))
        .collect()
}

fn unique_email(tag: &str) -> String {
    format!("{tag}.{}@acme-widgets.com", uuid::Uuid::new_v4().simple())
}

async fn inject_fault(app: &TestApp, fault: serde_json::Value) {
    let response = app.sandbox_post("/_sandbox/faults", &fault).await;
    assert!(
        response.status().is_success(),
        "fault rejected: {}",
        response.text().await.unwrap_or_default()
    );
}

/// Moves the clock to just inside the refresh margin of the current token.
fn advance_into_refresh_margin(app: &TestApp) {
    let margin = app.state.settings.hubspot_token_refresh_margin_secs as i64;
    app.clock
        .advance(chrono::Duration::seconds(1800 - margin + 1));
}

async fn stored_token_version(app: &TestApp) -> i64 {
    let connection = app
        .state
        .db
        .hubspot_connection(&app.workspace.id)
        .await
        .unwrap()
        .unwrap();
    connection.token_version
}

// ---- tokens ----

#[tokio::test]
async fn token_refreshes_before_expiry() {
    let app = connected_app().await;
    let hubspot = &app.state.hubspot;
    hubspot.list_meeting_links(&app.workspace.id).await.unwrap();
    let tokens_before = sandbox_endpoint_count(&app, TOKEN_ENDPOINT).await;
    let version_before = stored_token_version(&app).await;

    advance_into_refresh_margin(&app);
    hubspot.list_meeting_links(&app.workspace.id).await.unwrap();

    assert_eq!(
        sandbox_endpoint_count(&app, TOKEN_ENDPOINT).await,
        tokens_before + 1
    );
    assert_eq!(stored_token_version(&app).await, version_before + 1);
    hubspot.list_meeting_links(&app.workspace.id).await.unwrap();
    assert_eq!(
        sandbox_endpoint_count(&app, TOKEN_ENDPOINT).await,
        tokens_before + 1,
        "no second refresh"
    );
}

#[tokio::test]
async fn concurrent_calls_refresh_once() {
    let app = connected_app().await;
    let tokens_before = sandbox_endpoint_count(&app, TOKEN_ENDPOINT).await;
    advance_into_refresh_margin(&app);

    let calls = (0..20).map(|_| {
        let hubspot = app.state.hubspot.clone();
        let workspace_id = app.workspace.id.clone();
        tokio::spawn(async move { hubspot.list_meeting_links(&workspace_id).await })
    });
    for call in futures_util::future::join_all(calls).await {
        call.expect("task finished").expect("call succeeded");
    }

    assert_eq!(
        sandbox_endpoint_count(&app, TOKEN_ENDPOINT).await,
        tokens_before + 1
    );
}

#[tokio::test]
async fn two_instances_share_refreshed_tokens() {
    let app = connected_app().await;
    let other = HubSpot::new(
        &app.state.settings,
        app.state.db.clone(),
        app.state.cipher.clone(),
        app.clock.clone(),
    )
    .unwrap();
    let tokens_before = sandbox_endpoint_count(&app, TOKEN_ENDPOINT).await;
    advance_into_refresh_margin(&app);

    let (first, second) = tokio::join!(
        app.state.hubspot.list_meeting_links(&app.workspace.id),
        other.list_meeting_links(&app.workspace.id),
    );
    first.expect("first instance succeeded");
    second.expect("second instance succeeded");
    let refreshes = sandbox_endpoint_count(&app, TOKEN_ENDPOINT).await - tokens_before;
    assert!((1..=2).contains(&refreshes), "{refreshes} refreshes");

    // The stored refresh token is one HubSpot still accepts.
    advance_into_refresh_margin(&app);
    other
        .list_meeting_links(&app.workspace.id)
        .await
        .expect("refresh with the stored token");
}

#[tokio::test]
async fn expired_token_refreshes_and_retries() {
    let app = connected_app().await;
    let tokens_before = sandbox_endpoint_count(&app, TOKEN_ENDPOINT).await;
    let response = app
        .sandbox_post("/_sandbox/tokens/expire", &json!({}))
        .await;
    assert!(response.status().is_success());

    let links = app
        .state
        .hubspot
        .list_meeting_links(&app.workspace.id)
        .await
        .unwrap();

    assert!(!links.is_empty());
    assert_eq!(
        sandbox_endpoint_count(&app, TOKEN_ENDPOINT).await,
        tokens_before + 1
    );
}

#[tokio::test]
async fn revoked_refresh_token_needs_reconnect() {
    let app = connected_app().await;
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
    let revoke = app
        .client
        .post(format!(
            "{}/oauth/2026-03/token/revoke",
            app.sandbox.base_url
        ))
        .form(&[
            ("client_id", "sandbox-client-id"),
            ("client_secret", "sandbox-client-secret"),
            ("token", refresh_token.expose_secret()),
            ("token_type_hint", "refresh_token"),
        ])
        .send()
        .await
        .unwrap();
    assert!(revoke.status().is_success());
    advance_into_refresh_margin(&app);

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
    let status: serde_json::Value = app
        .admin_get("/api/v1/integrations/hubspot")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(status["status"], "needs_reconnect");
    assert_eq!(status["connected"], false);
    assert!(
        status["last_error"]
            .as_str()
            .is_some_and(|text| text.contains("reconnect"))
    );
    let again = app
        .state
        .hubspot
        .list_meeting_links(&app.workspace.id)
        .await
        .unwrap_err();
    assert!(matches!(again, HubSpotError::ReconnectRequired));
}

// ---- retries and rate limits ----

#[tokio::test]
async fn secondly_429_is_retried() {
    let app = connected_app().await;
    inject_fault(
        &app,
        json!({"method": "GET", "path": "/scheduler/v3/meetings/meeting-links", "kind": "status",
               "status": 429, "policy_name": "SECONDLY", "times": 1}),
    )
    .await;
    let started = Instant::now();

    let links = app
        .state
        .hubspot
        .list_meeting_links(&app.workspace.id)
        .await
        .unwrap();

    assert!(!links.is_empty());
    assert!(
        started.elapsed() >= Duration::from_secs(1),
        "waited {:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn persistent_429_gives_rate_limited() {
    let app = connected_app().await;
    inject_fault(
        &app,
        json!({"method": "GET", "path": "/scheduler/v3/meetings/meeting-links", "kind": "status",
               "status": 429, "policy_name": "SECONDLY", "times": 10}),
    )
    .await;

    let error = app
        .state
        .hubspot
        .list_meeting_links(&app.workspace.id)
        .await
        .unwrap_err();

    let HubSpotError::RateLimited { policy, .. } = error else {
        panic!("expected RateLimited, got {error:?}")
    };
    assert_eq!(policy.as_deref(), Some("SECONDLY"));
}

#[tokio::test]
async fn server_error_retries_reads_only() {
    let app = connected_app().await;
    inject_fault(
        &app,
        json!({"method": "GET", "path": "/scheduler/v3/meetings/meeting-links", "kind": "status",
               "status": 503, "times": 1}),
    )
    .await;
    app.state
        .hubspot
        .list_meeting_links(&app.workspace.id)
        .await
        .expect("read retried after 503");

    inject_fault(
        &app,
        json!({"method": "POST", "route": "/crm/v3/objects/contacts", "kind": "status", "status": 503, "times": 1}),
    )
    .await;
    let creates_before = sandbox_endpoint_count(&app, "POST /crm/v3/objects/{objectType}").await;
    let email = unique_email("retry");
    let error = app
        .state
        .hubspot
        .create_record(
            &app.workspace.id,
            CrmObject::Contacts,
            properties(&[("email", &email)]),
            vec![],
        )
        .await
        .unwrap_err();
    assert!(matches!(error, HubSpotError::Unavailable), "{error:?}");
    let creates_after = sandbox_endpoint_count(&app, "POST /crm/v3/objects/{objectType}").await;
    assert!(
        creates_after <= creates_before + 1,
        "the create was not repeated"
    );
}

#[tokio::test]
async fn write_timeout_is_not_repeated() {
    let app = connected_app().await;
    inject_fault(
        &app,
        json!({"method": "POST", "route": "/crm/v3/objects/contacts", "kind": "timeout",
               "delay_ms": 3000, "when": "after", "times": 1}),
    )
    .await;
    let email = unique_email("timeout");

    let error = app
        .state
        .hubspot
        .create_record(
            &app.workspace.id,
            CrmObject::Contacts,
            properties(&[("email", &email)]),
            vec![],
        )
        .await
        .unwrap_err();

    assert!(
        matches!(error, HubSpotError::Timeout { request_sent: true }),
        "{error:?}"
    );
    let found = app
        .state
        .hubspot
        .get_contact_by_email(&app.workspace.id, &email, &["email"])
        .await
        .unwrap();
    assert!(found.is_some(), "the timed-out create landed once");
}

#[tokio::test]
async fn bulk_priority_still_succeeds() {
    let app = connected_app().await;
    let bulk = app
        .state
        .hubspot
        .with_priority(slotchat::hubspot::Priority::Bulk);
    let links = bulk.list_meeting_links(&app.workspace.id).await.unwrap();
    assert!(!links.is_empty());
}

// ---- error parsing ----

#[tokio::test]
async fn duplicate_contact_gives_conflict_id() {
    let app = connected_app().await;
    let hubspot = &app.state.hubspot;
    let email = unique_email("dup");
    let first = hubspot
        .create_record(
            &app.workspace.id,
            CrmObject::Contacts,
            properties(&[("email", &email)]),
            vec![],
        )
        .await
        .unwrap();

    let error = hubspot
        .create_record(
            &app.workspace.id,
            CrmObject::Contacts,
            properties(&[("email", &email)]),
            vec![],
        )
        .await
        .unwrap_err();

    let HubSpotError::Conflict {
        existing_id,
        message,
    } = error
    else {
        panic!("expected Conflict, got {error:?}")
    };
    assert_eq!(existing_id.as_deref(), Some(first.id.as_str()));
    assert!(message.contains("already exists"));
}

#[tokio::test]
async fn invalid_values_give_property_errors() {
    let app = connected_app().await;
    let values = properties(&[
        ("name", "Acme"),
        ("industry", "Technology"),
        ("numberofemployees", "12,5"),
    ]);

    let error = app
        .state
        .hubspot
        .create_record(&app.workspace.id, CrmObject::Companies, values, vec![])
        .await
        .unwrap_err();

    let HubSpotError::Validation { errors, .. } = error else {
        panic!("expected Validation, got {error:?}")
    };
    let industry = errors
        .iter()
        .find(|e| e.property.as_deref() == Some("industry"))
        .expect("industry named");
    assert_eq!(industry.code, "INVALID_OPTION");
    let employees = errors
        .iter()
        .find(|e| e.property.as_deref() == Some("numberofemployees"))
        .expect("numberofemployees named");
    assert_eq!(employees.code, "INVALID_INTEGER");
}

#[tokio::test]
async fn unknown_record_is_none() {
    let app = connected_app().await;
    let record = app
        .state
        .hubspot
        .get_record(
            &app.workspace.id,
            CrmObject::Contacts,
            "999999999",
            &["email"],
            &[],
        )
        .await
        .unwrap();
    assert!(record.is_none());
    let contact = app
        .state
        .hubspot
        .get_contact_by_email(&app.workspace.id, &unique_email("nobody"), &["email"])
        .await
        .unwrap();
    assert!(contact.is_none());
}

// ---- CRM ----

#[tokio::test]
async fn upsert_by_email_reports_new() {
    let app = connected_app().await;
    let hubspot = &app.state.hubspot;
    let inputs: Vec<(String, Properties)> = (0..3)
        .map(|index| {
            (
                unique_email(&format!("up{index}")),
                properties(&[("firstname", "Maria")]),
            )
        })
        .collect();

    let created = hubspot
        .batch_upsert_contacts_by_email(&app.workspace.id, inputs.clone())
        .await
        .unwrap();
    assert_eq!(created.len(), 3);
    assert!(created.iter().all(|record| record.new));

    let updated = hubspot
        .batch_upsert_contacts_by_email(&app.workspace.id, inputs)
        .await
        .unwrap();
    assert_eq!(updated.len(), 3);
    assert!(updated.iter().all(|record| !record.new));
    let mut created_ids: Vec<_> = created.iter().map(|r| r.id.clone()).collect();
    let mut updated_ids: Vec<_> = updated.iter().map(|r| r.id.clone()).collect();
    created_ids.sort();
    updated_ids.sort();
    assert_eq!(created_ids, updated_ids);
}

#[tokio::test]
async fn batch_calls_split_past_hundred() {
    let app = connected_app().await;
    let hubspot = &app.state.hubspot;
    let inputs: Vec<CreateInput> = (0..120)
        .map(|index| CreateInput {
            properties: properties(&[("name", &format!("Company {index}"))]),
            associations: vec![],
        })
        .collect();

    let created = hubspot
        .batch_create(&app.workspace.id, CrmObject::Companies, inputs)
        .await
        .unwrap();
    assert_eq!(created.len(), 120);

    let ids: Vec<String> = created.iter().map(|record| record.id.clone()).collect();
    let read = hubspot
        .batch_read(&app.workspace.id, CrmObject::Companies, &ids, &["name"])
        .await
        .unwrap();
    assert_eq!(read.len(), 120);

    let updates: Vec<(String, Properties)> = ids
        .iter()
        .map(|id| (id.clone(), properties(&[("city", "Madrid")])))
        .collect();
    let updated = hubspot
        .batch_update(&app.workspace.id, CrmObject::Companies, updates)
        .await
        .unwrap();
    assert_eq!(updated.len(), 120);
    assert!(
        updated
            .iter()
            .all(|record| record.properties.get("city").map(String::as_str) == Some("Madrid"))
    );
}

#[tokio::test]
async fn record_create_update_get() {
    let app = connected_app().await;
    let hubspot = &app.state.hubspot;
    let email = unique_email("single");
    let created = hubspot
        .create_record(
            &app.workspace.id,
            CrmObject::Contacts,
            properties(&[("email", &email), ("firstname", "Ana")]),
            vec![],
        )
        .await
        .unwrap();

    let updated = hubspot
        .update_record(
            &app.workspace.id,
            CrmObject::Contacts,
            &created.id,
            properties(&[("jobtitle", "CTO")]),
        )
        .await
        .unwrap();
    assert_eq!(
        updated.properties.get("jobtitle").map(String::as_str),
        Some("CTO")
    );

    let read = hubspot
        .get_record(
            &app.workspace.id,
            CrmObject::Contacts,
            &created.id,
            &["firstname", "jobtitle"],
            &[],
        )
        .await
        .unwrap()
        .expect("record exists");
    assert_eq!(
        read.properties.get("firstname").map(String::as_str),
        Some("Ana")
    );
    let by_email = hubspot
        .get_contact_by_email(&app.workspace.id, &email, &["email"])
        .await
        .unwrap()
        .expect("found by email");
    assert_eq!(by_email.id, created.id);
}

#[tokio::test]
async fn companies_found_by_domains() {
    let app = connected_app().await;
    let hubspot = &app.state.hubspot;
    let domain = format!("{}.example-widgets.com", uuid::Uuid::new_v4().simple());
    let company = hubspot
        .create_record(
            &app.workspace.id,
            CrmObject::Companies,
            properties(&[("name", "Widgets"), ("domain", &domain)]),
            vec![],
        )
        .await
        .unwrap();

    let found = hubspot
        .search_companies_by_domains(
            &app.workspace.id,
            &[domain.clone(), "absent.test".into()],
            &["name"],
        )
        .await
        .unwrap();

    assert_eq!(found.len(), 1);
    assert_eq!(found[0].id, company.id);
    assert_eq!(found[0].properties.get("domain"), Some(&domain));

    let page = hubspot
        .search(
            &app.workspace.id,
            CrmObject::Companies,
            &SearchRequest {
                filter_groups: vec![slotchat::hubspot::FilterGroup {
                    filters: vec![slotchat::hubspot::Filter::eq("domain", domain.clone())],
                }],
                properties: vec!["domain".into()],
                limit: 10,
                ..SearchRequest::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(page.total, 1);
    assert!(page.next_after.is_none());
}

#[tokio::test]
async fn default_association_is_readable() {
    let app = connected_app().await;
    let hubspot = &app.state.hubspot;
    let ws = &app.workspace.id;
    let contact = hubspot
        .create_record(
            ws,
            CrmObject::Contacts,
            properties(&[("email", &unique_email("assoc"))]),
            vec![],
        )
        .await
        .unwrap();
    let company = hubspot
        .create_record(
            ws,
            CrmObject::Companies,
            properties(&[("name", "Assoc Co")]),
            vec![],
        )
        .await
        .unwrap();

    hubspot
        .associate_default(
            ws,
            CrmObject::Contacts,
            &contact.id,
            CrmObject::Companies,
            &company.id,
        )
        .await
        .unwrap();
    hubspot
        .associate_default(
            ws,
            CrmObject::Contacts,
            &contact.id,
            CrmObject::Companies,
            &company.id,
        )
        .await
        .unwrap();

    let associated = hubspot
        .read_associations(ws, CrmObject::Contacts, &contact.id, CrmObject::Companies)
        .await
        .unwrap();
    assert_eq!(associated.len(), 1);
    assert_eq!(associated[0].to_object_id, company.id);
    assert!(associated[0].type_ids.contains(&279));

    let by_id = hubspot
        .batch_read_associations(
            ws,
            CrmObject::Contacts,
            CrmObject::Companies,
            &[contact.id.clone(), "424242".into()],
        )
        .await
        .unwrap();
    assert_eq!(by_id[&contact.id][0].to_object_id, company.id);
    assert!(by_id["424242"].is_empty());

    let read = hubspot
        .get_record(ws, CrmObject::Contacts, &contact.id, &[], &["companies"])
        .await
        .unwrap()
        .unwrap();
    assert!(
        read.associations["companies"]
            .iter()
            .any(|a| a.id == company.id)
    );
}

#[tokio::test]
async fn batch_association_and_note() {
    let app = connected_app().await;
    let hubspot = &app.state.hubspot;
    let ws = &app.workspace.id;
    let contact = hubspot
        .create_record(
            ws,
            CrmObject::Contacts,
            properties(&[("email", &unique_email("note"))]),
            vec![],
        )
        .await
        .unwrap();
    let company = hubspot
        .create_record(
            ws,
            CrmObject::Companies,
            properties(&[("name", "Note Co")]),
            vec![],
        )
        .await
        .unwrap();
    hubspot
        .batch_associate_default(
            ws,
            CrmObject::Contacts,
            CrmObject::Companies,
            vec![(contact.id.clone(), company.id.clone())],
        )
        .await
        .unwrap();

    let note = hubspot
        .create_record(
            ws,
            CrmObject::Notes,
            properties(&[
                ("hs_timestamp", "2026-06-12T10:02:13.000Z"),
                ("hs_note_body", "Visited /pricing"),
            ]),
            vec![AssociationInput::default_between(
                CrmObject::Notes,
                CrmObject::Contacts,
                contact.id.clone(),
            )],
        )
        .await
        .unwrap();

    let notes = hubspot
        .read_associations(ws, CrmObject::Contacts, &contact.id, CrmObject::Notes)
        .await
        .unwrap();
    assert!(notes.iter().any(|n| n.to_object_id == note.id));
    let companies = hubspot
        .read_associations(ws, CrmObject::Contacts, &contact.id, CrmObject::Companies)
        .await
        .unwrap();
    assert_eq!(companies[0].to_object_id, company.id);
}

#[tokio::test]
async fn industry_property_lists_options() {
    let app = connected_app().await;
    let definition = app
        .state
        .hubspot
        .get_property(&app.workspace.id, CrmObject::Companies, "industry")
        .await
        .unwrap();
    assert_eq!(definition.name, "industry");
    assert_eq!(definition.property_type, "enumeration");
    assert!(
        definition
            .options
            .iter()
            .any(|option| option.value == "COMPUTER_SOFTWARE")
    );
}

#[tokio::test]
async fn client_never_sends_crm_delete() {
    let app = connected_app().await;
    let hubspot = &app.state.hubspot;
    let ws = &app.workspace.id;
    let email = unique_email("nodelete");
    hubspot
        .batch_upsert_contacts_by_email(ws, vec![(email.clone(), BTreeMap::new())])
        .await
        .unwrap();
    hubspot
        .get_contact_by_email(ws, &email, &["email"])
        .await
        .unwrap();
    app.admin_delete("/api/v1/integrations/hubspot").await;

    let requests: serde_json::Value = app
        .sandbox_get("/_sandbox/requests")
        .await
        .json()
        .await
        .unwrap();
    let requests = requests
        .as_array()
        .cloned()
        .or_else(|| requests["requests"].as_array().cloned())
        .unwrap();
    assert!(!requests.is_empty());
    for request in requests {
        let path = request["path"].as_str().unwrap_or_default();
        assert!(
            !(request["method"] == "DELETE"
                && (path.starts_with("/crm") || path.starts_with("/appinstalls"))),
            "slotchat sent DELETE {path}"
        );
    }
}

// ---- meetings ----

#[tokio::test]
async fn meeting_links_include_team_slug() {
    let app = connected_app().await;
    let hubspot = &app.state.hubspot;
    let links = hubspot.list_meeting_links(&app.workspace.id).await.unwrap();
    let team = links
        .iter()
        .find(|link| link.slug.contains('/'))
        .expect("a team slug with /");

    let info = hubspot
        .booking_info(&app.workspace.id, &team.slug, "Europe/Madrid")
        .await
        .unwrap();
    assert_eq!(info.link_id, team.id);
    assert!(
        info.custom_params
            .durations
            .iter()
            .all(|duration| duration % 60_000 == 0 && *duration >= 60_000)
    );

    let page = hubspot
        .availability_page(&app.workspace.id, &team.slug, "Europe/Madrid", 0)
        .await
        .unwrap();
    for (key, slots) in &page.link_availability.link_availability_by_duration {
        assert_eq!(key, &slots.meeting_duration_millis.to_string());
    }
}

#[tokio::test]
async fn booking_returns_contact_id() {
    let app = connected_app().await;
    let hubspot = &app.state.hubspot;
    let ws = &app.workspace.id;
    let links = hubspot.list_meeting_links(ws).await.unwrap();
    let mut booked = None;
    for link in &links {
        let info = hubspot
            .booking_info(ws, &link.slug, "Europe/Madrid")
            .await
            .unwrap();
        let needs_consent = info.custom_params.legal_consent_enabled;
        // First name, last name and email have their own request fields.
        let required: Vec<_> = info
            .custom_params
            .form_fields
            .iter()
            .filter(|f| {
                f.is_required && !["firstName", "lastName", "email"].contains(&f.name.as_str())
            })
            .collect();
        if info.is_offline || needs_consent || required.iter().any(|f| f.options.is_empty()) {
            continue;
        }
        let mut slot = None;
        for month in 0..2 {
            let page = hubspot
                .availability_page(ws, &link.slug, "Europe/Madrid", month)
                .await
                .unwrap();
            slot = page
                .link_availability
                .link_availability_by_duration
                .values()
                .find_map(|d| {
                    d.availabilities
                        .first()
                        .map(|s| (d.meeting_duration_millis, s.start_millis_utc))
                });
            if slot.is_some() {
                break;
            }
        }
        let Some((duration, start)) = slot else {
            continue;
        };
        let request = BookingRequest {
            slug: link.slug.clone(),
            first_name: "Maria".into(),
            last_name: "Lopez".into(),
            email: unique_email("booker"),
            start_time: chrono::DateTime::from_timestamp_millis(start).unwrap(),
            duration,
            timezone: Some("Europe/Madrid".into()),
            locale: Some("en-us".into()),
            likely_available_user_ids: vec![],
            form_fields: required
                .iter()
                .map(|f| FormFieldAnswer {
                    name: f.name.clone(),
                    value: f.options[0].value.clone(),
                })
                .collect(),
            legal_consent_responses: vec![],
            guest_emails: vec![],
        };
        booked = Some(hubspot.book(ws, &request).await.expect("booking succeeds"));
        break;
    }
    let response = booked.expect("some link had a free slot");
    assert!(!response.contact_id.is_empty());
    let contact = hubspot
        .get_record(
            ws,
            CrmObject::Contacts,
            &response.contact_id,
            &["email"],
            &[],
        )
        .await
        .unwrap();
    assert!(contact.is_some());
}

// ---- more error shapes ----

#[tokio::test]
async fn missing_scope_names_scopes() {
    let app = connected_app().await;
    inject_fault(
        &app,
        json!({"method": "GET", "path": "/crm/v3/properties", "kind": "status", "status": 403, "times": 1}),
    )
    .await;

    let error = app
        .state
        .hubspot
        .get_property(&app.workspace.id, CrmObject::Companies, "industry")
        .await
        .unwrap_err();

    let HubSpotError::MissingScopes { scopes } = error else {
        panic!("expected MissingScopes, got {error:?}")
    };
    assert_eq!(scopes, vec!["crm.objects.contacts.write".to_string()]);
}

#[tokio::test]
async fn embedded_validation_message_parsed() {
    let app = connected_app().await;
    let message = "Property values were not valid: [{\"isValid\":false,\"message\":\"Technology was not one of \
                   the allowed options: [ACCOUNTING, AIRLINES_AVIATION]\",\"error\":\"INVALID_OPTION\",\"name\":\"industry\"}]";
    inject_fault(
        &app,
        json!({"method": "POST", "route": "/crm/v3/objects/companies", "kind": "status", "status": 400, "times": 1,
               "body": {"status": "error", "message": message, "category": "VALIDATION_ERROR"}}),
    )
    .await;

    let error = app
        .state
        .hubspot
        .create_record(
            &app.workspace.id,
            CrmObject::Companies,
            properties(&[("name", "Acme")]),
            vec![],
        )
        .await
        .unwrap_err();

    let HubSpotError::Validation { errors, .. } = error else {
        panic!("expected Validation, got {error:?}")
    };
    assert_eq!(errors.len(), 1);
    assert_eq!(errors[0].property.as_deref(), Some("industry"));
    assert_eq!(errors[0].code, "INVALID_OPTION");
}

#[tokio::test]
async fn past_booking_keeps_sub_category() {
    let app = connected_app().await;
    let hubspot = &app.state.hubspot;
    let info = hubspot
        .booking_info(&app.workspace.id, "ana-ruiz", "Europe/Madrid")
        .await
        .unwrap();
    let request = BookingRequest {
        slug: "ana-ruiz".into(),
        first_name: "Maria".into(),
        last_name: "Lopez".into(),
        email: unique_email("late"),
        start_time: chrono::Utc::now() - chrono::Duration::days(1),
        duration: info.custom_params.durations[0],
        timezone: Some("Europe/Madrid".into()),
        locale: None,
        likely_available_user_ids: vec![],
        form_fields: vec![],
        legal_consent_responses: vec![],
        guest_emails: vec![],
    };

    let error = hubspot.book(&app.workspace.id, &request).await.unwrap_err();

    let HubSpotError::Validation { sub_category, .. } = error else {
        panic!("expected Validation, got {error:?}")
    };
    assert!(
        sub_category
            .as_deref()
            .is_some_and(|code| code.ends_with("MEETING_START_TIME_NOT_VALID")),
        "{sub_category:?}"
    );
}

#[tokio::test]
async fn locked_portal_is_retried() {
    let app = connected_app().await;
    inject_fault(
        &app,
        json!({"method": "POST", "route": "/crm/v3/objects/contacts", "kind": "status", "status": 423, "times": 1}),
    )
    .await;

    let email = unique_email("locked");
    let created = app
        .state
        .hubspot
        .create_record(
            &app.workspace.id,
            CrmObject::Contacts,
            properties(&[("email", &email)]),
            vec![],
        )
        .await
        .expect("create retried after 423");

    assert!(!created.id.is_empty());
}

#[tokio::test]
async fn injected_401_refreshes_once() {
    let app = connected_app().await;
    let tokens_before = sandbox_endpoint_count(&app, TOKEN_ENDPOINT).await;
    inject_fault(
        &app,
        json!({"method": "GET", "path": "/scheduler/v3/meetings/meeting-links", "kind": "status", "status": 401, "times": 1}),
    )
    .await;

    app.state
        .hubspot
        .list_meeting_links(&app.workspace.id)
        .await
        .expect("retried after refresh");

    assert_eq!(
        sandbox_endpoint_count(&app, TOKEN_ENDPOINT).await,
        tokens_before + 1
    );
}

#[tokio::test]
async fn expired_tokens_refresh_once_concurrently() {
    let app = connected_app().await;
    let tokens_before = sandbox_endpoint_count(&app, TOKEN_ENDPOINT).await;
    app.sandbox_post("/_sandbox/tokens/expire", &json!({}))
        .await;

    let calls = (0..10).map(|_| {
        let hubspot = app.state.hubspot.clone();
        let workspace_id = app.workspace.id.clone();
        tokio::spawn(async move { hubspot.list_meeting_links(&workspace_id).await })
    });
    for call in futures_util::future::join_all(calls).await {
        call.expect("task finished").expect("call succeeded");
    }

    assert_eq!(
        sandbox_endpoint_count(&app, TOKEN_ENDPOINT).await,
        tokens_before + 1
    );
}
