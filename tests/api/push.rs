use serde_json::json;

use crate::push_helpers::*;

fn full_visitor() -> serde_json::Value {
    json!({
        "email": "Maria.Lopez@Acme-Widgets.com",
        "first_name": "Maria",
        "last_name": "Lopez",
        "job_title": "Head of Operations",
        "city": "Madrid",
        "country": "Spain",
        "lead_status": "In Progress",
        "linkedin_url": "https://www.linkedin.com/in/maria-lopez",
        "quality_score": 87,
        "pages": [
            {"url": "https://acme.test/pricing", "title": "Pricing", "viewed_at": "2026-06-12T10:02:13Z"},
            {"url": "https://acme.test/demo", "title": "Demo <video>", "viewed_at": "2026-06-12T10:05:00Z"}
        ],
        "company": {
            "name": "Acme Widgets",
            "domain": "https://www.Acme-Widgets.com/about",
            "industry": "Computer Software",
            "city": "Madrid",
            "country": "Spain",
            "employees": "1,200",
            "annual_revenue": "1.2M",
            "description": "Widgets for everyone",
            "linkedin_url": "https://www.linkedin.com/company/acme-widgets"
        }
    })
}

const CONTACT_PROPERTIES: &[&str] = &[
    "email",
    "firstname",
    "lastname",
    "jobtitle",
    "company",
    "website",
    "city",
    "country",
    "hs_lead_status",
    "hs_linkedin_url",
];
const COMPANY_PROPERTIES: &[&str] = &[
    "name",
    "domain",
    "industry",
    "city",
    "country",
    "numberofemployees",
    "annualrevenue",
    "description",
    "linkedin_company_page",
];

#[tokio::test]
async fn push_sends_every_field() {
    let app = spawn_connected_app().await;
    let visitor_id = create_visitor(&app, full_visitor()).await;
    let job = push_and_wait(&app, &visitor_id).await;
    assert_eq!(job["status"], "done", "push failed: {job}");

    let visitor = get_visitor(&app, &visitor_id).await;
    assert_eq!(visitor["push_status"], "pushed");
    assert_eq!(visitor["skipped_fields"], json!([]));
    assert_eq!(visitor["pushed_data_version"], visitor["data_version"]);
    assert!(visitor["last_pushed_at"].is_string());
    let contact_id = visitor["hubspot_contact_id"]
        .as_str()
        .expect("contact id")
        .to_string();
    let company_id = visitor["hubspot_company_id"]
        .as_str()
        .expect("company id")
        .to_string();

    let contact = hubspot_get(
        &app,
        &format!(
            "/crm/v3/objects/contacts/{contact_id}?properties={}",
            CONTACT_PROPERTIES.join(",")
        ),
    )
    .await;
    let expected_contact = [
        ("email", "maria.lopez@acme-widgets.com"),
        ("firstname", "Maria"),
        ("lastname", "Lopez"),
        ("jobtitle", "Head of Operations"),
        ("company", "Acme Widgets"),
        ("website", "https://acme-widgets.com"),
        ("city", "Madrid"),
        ("country", "Spain"),
        ("hs_lead_status", "IN_PROGRESS"),
        ("hs_linkedin_url", "https://www.linkedin.com/in/maria-lopez"),
    ];
    for (name, value) in expected_contact {
        assert_eq!(
            contact["properties"][name], value,
            "contact property {name}"
        );
    }

    let company = hubspot_get(
        &app,
        &format!(
            "/crm/v3/objects/companies/{company_id}?properties={}",
            COMPANY_PROPERTIES.join(",")
        ),
    )
    .await;
    let expected_company = [
        ("name", "Acme Widgets"),
        ("domain", "acme-widgets.com"),
        ("industry", "COMPUTER_SOFTWARE"),
        ("city", "Madrid"),
        ("country", "Spain"),
        ("numberofemployees", "1200"),
        ("annualrevenue", "1200000"),
        ("description", "Widgets for everyone"),
        (
            "linkedin_company_page",
            "https://www.linkedin.com/company/acme-widgets",
        ),
    ];
    for (name, value) in expected_company {
        assert_eq!(
            company["properties"][name], value,
            "company property {name}"
        );
    }

    let companies = associated_ids(&app, "contacts", &contact_id, "companies").await;
    assert_eq!(companies, vec![company_id.clone()]);
    let notes = associated_ids(&app, "contacts", &contact_id, "notes").await;
    assert_eq!(notes.len(), 1);
    let note = hubspot_get(
        &app,
        &format!("/crm/v3/objects/notes/{}?properties=hs_note_body", notes[0]),
    )
    .await;
    let body = note["properties"]["hs_note_body"]
        .as_str()
        .expect("note body");
    assert!(
        body.contains("https://acme.test/pricing"),
        "note lists pages: {body}"
    );
    assert!(
        body.contains("Demo &lt;video&gt;"),
        "note escapes titles: {body}"
    );
    assert!(
        body.contains("87/100"),
        "note has the quality score: {body}"
    );
    assert_nothing_deleted(&app).await;
}

#[tokio::test]
async fn repush_adds_only_a_note() {
    let app = spawn_connected_app().await;
    let visitor_id = create_visitor(&app, full_visitor()).await;
    assert_eq!(push_and_wait(&app, &visitor_id).await["status"], "done");
    let first = get_visitor(&app, &visitor_id).await;

    let job = push_and_wait(&app, &visitor_id).await;
    assert_eq!(job["status"], "done", "second push failed: {job}");
    let second = get_visitor(&app, &visitor_id).await;
    assert_eq!(second["hubspot_contact_id"], first["hubspot_contact_id"]);
    assert_eq!(second["hubspot_company_id"], first["hubspot_company_id"]);

    assert_eq!(all_records(&app, "contacts", &["email"]).await.len(), 1);
    assert_eq!(all_records(&app, "companies", &["domain"]).await.len(), 1);
    let contact_id = second["hubspot_contact_id"].as_str().expect("contact id");
    assert_eq!(
        associated_ids(&app, "contacts", contact_id, "notes")
            .await
            .len(),
        2
    );
    assert_eq!(
        associated_ids(&app, "contacts", contact_id, "companies")
            .await
            .len(),
        1
    );
    assert_nothing_deleted(&app).await;
}

#[tokio::test]
async fn unmappable_values_are_skipped() {
    let app = spawn_connected_app().await;
    let visitor_id = create_visitor(
        &app,
        json!({
            "email": "skip@acme-skip.com",
            "lead_status": "Very hot",
            "company": {"name": "Acme Skip", "domain": "acme-skip.com", "industry": "Technology", "employees": "50-200", "annual_revenue": "12,5"}
        }),
    )
    .await;
    let job = push_and_wait(&app, &visitor_id).await;
    assert_eq!(job["status"], "done", "push failed: {job}");
    let visitor = get_visitor(&app, &visitor_id).await;
    let mut skipped: Vec<String> = visitor["skipped_fields"]
        .as_array()
        .expect("skipped fields")
        .iter()
        .map(|field| field["field"].as_str().expect("field").to_string())
        .collect();
    skipped.sort();
    assert_eq!(
        skipped,
        vec![
            "company.annual_revenue",
            "company.employees",
            "company.industry",
            "lead_status"
        ]
    );
    let company_id = visitor["hubspot_company_id"].as_str().expect("company id");
    let company = hubspot_get(
        &app,
        &format!("/crm/v3/objects/companies/{company_id}?properties=name,industry"),
    )
    .await;
    assert_eq!(company["properties"]["name"], "Acme Skip");
    assert!(company["properties"]["industry"].is_null());
}

#[tokio::test]
async fn free_mail_domain_makes_no_company() {
    let app = spawn_connected_app().await;
    let visitor_id = create_visitor(
        &app,
        json!({"email": "someone@gmail.com", "company": {"domain": "gmail.com"}}),
    )
    .await;
    let job = push_and_wait(&app, &visitor_id).await;
    assert_eq!(job["status"], "done", "push failed: {job}");
    let visitor = get_visitor(&app, &visitor_id).await;
    assert!(visitor["hubspot_company_id"].is_null());
    assert_eq!(visitor["skipped_fields"][0]["field"], "company.domain");
    assert_eq!(all_records(&app, "companies", &["domain"]).await.len(), 0);
}

#[tokio::test]
async fn company_without_domain_is_reused() {
    let app = spawn_connected_app().await;
    let visitor_id = create_visitor(
        &app,
        json!({"email": "nodomain@gmail.com", "company": {"name": "Corner Shop"}}),
    )
    .await;
    assert_eq!(push_and_wait(&app, &visitor_id).await["status"], "done");
    assert_eq!(push_and_wait(&app, &visitor_id).await["status"], "done");
    let companies = all_records(&app, "companies", &["name"]).await;
    assert_eq!(companies.len(), 1);
    assert_eq!(companies[0]["properties"]["name"], "Corner Shop");
}

#[tokio::test]
async fn existing_company_is_matched() {
    let app = spawn_connected_app().await;
    let older = hubspot_post_created(
        &app,
        "companies",
        json!({"name": "Old Acme", "domain": "acme-old.com"}),
    )
    .await;
    hubspot_post_created(
        &app,
        "companies",
        json!({"name": "New Acme", "domain": "acme-old.com"}),
    )
    .await;
    let visitor_id = create_visitor(
        &app,
        json!({"email": "a@acme-old.com", "company": {"domain": "www.acme-old.com"}}),
    )
    .await;
    assert_eq!(push_and_wait(&app, &visitor_id).await["status"], "done");
    let visitor = get_visitor(&app, &visitor_id).await;
    assert_eq!(visitor["hubspot_company_id"], older);
    assert_eq!(all_records(&app, "companies", &["domain"]).await.len(), 2);
}

/// Creates a record directly in the sandbox and returns its id.
async fn hubspot_post_created(
    app: &crate::helpers::TestApp,
    object: &str,
    properties: serde_json::Value,
) -> String {
    let response = app
        .client
        .post(format!("{}/crm/v3/objects/{object}", app.sandbox.base_url))
        .bearer_auth(READ_TOKEN)
        .json(&json!({"properties": properties, "associations": []}))
        .send()
        .await
        .expect("send");
    assert_eq!(response.status(), 201);
    let record: serde_json::Value = response.json().await.expect("JSON");
    record["id"].as_str().expect("id").to_string()
}

#[tokio::test]
async fn booking_pushes_run_first() {
    use slotchat::push_queue::{NewPush, PushReason, enqueue_push, enqueue_push_in};

    let app = crate::helpers::spawn_app().await;
    app.state.push_queue.stop();
    let db = &app.state.db;
    let visitor_id = create_visitor(&app, json!({"email": "order@acme-order.com"})).await;
    let push = |reason| NewPush {
        workspace_id: app.workspace.id.clone(),
        visitor_id: visitor_id.clone(),
        reason,
        booking_id: None,
        bulk_job_id: None,
    };
    let workflow = enqueue_push(db, push(PushReason::Workflow))
        .await
        .expect("enqueue");
    let manual = enqueue_push(db, push(PushReason::Manual))
        .await
        .expect("enqueue");
    let booking = enqueue_push(db, push(PushReason::Booking))
        .await
        .expect("enqueue");

    let later = chrono::Utc::now().timestamp_millis() + 1_000;
    let due = db
        .due_push_jobs(later, false, 10)
        .await
        .expect("due pushes");
    let order: Vec<&str> = due.iter().map(|job| job.id.as_str()).collect();
    assert_eq!(
        order,
        vec![booking.as_str(), manual.as_str(), workflow.as_str()]
    );
    assert_eq!(
        get_visitor(&app, &visitor_id).await["push_status"],
        "queued"
    );

    let mut transaction = db.pool().begin().await.expect("begin");
    enqueue_push_in(&mut transaction, push(PushReason::Manual), later)
        .await
        .expect("enqueue");
    transaction.rollback().await.expect("rollback");
    assert_eq!(
        db.due_push_jobs(later, false, 10)
            .await
            .expect("due pushes")
            .len(),
        3
    );
}
