//! The dashboard's static files: served with the right content types and
//! security headers, complete (every import resolves) and free of secrets.

use crate::helpers::spawn_app;

async fn get(app: &crate::helpers::TestApp, path: &str) -> reqwest::Response {
    app.client.get(format!("{}{}", app.address, path)).send().await.expect("send request")
}

#[tokio::test]
async fn dashboard_index_served_as_html() {
    let app = spawn_app().await;
    for path in ["/dashboard", "/dashboard/", "/dashboard/index.html"] {
        let response = get(&app, path).await;
        assert_eq!(response.status(), 200, "{path}");
        let headers = response.headers().clone();
        assert_eq!(headers["content-type"], "text/html; charset=utf-8", "{path}");
        assert_eq!(headers["x-content-type-options"], "nosniff", "{path}");
        assert_eq!(headers["x-frame-options"], "DENY", "{path}");
        let policy = headers["content-security-policy"].to_str().unwrap();
        assert!(policy.contains("script-src 'self'"), "{path}: {policy}");
        assert!(policy.contains("frame-ancestors 'none'"), "{path}: {policy}");
        let body = response.text().await.unwrap();
        assert!(body.contains(r#"<label for="admin-token">"#), "{path}: sign-in label");
        assert!(body.contains(r#"src="/dashboard/main.js""#), "{path}: main script");
        assert!(!body.contains(&app.admin_token), "{path}: no admin token");
    }
}

#[tokio::test]
async fn dashboard_imports_all_resolve() {
    let app = spawn_app().await;
    let mut pending = vec!["main.js".to_string()];
    let mut seen = Vec::new();
    while let Some(file) = pending.pop() {
        if seen.contains(&file) {
            continue;
        }
        let response = get(&app, &format!("/dashboard/{file}")).await;
        assert_eq!(response.status(), 200, "{file}");
        assert_eq!(response.headers()["content-type"], "text/javascript; charset=utf-8", "{file}");
        let body = response.text().await.unwrap();
        assert!(!body.contains("innerHTML"), "{file} builds DOM from text only");
        for line in body.lines().filter(|line| line.starts_with("import ")) {
            let target = line.split("\"./").nth(1).and_then(|rest| rest.split('"').next());
            pending.push(target.unwrap_or_else(|| panic!("relative import in {file}: {line}")).to_string());
        }
        seen.push(file);
    }
    assert!(seen.len() >= 7, "main.js, its helpers and four pages: {seen:?}");

    let css = get(&app, "/dashboard/style.css").await;
    assert_eq!(css.status(), 200);
    assert_eq!(css.headers()["content-type"], "text/css; charset=utf-8");
}

#[tokio::test]
async fn dashboard_unknown_file_not_found() {
    let app = spawn_app().await;
    for path in ["/dashboard/missing.js", "/dashboard/..%2FCargo.toml", "/dashboard/sub/main.js"] {
        let response = get(&app, path).await;
        assert_eq!(response.status(), 404, "{path}");
    }
}
