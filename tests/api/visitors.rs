use serde_json::{Value, json};
use slotchat::domain::Email;

use crate::helpers::spawn_app;

async fn json_of(response: reqwest::Response) -> Value {
    response.json().await.expect("JSON body")
}

#[tokio::test]
async fn create_then_update_visitor() {
    let app = spawn_app().await;
    let body = json!({"email": "Maria@Acme-Widgets.com", "first_name": "Maria", "company": {"domain": "https://www.acme-widgets.com/"}});
    let created = app.admin_post("/api/v1/visitors", &body).await;
    assert_eq!(created.status(), 201);
    let created = json_of(created).await;

    let update = json!({"email": "maria@acme-widgets.com", "job_title": "Head of Operations"});
    let updated = app.admin_post("/api/v1/visitors", &update).await;
    assert_eq!(updated.status(), 200);
    let updated = json_of(updated).await;
    assert_eq!(updated["id"], created["id"]);
    assert_eq!(updated["data_version"], 2);

    let id = created["id"].as_str().expect("id");
    let visitor = json_of(app.admin_get(&format!("/api/v1/visitors/{id}")).await).await;
    assert_eq!(visitor["email"], "maria@acme-widgets.com");
    assert_eq!(visitor["first_name"], "Maria");
    assert_eq!(visitor["job_title"], "Head of Operations");
    assert_eq!(visitor["company"]["domain"], "acme-widgets.com");
    assert_eq!(visitor["push_status"], "not_pushed");
    assert_eq!(visitor["skipped_fields"], json!([]));
}

#[tokio::test]
async fn unchanged_visitor_keeps_version() {
    let app = spawn_app().await;
    let body = json!({"external_id": "crm-42", "city": "Madrid"});
    assert_eq!(
        app.admin_post("/api/v1/visitors", &body).await.status(),
        201
    );
    let again = json_of(app.admin_post("/api/v1/visitors", &body).await).await;
    assert_eq!(again["data_version"], 1);
}

#[tokio::test]
async fn pages_are_added_once() {
    let app = spawn_app().await;
    let page = json!({"url": "https://acme.test/pricing", "title": "Pricing", "viewed_at": "2026-06-12T10:02:13Z"});
    let body = json!({"email": "p@acme.test", "pages": [page]});
    let id = json_of(app.admin_post("/api/v1/visitors", &body).await).await["id"].clone();
    let again = json_of(app.admin_post("/api/v1/visitors", &body).await).await;
    assert_eq!(again["data_version"], 1);
    let visitor = json_of(
        app.admin_get(&format!("/api/v1/visitors/{}", id.as_str().unwrap()))
            .await,
    )
    .await;
    assert_eq!(visitor["pages"].as_array().expect("pages").len(), 1);
    assert_eq!(visitor["pages"][0]["viewed_at"], "2026-06-12T10:02:13.000Z");
}

#[tokio::test]
async fn invalid_fields_are_named() {
    let app = spawn_app().await;
    let cases = [
        (json!({"email": "not-an-email"}), "email"),
        (
            json!({"email": "a@acme.test", "company": {"domain": "acme"}}),
            "company.domain",
        ),
        (
            json!({"email": "a@acme.test", "quality_score": 150}),
            "quality_score",
        ),
        (
            json!({"email": "a@acme.test", "favourite_colour": "red"}),
            "favourite_colour",
        ),
        (
            json!({"email": "a@acme.test", "company": {"employees": [1]}}),
            "company.employees",
        ),
        (json!({"first_name": "Nobody"}), "email"),
    ];
    for (body, field) in cases {
        let response = app.admin_post("/api/v1/visitors", &body).await;
        assert_eq!(response.status(), 400, "for {body}");
        let error = json_of(response).await;
        assert_eq!(error["error"]["field"], field, "for {body}");
        assert_eq!(error["error"]["code"], "invalid_request");
    }
}

#[tokio::test]
async fn identifier_conflict_is_409() {
    let app = spawn_app().await;
    app.admin_post("/api/v1/visitors", &json!({"email": "one@acme.test"}))
        .await;
    app.admin_post("/api/v1/visitors", &json!({"external_id": "two"}))
        .await;
    let response = app
        .admin_post(
            "/api/v1/visitors",
            &json!({"email": "one@acme.test", "external_id": "two"}),
        )
        .await;
    assert_eq!(response.status(), 409);
}

#[tokio::test]
async fn other_workspace_visitor_is_404() {
    let app = spawn_app().await;
    let id = json_of(
        app.admin_post("/api/v1/visitors", &json!({"email": "a@acme.test"}))
            .await,
    )
    .await["id"]
        .clone();
    let other_token = slotchat::crypto::random_token();
    app.state
        .db
        .create_workspace("Other", &other_token, app.clock.now_ms())
        .await
        .expect("workspace");
    let response = app
        .client
        .get(format!(
            "{}/api/v1/visitors/{}",
            app.address,
            id.as_str().unwrap()
        ))
        .bearer_auth(&other_token)
        .send()
        .await
        .expect("send");
    assert_eq!(response.status(), 404);
    let list = app
        .client
        .get(format!("{}/api/v1/visitors", app.address))
        .bearer_auth(&other_token)
        .send()
        .await
        .expect("send");
    assert_eq!(json_of(list).await["visitors"], json!([]));
}

#[tokio::test]
async fn list_pages_through_visitors() {
    let app = spawn_app().await;
    for index in 0..5 {
        let body = json!({"email": format!("v{index}@acme.test")});
        assert_eq!(
            app.admin_post("/api/v1/visitors", &body).await.status(),
            201
        );
    }
    let mut seen = Vec::new();
    let mut path = "/api/v1/visitors?limit=2".to_string();
    loop {
        let page = json_of(app.admin_get(&path).await).await;
        for visitor in page["visitors"].as_array().expect("visitors") {
            seen.push(visitor["email"].as_str().expect("email").to_string());
        }
        match page["next_cursor"].as_str() {
            Some(cursor) => path = format!("/api/v1/visitors?limit=2&cursor={cursor}"),
            None => break,
        }
    }
    seen.sort();
    seen.dedup();
    assert_eq!(seen.len(), 5);

    let filtered = json_of(app.admin_get("/api/v1/visitors?push_status=pushed").await).await;
    assert_eq!(filtered["visitors"], json!([]));
    let bad = app.admin_get("/api/v1/visitors?push_status=done").await;
    assert_eq!(bad.status(), 400);
}

#[tokio::test]
async fn booking_upsert_fills_visitor() {
    let app = spawn_app().await;
    let db = &app.state.db;
    let email = Email::parse("booker@acme.test").expect("email");
    let id = db
        .upsert_visitor_from_booking(
            &app.workspace.id,
            &app.site.id,
            &email,
            "Ana",
            "Ruiz",
            Some("Acme"),
            app.clock.now_ms(),
        )
        .await
        .expect("upsert");
    let again = db
        .upsert_visitor_from_booking(
            &app.workspace.id,
            &app.site.id,
            &email,
            "",
            "Ruiz-Lopez",
            None,
            app.clock.now_ms(),
        )
        .await
        .expect("upsert");
    assert_eq!(id, again);
    let visitor = db
        .visitor(&app.workspace.id, &id)
        .await
        .expect("read")
        .expect("visitor");
    assert_eq!(visitor.first_name.as_deref(), Some("Ana"));
    assert_eq!(visitor.last_name.as_deref(), Some("Ruiz-Lopez"));
    assert_eq!(visitor.company.name.as_deref(), Some("Acme"));
    let domain = visitor.company.domain.as_ref().map(|domain| domain.as_str().to_string());
    assert_eq!(domain.as_deref(), Some("acme.test"), "the work email's domain fills the company domain");
    assert_eq!(visitor.data_version, 2);
}

#[tokio::test]
async fn page_view_creates_anonymous_visitor() {
    let app = spawn_app().await;
    let db = &app.state.db;
    let now = app.clock.now_ms();
    let first = db
        .record_page_view(
            &app.workspace.id,
            &app.site.id,
            "anon-1",
            "https://acme.test/",
            Some("Home"),
            now,
        )
        .await
        .expect("page view");
    let second = db
        .record_page_view(
            &app.workspace.id,
            &app.site.id,
            "anon-1",
            "https://acme.test/pricing",
            None,
            now + 1,
        )
        .await
        .expect("page view");
    assert_eq!(first, second);
    assert_eq!(db.page_views(&first, 10).await.expect("pages").len(), 2);
    let list = json_of(app.admin_get("/api/v1/visitors").await).await;
    assert_eq!(
        list["visitors"],
        json!([]),
        "anonymous visitors are not listed"
    );
}
