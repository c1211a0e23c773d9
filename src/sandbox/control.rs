//! The control API under `/_sandbox/`: traffic counters, the request log,
//! fault injection, run-time settings and test shortcuts. It needs no token
//! and is not counted in the statistics.

use std::collections::{BTreeMap, VecDeque};

use actix_web::{HttpResponse, web};
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::errors::ApiError;
use super::faults::{Fault, FaultAction, FaultSpec};
use super::ids;
use super::rate_limit::RateLimiter;
use super::state::SharedSandbox;

/// Maximum requests kept in the request log; older ones are dropped first.
const REQUEST_LOG_CAPACITY: usize = 10_000;

/// One request served, as `GET /_sandbox/requests` lists it. The query
/// string is left out because OAuth callbacks and token paths carry secrets.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct RequestRecord {
    pub method: String,
    pub path: String,
    pub route: Option<String>,
    pub status: u16,
    pub time: String,
    /// Portal of the token that authenticated the request; `None` for OAuth
    /// endpoints, unknown paths and failed authentication.
    pub portal_id: Option<u64>,
}

/// Request counters of one portal.
#[derive(Debug, Default, Serialize)]
pub(crate) struct PortalCounts {
    pub requests: u64,
    pub by_endpoint: BTreeMap<String, u64>,
}

/// Counters, the request log, faults and rate-limit windows.
#[derive(Debug, Default)]
pub(crate) struct Traffic {
    pub requests: u64,
    pub rate_limited: u64,
    pub by_endpoint: BTreeMap<String, u64>,
    /// Authenticated requests per portal, keyed by portal id.
    pub by_portal: BTreeMap<u64, PortalCounts>,
    pub log: VecDeque<RequestRecord>,
    pub faults: Vec<Fault>,
    next_fault_id: u64,
    pub limiter: RateLimiter,
}

impl Traffic {
    /// Counts one request to `endpoint` (`METHOD /route/template`).
    pub(crate) fn count(&mut self, endpoint: &str) {
        self.requests += 1;
        *self.by_endpoint.entry(endpoint.to_string()).or_default() += 1;
    }

    /// Counts one authenticated request to `endpoint` against `portal_id`.
    pub(crate) fn count_for_portal(&mut self, portal_id: u64, endpoint: &str) {
        let counts = self.by_portal.entry(portal_id).or_default();
        counts.requests += 1;
        *counts.by_endpoint.entry(endpoint.to_string()).or_default() += 1;
    }

    pub(crate) fn record(&mut self, record: RequestRecord) {
        if record.status == 429 {
            self.rate_limited += 1;
        }
        if self.log.len() == REQUEST_LOG_CAPACITY {
            self.log.pop_front();
        }
        self.log.push_back(record);
    }

    /// Finds the first fault matching the request, uses it once and returns
    /// what to do.
    pub(crate) fn take_fault(
        &mut self,
        method: &str,
        path: &str,
        route: Option<&str>,
    ) -> Option<FaultAction> {
        let index = self
            .faults
            .iter()
            .position(|fault| fault.spec.matches(method, path, route))?;
        let fault = &mut self.faults[index];
        fault.hits += 1;
        let action = fault.spec.action();
        if let Some(times) = fault.spec.times.as_mut() {
            *times -= 1;
            if *times == 0 {
                self.faults.remove(index);
            }
        }
        Some(action)
    }

    fn add_fault(&mut self, spec: FaultSpec) -> Fault {
        self.next_fault_id += 1;
        let fault = Fault {
            id: self.next_fault_id,
            spec,
            hits: 0,
        };
        self.faults.push(fault.clone());
        fault
    }

    fn reset(&mut self) {
        let next_fault_id = self.next_fault_id;
        *self = Traffic {
            next_fault_id,
            ..Traffic::default()
        };
    }
}

/// Registers the control routes.
pub(crate) fn configure(config: &mut web::ServiceConfig) {
    config.service(
        web::scope("/_sandbox")
            .route("/stats", web::get().to(get_stats))
            .route("/requests", web::get().to(list_requests))
            .route("/faults", web::get().to(list_faults))
            .route("/faults", web::post().to(create_fault))
            .route("/faults", web::delete().to(delete_faults))
            .route("/config", web::get().to(get_config))
            .route("/config", web::post().to(update_config))
            .route("/tokens/expire", web::post().to(expire_tokens))
            .route("/oauth/deny-next", web::post().to(deny_next_authorize))
            .route("/portal", web::get().to(get_portal))
            .route("/portal", web::post().to(choose_portal))
            .route(
                "/meetings",
                web::get().to(super::scheduler::list_booked_meetings),
            )
            .route("/reset", web::post().to(reset)),
    );
}

async fn get_stats(sandbox: web::Data<SharedSandbox>) -> HttpResponse {
    let traffic = sandbox.traffic();
    HttpResponse::Ok().json(json!({
        "requests": traffic.requests,
        "rate_limited": traffic.rate_limited,
        "by_endpoint": traffic.by_endpoint,
        "by_portal": traffic.by_portal,
    }))
}

async fn list_requests(sandbox: web::Data<SharedSandbox>) -> HttpResponse {
    let traffic = sandbox.traffic();
    HttpResponse::Ok().json(json!({ "requests": traffic.log }))
}

async fn list_faults(sandbox: web::Data<SharedSandbox>) -> HttpResponse {
    HttpResponse::Ok().json(json!({ "faults": sandbox.traffic().faults }))
}

async fn create_fault(
    sandbox: web::Data<SharedSandbox>,
    spec: web::Json<FaultSpec>,
) -> Result<HttpResponse, ApiError> {
    let spec = spec.into_inner();
    spec.validate().map_err(ApiError::validation)?;
    let fault = sandbox.traffic().add_fault(spec);
    Ok(HttpResponse::Created().json(fault))
}

async fn delete_faults(sandbox: web::Data<SharedSandbox>) -> HttpResponse {
    sandbox.traffic().faults.clear();
    HttpResponse::NoContent().finish()
}

async fn get_config(sandbox: web::Data<SharedSandbox>) -> HttpResponse {
    HttpResponse::Ok().json(sandbox.settings())
}

/// Body of `POST /_sandbox/config`; absent fields keep their value.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ConfigUpdate {
    access_token_ttl_secs: Option<u64>,
    search_lag_ms: Option<u64>,
    burst_limit: Option<u32>,
    private_app_burst_limit: Option<u32>,
    private_app_daily_limit: Option<u32>,
    burst_interval_ms: Option<u64>,
    search_limit_per_second: Option<u32>,
    auto_create_company: Option<bool>,
    auto_create_company_delay_ms: Option<u64>,
    auth_code_ttl_secs: Option<u64>,
}

async fn update_config(
    sandbox: web::Data<SharedSandbox>,
    update: web::Json<ConfigUpdate>,
) -> HttpResponse {
    let update = update.into_inner();
    let mut settings = sandbox
        .settings
        .write()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    macro_rules! apply {
        ($($field:ident),*) => { $( if let Some(value) = update.$field { settings.$field = value; } )* };
    }
    apply!(
        access_token_ttl_secs,
        search_lag_ms,
        burst_limit,
        private_app_burst_limit,
        private_app_daily_limit,
        burst_interval_ms,
        search_limit_per_second,
        auto_create_company,
        auto_create_company_delay_ms,
        auth_code_ttl_secs
    );
    HttpResponse::Ok().json(&*settings)
}

async fn expire_tokens(sandbox: web::Data<SharedSandbox>) -> HttpResponse {
    let expired = sandbox.tokens().expire_all_access_tokens(ids::now_ms());
    HttpResponse::Ok().json(json!({ "expired": expired }))
}

/// Body of `POST /_sandbox/oauth/deny-next`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct DenyNext {
    error: Option<String>,
    error_description: Option<String>,
}

async fn deny_next_authorize(
    sandbox: web::Data<SharedSandbox>,
    body: Option<web::Json<DenyNext>>,
) -> HttpResponse {
    let body = body.map(web::Json::into_inner).unwrap_or(DenyNext {
        error: None,
        error_description: None,
    });
    let denial = super::oauth::Denial {
        error: body.error.unwrap_or_else(|| "access_denied".into()),
        description: body
            .error_description
            .unwrap_or_else(|| "The user denied access to the app.".into()),
    };
    sandbox.tokens().deny_next = Some(denial);
    HttpResponse::NoContent().finish()
}

/// Builds the response body of `GET /_sandbox/portal`: the portal that
/// `/oauth/authorize` connects, and the seeded portals.
fn portal_view(sandbox: &SharedSandbox) -> serde_json::Value {
    let chosen = sandbox.tokens().chosen_portal.unwrap_or(super::PORTAL_ID);
    let portals: Vec<serde_json::Value> = sandbox
        .portals
        .iter()
        .map(|portal| json!({ "portal_id": portal.id, "hub_domain": portal.hub_domain }))
        .collect();
    json!({ "portal_id": chosen, "portals": portals })
}

async fn get_portal(sandbox: web::Data<SharedSandbox>) -> HttpResponse {
    HttpResponse::Ok().json(portal_view(&sandbox))
}

/// Body of `POST /_sandbox/portal`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ChoosePortal {
    portal_id: u64,
}

/// Makes later `/oauth/authorize` requests connect portal `portal_id`, as
/// if the user picked it on HubSpot's account chooser.
async fn choose_portal(
    sandbox: web::Data<SharedSandbox>,
    body: web::Json<ChoosePortal>,
) -> Result<HttpResponse, ApiError> {
    let portal_id = body.portal_id;
    if sandbox.portal(portal_id).is_none() {
        return Err(ApiError::validation(format!(
            "portal_id {portal_id} is not a seeded portal"
        )));
    }
    sandbox.tokens().chosen_portal = Some(portal_id);
    Ok(HttpResponse::Ok().json(portal_view(&sandbox)))
}

/// Query of `POST /_sandbox/reset`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ResetQuery {
    /// Also remove CRM records, associations and booked meetings.
    #[serde(default)]
    data: bool,
}

async fn reset(sandbox: web::Data<SharedSandbox>, query: web::Query<ResetQuery>) -> HttpResponse {
    sandbox.traffic().reset();
    {
        let mut tokens = sandbox.tokens();
        tokens.deny_next = None;
        tokens.chosen_portal = None;
    }
    if query.data {
        for portal in &sandbox.portals {
            let mut world = sandbox.world(portal.id);
            world.crm.clear();
            world.associations = Default::default();
            world.scheduler.clear_bookings();
        }
    }
    HttpResponse::NoContent().finish()
}
