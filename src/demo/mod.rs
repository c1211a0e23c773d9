//! The demo command: the HubSpot sandbox, the server on a fresh SQLite file,
//! a sample customer site on its own origin, and one workspace connected to
//! the sandbox portal through the real OAuth flow.

mod connect;
mod customer_site;
mod workflows;

use std::net::TcpListener;

use anyhow::Context;
use secrecy::SecretString;

use crate::clock::Clock;
use crate::crypto::{TokenCipher, random_token};
use crate::sandbox::SandboxConfig;
use crate::settings::Settings;
use crate::startup::Application;

/// Flags of `slotchat demo`.
#[derive(Debug, clap::Args)]
pub struct DemoArgs {
    /// Address of the slotchat server.
    #[arg(long, default_value = "127.0.0.1:8080")]
    pub listen: String,
    /// Address of the HubSpot sandbox.
    #[arg(long, default_value = "127.0.0.1:8090")]
    pub sandbox_listen: String,
    /// Address of the sample customer site that embeds the widget.
    #[arg(long, default_value = "127.0.0.1:8081")]
    pub site_listen: String,
}

/// Runs the demo until interrupted.
pub async fn run(args: DemoArgs) -> anyhow::Result<()> {
    let sandbox_token = std::env::var("SLOTCHAT_SANDBOX_TOKEN").unwrap_or_else(|_| random_token());
    let admin_token = std::env::var("SLOTCHAT_ADMIN_TOKEN").unwrap_or_else(|_| random_token());
    let client_secret = random_token();

    let sandbox_listener = TcpListener::bind(&args.sandbox_listen)
        .with_context(|| format!("failed to bind --sandbox-listen {}", args.sandbox_listen))?;
    let sandbox_config = SandboxConfig {
        client_id: "slotchat-demo".into(),
        client_secret: client_secret.clone(),
        private_app_token: Some(sandbox_token.clone()),
        ..SandboxConfig::default()
    };
    let sandbox = crate::sandbox::spawn(sandbox_config, sandbox_listener).await?;

    let settings = demo_settings(&args, &sandbox.base_url, client_secret)?;
    let server_url = settings.public_url.clone();
    let application = Application::build(settings, Clock::default()).await?;
    let state = application.state().clone();
    let server = tokio::spawn(application.run_until_stopped());

    let site_origin = format!("http://{}", args.site_listen);
    let now = state.clock.now_ms();
    let workspace = state.db.create_workspace("Acme Widgets (demo)", &admin_token, now).await?;
    let origins = vec![site_origin.clone(), site_origin.replace("127.0.0.1", "localhost")];
    let site = state.db.create_site(&workspace.id, "Acme Widgets website", &origins, now).await?;
    workflows::seed_workflows(&state.db, &workspace.id, now).await?;

    let site_listener = TcpListener::bind(&args.site_listen)
        .with_context(|| format!("failed to bind --site-listen {}", args.site_listen))?;
    customer_site::spawn(site_listener, &server_url, &sandbox.base_url, &site.site_key)?;

    connect::connect_through_oauth(&server_url, &admin_token)
        .await
        .context("the demo workspace could not connect to the sandbox through OAuth")?;

    println!();
    println!("slotchat demo is running.");
    println!("  Demo page (book a meeting here): {site_origin}/");
    println!("  Dashboard:                       {server_url}/dashboard");
    println!("  Admin token:                     {admin_token}");
    println!("  HubSpot sandbox base URL:        {}", sandbox.base_url);
    println!("  Sandbox private-app token:       {sandbox_token}");
    println!("  Site key:                        {}", site.site_key);
    println!();
    println!("Workflows \"Pricing visitors\" (a /pricing page and an email) and \"Hot leads\"");
    println!("(quality score 70 or more) are active. Subscribe to the newsletter on the demo");
    println!("page, open Pricing, and the visitor appears in the sandbox. To make a visitor a");
    println!("hot lead by email:");
    println!(
        "  curl -H 'Authorization: Bearer {admin_token}' -H 'Content-Type: application/json' \\\n    \
         -d '{{\"email\": \"you@example.com\", \"quality_score\": 80}}' {server_url}/api/v1/visitors"
    );
    println!();
    println!("Press Ctrl-C to stop.");

    tokio::select! {
        result = server => { result??; }
        _ = tokio::signal::ctrl_c() => {}
    }
    Ok(())
}

fn demo_settings(args: &DemoArgs, sandbox_url: &str, client_secret: String) -> anyhow::Result<Settings> {
    // A fresh database per run: the sandbox keeps its portal in memory, so
    // ids stored by an earlier run would point at records that no longer exist.
    let database = std::env::temp_dir().join(format!("slotchat-demo-{}.db", uuid::Uuid::new_v4().simple()));
    let mut settings = Settings::default();
    settings.listen = args.listen.clone();
    settings.public_url = format!("http://{}", args.listen);
    settings.database_url = format!("sqlite://{}", database.display());
    settings.hubspot_api_base_url = sandbox_url.to_string();
    settings.hubspot_auth_base_url = sandbox_url.to_string();
    settings.hubspot_client_id = "slotchat-demo".into();
    settings.hubspot_client_secret = Some(SecretString::from(client_secret));
    settings.encryption_key = Some(TokenCipher::generate_key());
    settings.meeting_links_cache_ttl_secs = 30;
    settings.availability_cache_ttl_secs = 15;
    settings.validate()?;
    Ok(settings)
}
