use std::io::Write;

use flate2::Compression;
use flate2::write::GzEncoder;

use crate::helpers::spawn_app;

/// Largest gzipped size of `/widget.js` the embed snippet promises.
const LAUNCHER_GZIP_BUDGET_BYTES: usize = 10 * 1024;

fn gzipped_len(body: &[u8]) -> usize {
    let mut encoder = GzEncoder::new(Vec::new(), Compression::default());
    encoder.write_all(body).expect("gzip into memory");
    encoder.finish().expect("finish gzip").len()
}

#[tokio::test]
async fn launcher_is_javascript_within_budget() {
    let app = spawn_app().await;
    let response = app.client.get(format!("{}/widget.js", app.address)).send().await.unwrap();

    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["content-type"], "text/javascript; charset=utf-8");
    assert_eq!(response.headers()["cache-control"], "public, max-age=300");
    assert_eq!(response.headers()["x-content-type-options"], "nosniff");
    assert!(response.headers().get("access-control-allow-origin").is_none());
    let body = response.bytes().await.unwrap();
    assert!(body.starts_with(b"/*"), "the launcher starts with its header comment");
    let size = gzipped_len(&body);
    assert!(
        size <= LAUNCHER_GZIP_BUDGET_BYTES,
        "widget.js is {size} bytes gzipped, over the {LAUNCHER_GZIP_BUDGET_BYTES}-byte budget"
    );
}

#[tokio::test]
async fn panel_files_have_content_types() {
    let app = spawn_app().await;
    for (path, content_type, marker) in [
        ("/widget/panel.js", "text/javascript; charset=utf-8", "definePanel"),
        ("/widget/panel.css", "text/css; charset=utf-8", ".sc-panel"),
    ] {
        let response = app.client.get(format!("{}{path}", app.address)).send().await.unwrap();
        assert_eq!(response.status(), 200, "{path}");
        assert_eq!(response.headers()["content-type"], content_type, "{path}");
        assert!(response.headers().contains_key("etag"), "{path} has an ETag");
        let body = response.text().await.unwrap();
        assert!(body.contains(marker), "{path} contains {marker}");
    }
}

#[tokio::test]
async fn matching_etag_returns_not_modified() {
    let app = spawn_app().await;
    let url = format!("{}/widget.js", app.address);
    let first = app.client.get(&url).send().await.unwrap();
    let etag = first.headers()["etag"].to_str().unwrap().to_string();
    assert!(etag.starts_with('"'), "strong ETag: {etag}");
    assert!(etag.ends_with('"'), "strong ETag: {etag}");

    let again = app.client.get(&url).header("if-none-match", &etag).send().await.unwrap();
    assert_eq!(again.status(), 304);
    assert_eq!(again.headers()["etag"], etag.as_str());
    assert!(again.bytes().await.unwrap().is_empty());

    let stale = app.client.get(&url).header("if-none-match", "\"stale\"").send().await.unwrap();
    assert_eq!(stale.status(), 200);
}

#[tokio::test]
async fn unknown_widget_file_is_not_found() {
    let app = spawn_app().await;
    let response =
        app.client.get(format!("{}/widget/../Cargo.toml", app.address)).send().await.unwrap();
    assert_eq!(response.status(), 404);
    let response = app.client.get(format!("{}/widget/other.js", app.address)).send().await.unwrap();
    assert_eq!(response.status(), 404);
}
