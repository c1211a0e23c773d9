//! Builds the application from settings: database, shared state, routes,
//! the bound listener. `serve`, `demo` and every test go through
//! [`Application::build`].

use std::net::TcpListener;
use std::sync::Arc;
use std::time::Duration;

use actix_web::dev::Server;
use actix_web::middleware::from_fn;
use actix_web::{App, HttpServer, web};
use anyhow::Context;

use crate::clock::Clock;
use crate::push_queue::{self, PushQueue, WorkerConfig};
use crate::crypto::TokenCipher;
use crate::catalogue::Catalogue;
use crate::hubspot::{HubSpot, Priority};
use crate::widget_session::hub::SlotsHub;
use crate::settings::Settings;
use crate::storage::Db;
use crate::storage::connections::ConnectionStatus;
use crate::{api, error, telemetry};

/// State shared by every handler and background task.
#[derive(Debug, Clone)]
pub struct AppState {
    pub settings: Arc<Settings>,
    pub db: Db,
    pub clock: Clock,
    pub cipher: TokenCipher,
    /// The HubSpot client, shared by every part that calls HubSpot.
    pub hubspot: HubSpot,
    /// Wakes and stops this instance's push workers.
    pub push_queue: PushQueue,
    /// Meeting links and availability, cached.
    pub catalogue: Catalogue,
    /// Tells open widgets when slots are taken.
    pub slots_hub: SlotsHub,
}

impl AppState {
    /// Whether the workspace has a working HubSpot connection. A database
    /// error counts as not connected, so the widget shows booking as
    /// unavailable rather than failing later.
    pub async fn hubspot_connected(&self, workspace_id: &str) -> bool {
        match self.db.hubspot_connection(workspace_id).await {
            Ok(Some(connection)) => connection.status == ConnectionStatus::Connected,
            Ok(None) => false,
            Err(error) => {
                tracing::warn!(workspace_id, error = %error, "failed to read the HubSpot connection");
                false
            }
        }
    }
}

/// A built server, bound to its port but not yet running.
pub struct Application {
    port: u16,
    server: Server,
    state: AppState,
}

impl Application {
    /// Connects the database, runs migrations and binds `settings.listen`
    /// (port 0 picks a free port; [`Application::port`] reports it).
    pub async fn build(settings: Settings, clock: Clock) -> anyhow::Result<Self> {
        let listener = TcpListener::bind(&settings.listen)
            .with_context(|| format!("failed to bind listen address {}", settings.listen))?;
        Self::build_with_listener(settings, clock, listener).await
    }

    /// Like [`Application::build`] on a listener the caller bound, so that
    /// tests can put the real port into `public_url` (the OAuth redirect
    /// URL is derived from it) before the server is built.
    pub async fn build_with_listener(
        settings: Settings,
        clock: Clock,
        listener: TcpListener,
    ) -> anyhow::Result<Self> {
        let key = settings.encryption_key.as_ref().context(
            "encryption_key (SLOTCHAT_ENCRYPTION_KEY) is required: 32 bytes as base64, \
             for example from `openssl rand -base64 32`",
        )?;
        let cipher = TokenCipher::from_base64_key(key)?;
        let db = Db::connect(&settings.database_url, settings.database_max_connections)
            .await
            .context("failed to open the database (database_url / DATABASE_URL)")?;
        let port = listener.local_addr()?.port();
        let hubspot = HubSpot::new(&settings, db.clone(), cipher.clone(), clock.clone())?;
        let catalogue = Catalogue::new(
            hubspot.clone(),
            clock.clone(),
            Duration::from_secs(settings.meeting_links_cache_ttl_secs),
            Duration::from_secs(settings.availability_cache_ttl_secs),
        );
        let state = AppState {
            settings: Arc::new(settings),
            db,
            clock,
            cipher,
            hubspot,
            catalogue,
            slots_hub: SlotsHub::default(),
            push_queue: PushQueue::default(),
        };
        start_push_workers(&state);
        let server = run_server(listener, state.clone())?;
        Ok(Self { port, server, state })
    }

    /// Returns the port the server is bound to.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// Returns the shared state, for the demo and tests.
    pub fn state(&self) -> &AppState {
        &self.state
    }

    /// Runs until the server stops.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        self.server.await
    }
}

/// Starts this instance's push workers. Bulk pushes use the client's bulk
/// priority, which leaves part of each portal's rate budget to bookings.
fn start_push_workers(state: &AppState) {
    let config = WorkerConfig::from_settings(&state.settings, ConnectionStatus::Connected.as_str());
    push_queue::start_workers(
        &state.push_queue,
        Arc::new(state.hubspot.clone()),
        Arc::new(state.hubspot.with_priority(Priority::Bulk)),
        state.db.clone(),
        state.clock.clone(),
        config,
    );
}

fn run_server(listener: TcpListener, state: AppState) -> anyhow::Result<Server> {
    let data = web::Data::new(state);
    let server = HttpServer::new(move || {
        App::new()
            .wrap(from_fn(telemetry::request_span))
            .app_data(data.clone())
            .app_data(error::json_config())
            .app_data(error::query_config())
            .app_data(error::path_config())
            .configure(api::configure)
    })
    .listen(listener)?
    .run();
    Ok(server)
}
