//! The `slotchat` command line: `serve`, `demo` and `hubspot-sandbox`.

use std::path::PathBuf;

use anyhow::Context;
use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(name = "slotchat", version, about = "Book HubSpot meetings from a chat widget")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the production server, configured by environment and an optional file.
    Serve {
        /// TOML settings file; `SLOTCHAT_*` variables override it.
        #[arg(long, env = "SLOTCHAT_CONFIG")]
        config: Option<PathBuf>,
        /// Address to listen on; overrides the `listen` setting.
        #[arg(long)]
        listen: Option<String>,
    },
    /// Run the sandbox, the server and a connected demo workspace on this machine.
    Demo(slotchat::demo::DemoArgs),
    /// Run the HubSpot sandbox alone.
    HubspotSandbox {
        /// Address to listen on.
        #[arg(long, default_value = "127.0.0.1:8090")]
        listen: String,
        /// Static private-app token accepted for the seeded portal.
        #[arg(long)]
        private_app_token: Option<String>,
        /// OAuth client id of the sandbox's registered app.
        #[arg(long, default_value = "sandbox-client-id")]
        client_id: String,
        /// OAuth client secret of the sandbox's registered app.
        #[arg(long, default_value = "sandbox-client-secret")]
        client_secret: String,
        /// Lifetime of issued access tokens, in seconds.
        #[arg(long, default_value_t = 1800)]
        access_token_ttl_secs: u64,
        /// Delay before CRM writes show up in search results, in milliseconds.
        #[arg(long, default_value_t = 0)]
        search_lag_ms: u64,
        /// Requests per 10-second window allowed to the OAuth app per portal.
        #[arg(long, default_value_t = 110)]
        burst_limit: u32,
        /// CRM search requests allowed per second per portal.
        #[arg(long, default_value_t = 5)]
        search_limit_per_second: u32,
        /// Create and associate a company from each new contact's email domain.
        #[arg(long)]
        auto_create_company: bool,
    },
}

#[actix_web::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    match cli.command {
        Command::Serve { config, listen } => {
            let mut settings = slotchat::settings::Settings::load(config.as_deref())?;
            if let Some(listen) = listen {
                settings.listen = listen;
            }
            slotchat::telemetry::init(&settings.log_format);
            let app = slotchat::startup::Application::build(settings, Default::default()).await?;
            tracing::info!(port = app.port(), "slotchat listening");
            app.run_until_stopped().await?;
        }
        Command::Demo(args) => {
            slotchat::telemetry::init("pretty");
            slotchat::demo::run(args).await?;
        }
        Command::HubspotSandbox {
            listen,
            private_app_token,
            client_id,
            client_secret,
            access_token_ttl_secs,
            search_lag_ms,
            burst_limit,
            search_limit_per_second,
            auto_create_company,
        } => {
            slotchat::telemetry::init("pretty");
            let listener = std::net::TcpListener::bind(&listen)
                .with_context(|| format!("failed to bind --listen {listen}"))?;
            let config = slotchat::sandbox::SandboxConfig {
                client_id,
                client_secret,
                private_app_token,
                access_token_ttl_secs,
                search_lag_ms,
                burst_limit,
                search_limit_per_second,
                auto_create_company,
                ..Default::default()
            };
            let sandbox = slotchat::sandbox::spawn(config, listener).await?;
            println!("HubSpot sandbox listening on {}", sandbox.base_url);
            tokio::signal::ctrl_c().await?;
        }
    }
    Ok(())
}
