//! Batch record endpoints: read, create, update, upsert and archive.
//!
//! A batch returns 207 with per-input errors only when every input carries
//! a unique `objectWriteTraceId`; otherwise the first error fails the whole
//! batch and nothing is written.

mod create;
mod read;
mod update;
mod upsert;

pub(crate) use create::batch_create;
pub(crate) use read::batch_read;
pub(crate) use update::batch_update;
pub(crate) use upsert::batch_upsert;

use std::collections::HashSet;

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;
use serde_json::{Value, json};

use super::ObjectType;
use super::writes::WriteClock;
use crate::sandbox::associations::IdValue;
use crate::sandbox::auth;
use crate::sandbox::errors::{ApiError, parse_json};
use crate::sandbox::ids;
use crate::sandbox::state::SharedSandbox;

/// Maximum inputs per batch.
const MAX_INPUTS: usize = 100;

pub(super) type Object = web::Data<ObjectType>;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Inputs<T> {
    pub(super) inputs: Vec<T>,
}

pub(super) fn check_count(count: usize) -> Result<(), ApiError> {
    if count > MAX_INPUTS {
        return Err(ApiError::validation(format!(
            "Too many inputs: {count}; a batch takes at most {MAX_INPUTS}"
        )));
    }
    Ok(())
}

/// Checks that every input has a trace id and no two are equal.
pub(super) fn has_unique_trace_ids<'a>(
    trace_ids: impl Iterator<Item = Option<&'a String>>,
) -> bool {
    let mut seen = HashSet::new();
    for trace_id in trace_ids {
        match trace_id {
            Some(trace_id) if seen.insert(trace_id.clone()) => {}
            _ => return false,
        }
    }
    true
}

fn batch_body(results: Vec<Value>, errors: Vec<Value>, started: i64) -> Value {
    let mut body = json!({
        "status": "COMPLETE",
        "results": results,
        "startedAt": ids::iso_ms(started),
        "completedAt": ids::iso_ms(ids::now_ms()),
    });
    if !errors.is_empty() {
        body["numErrors"] = json!(errors.len());
        body["errors"] = Value::Array(errors);
    }
    body
}

pub(super) fn traced_error(error: &ApiError, trace_id: Option<&String>) -> Value {
    let mut value = error.as_standard_error();
    if let Some(trace_id) = trace_id {
        value["context"]["objectWriteTraceId"] = json!([trace_id]);
    }
    value
}

pub(super) fn respond(
    success: StatusCode,
    results: Vec<Value>,
    errors: Vec<Value>,
    started: i64,
) -> HttpResponse {
    let status = if errors.is_empty() {
        success
    } else {
        StatusCode::MULTI_STATUS
    };
    HttpResponse::build(status).json(batch_body(results, errors, started))
}

pub(super) fn check_unique_ids(ids: impl Iterator<Item = String>) -> Result<(), ApiError> {
    let mut seen = HashSet::new();
    for id in ids {
        if !seen.insert(id.to_lowercase()) {
            return Err(ApiError::validation(format!(
                "Duplicate IDs found in batch input: {id}"
            )));
        }
    }
    Ok(())
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ArchiveInput {
    id: IdValue,
}

/// `POST .../batch/archive`. slotchat never calls it.
pub(crate) async fn batch_archive(
    sandbox: web::Data<SharedSandbox>,
    object: Object,
    request: HttpRequest,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let object = **object;
    let principal = auth::require_any(&request, &[object.write_scope()])?;
    let body: Inputs<ArchiveInput> = parse_json(&body)?;
    check_count(body.inputs.len())?;
    let clock = WriteClock::now(&sandbox);
    let mut world = sandbox.world(principal.portal_id);
    for input in &body.inputs {
        if let Ok(id) = input.id.as_text().trim().parse::<u64>() {
            world.crm.archive(object, id, clock.now_ms, clock.lag_ms);
        }
    }
    Ok(HttpResponse::NoContent().finish())
}
