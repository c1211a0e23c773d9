//! The sample customer site of the demo: a few pages on their own origin,
//! each with the widget's script tag.

use std::net::TcpListener;

use actix_web::{App, HttpRequest, HttpResponse, HttpServer, web};

const PAGE_TEMPLATE: &str = include_str!("customer_page.html");

struct SitePages {
    server_url: String,
    sandbox_url: String,
    site_key: String,
}

/// Serves the sample site on `listener` in the background.
pub fn spawn(listener: TcpListener, server_url: &str, sandbox_url: &str, site_key: &str) -> anyhow::Result<()> {
    let pages = web::Data::new(SitePages {
        server_url: server_url.to_string(),
        sandbox_url: sandbox_url.to_string(),
        site_key: site_key.to_string(),
    });
    let server = HttpServer::new(move || App::new().app_data(pages.clone()).default_service(web::get().to(page)))
        .workers(1)
        .listen(listener)?
        .run();
    tokio::spawn(server);
    Ok(())
}

async fn page(request: HttpRequest, pages: web::Data<SitePages>) -> HttpResponse {
    let title = match request.path() {
        "/" => "Acme Widgets",
        "/pricing" => "Pricing",
        "/integrations/hubspot" => "HubSpot integration",
        _ => return HttpResponse::NotFound().body("not found"),
    };
    let body = PAGE_TEMPLATE
        .replace("{{TITLE}}", title)
        .replace("{{SERVER}}", &pages.server_url)
        .replace("{{SANDBOX}}", &pages.sandbox_url)
        .replace("{{SITE_KEY}}", &pages.site_key);
    HttpResponse::Ok().content_type("text/html; charset=utf-8").body(body)
}
