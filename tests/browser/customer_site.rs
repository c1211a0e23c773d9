//! The customer's website: a second local HTTP server, on its own origin,
//! whose page embeds the widget with the one-tag snippet.

use std::net::TcpListener;

use actix_web::{App, HttpRequest, HttpResponse, HttpServer, web};

/// The customer site: bound first, so its origin can be registered as the
/// slotchat site's allowed origin, then served with that site's key.
pub struct CustomerSite {
    /// `http://127.0.0.1:PORT`, the origin the slotchat site must allow.
    pub origin: String,
    listener: Option<TcpListener>,
}

impl CustomerSite {
    /// Binds a free loopback port for the site.
    pub fn bind() -> CustomerSite {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind the customer site port");
        let port = listener.local_addr().expect("read the customer site address").port();
        CustomerSite { origin: format!("http://127.0.0.1:{port}"), listener: Some(listener) }
    }

    /// Serves a page that embeds `script_src` with `site_key` under every
    /// path. The page's own CSS tries to restyle every button, font and
    /// box, which the widget's Shadow DOM must keep out. Under
    /// `/translated/...` the page also overrides widget strings, both with
    /// `window.slotchatStrings` and with `data-strings`.
    pub fn serve(&mut self, script_src: &str, site_key: &str) {
        let listener = self.listener.take().expect("the customer site is served once");
        let plain = page_html(script_src, site_key, "", "");
        let translated = page_html(
            script_src,
            site_key,
            TRANSLATED_GLOBAL_SCRIPT,
            r#" data-strings='{"launcherLabel": "Reservar una reunión"}'"#,
        );
        let server = HttpServer::new(move || {
            let (plain, translated) = (plain.clone(), translated.clone());
            App::new().default_service(web::to(move |request: HttpRequest| {
                let translate = request.path().starts_with("/translated");
                let page = if translate { translated.clone() } else { plain.clone() };
                async move { HttpResponse::Ok().content_type("text/html; charset=utf-8").body(page) }
            }))
        })
        .workers(1)
        .listen(listener)
        .expect("listen on the customer site port")
        .run();
        tokio::spawn(server);
    }

    /// URL of the page at `path` (for example `/` or `/pricing`).
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.origin)
    }
}

/// Overrides set before the widget's tag. `launcherLabel` is overridden here
/// and again in `data-strings`, which takes precedence.
const TRANSLATED_GLOBAL_SCRIPT: &str = r#"<script>
window.slotchatStrings = { panelTitle: "Reservar", launcherLabel: "Not this one" };
</script>"#;

fn page_html(script_src: &str, site_key: &str, head_extra: &str, tag_extra: &str) -> String {
    format!(
        r#"<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Customer page</title>
<style>
  * {{ font-family: serif !important; color: #b00 !important; }}
  button {{ background: #0b0 !important; font-size: 40px !important; }}
  div {{ border: 5px dashed #00b !important; }}
</style>
{head_extra}
</head>
<body>
<h1>Customer page</h1>
<button id="host-button" type="button">A button of the host page</button>
<script src="{script_src}" data-site-key="{site_key}"{tag_extra} async></script>
</body>
</html>
"#
    )
}
