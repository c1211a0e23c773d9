//! Batch record endpoints: read, create, update, upsert and archive.
//!
//! A batch answers 207 with per-input errors only when every input carries
//! a unique `objectWriteTraceId`; otherwise the first error fails the whole
//! batch and nothing is written.

use std::collections::HashSet;

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;
use serde_json::{Map, Value, json};

use super::ObjectType;
use super::records::{check_id_property, non_unique_id_property, resolve_id};
use super::render::{Selection, render};
use super::store::Record;
use super::writes::{
    CreateInput, PreparedCreate, PreparedUpdate, WriteClock, commit_create, commit_update,
    prepare_create, prepare_update, schedule_auto_company,
};
use crate::sandbox::associations::IdValue;
use crate::sandbox::auth;
use crate::sandbox::errors::{ApiError, parse_json};
use crate::sandbox::ids;
use crate::sandbox::state::{SharedSandbox, World};

/// Most inputs per batch.
const MAX_INPUTS: usize = 100;

type Object = web::Data<ObjectType>;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Inputs<T> {
    inputs: Vec<T>,
}

fn check_count(count: usize) -> Result<(), ApiError> {
    if count > MAX_INPUTS {
        return Err(ApiError::validation(format!(
            "Too many inputs: {count}; a batch takes at most {MAX_INPUTS}"
        )));
    }
    Ok(())
}

/// Whether every input has a trace id and no two are equal.
fn has_unique_trace_ids<'a>(trace_ids: impl Iterator<Item = Option<&'a String>>) -> bool {
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

fn traced_error(error: &ApiError, trace_id: Option<&String>) -> Value {
    let mut value = error.as_standard_error();
    if let Some(trace_id) = trace_id {
        value["context"]["objectWriteTraceId"] = json!([trace_id]);
    }
    value
}

fn respond(
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

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(crate) struct ReadBody {
    inputs: Vec<ReadInput>,
    #[serde(default)]
    properties: Vec<String>,
    #[serde(default)]
    properties_with_history: Vec<String>,
    id_property: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ReadInput {
    id: IdValue,
}

/// `POST .../batch/read`: unknown ids are listed in one 207 error.
pub(crate) async fn batch_read(
    sandbox: web::Data<SharedSandbox>,
    object: Object,
    request: HttpRequest,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let object = **object;
    auth::require_any(&request, &[object.read_scope()])?;
    let body: ReadBody = parse_json(&body)?;
    check_count(body.inputs.len())?;
    let id_property = check_id_property(object, body.id_property.as_deref())?;
    let _ = &body.properties_with_history;
    let started = ids::now_ms();
    let world = sandbox.world();
    let mut results = Vec::new();
    let mut missing = Vec::new();
    for input in &body.inputs {
        let text = input.id.as_text();
        match resolve_id(&world, object, &text, id_property)
            .and_then(|id| world.crm.get(object, id))
        {
            Some(record) => results.push(render(
                object,
                record,
                Selection::from_names(&body.properties),
            )),
            None => missing.push(text),
        }
    }
    let mut errors = Vec::new();
    if !missing.is_empty() {
        errors.push(json!({
            "status": "error",
            "category": "OBJECT_NOT_FOUND",
            "message": format!("Could not get some {} objects, they may be deleted or not exist. Check that ids are valid.", object.upper_singular()),
            "context": { "ids": missing },
            "errors": [],
            "links": {},
        }));
    }
    Ok(respond(StatusCode::OK, results, errors, started))
}

/// `POST .../batch/create`.
pub(crate) async fn batch_create(
    sandbox: web::Data<SharedSandbox>,
    object: Object,
    request: HttpRequest,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let object = **object;
    auth::require_any(&request, &[object.write_scope()])?;
    let body: Inputs<CreateInput> = parse_json(&body)?;
    check_count(body.inputs.len())?;
    let started = ids::now_ms();
    let clock = WriteClock::now(&sandbox);
    let per_input = has_unique_trace_ids(
        body.inputs
            .iter()
            .map(|input| input.object_write_trace_id.as_ref()),
    );
    let mut world = sandbox.world();
    let mut created: Vec<Record> = Vec::new();
    let mut errors = Vec::new();
    if per_input {
        let mut emails = HashSet::new();
        for input in &body.inputs {
            match prepare_create(&world, object, input, &emails) {
                Ok(prepared) => {
                    emails.extend(prepared.email().cloned());
                    created.push(commit_create(&mut world, prepared, clock));
                }
                Err(error) => {
                    errors.push(traced_error(&error, input.object_write_trace_id.as_ref()))
                }
            }
        }
    } else {
        let prepared = prepare_all_creates(&world, object, &body.inputs)?;
        created = prepared
            .into_iter()
            .map(|prepared| commit_create(&mut world, prepared, clock))
            .collect();
    }
    drop(world);
    if object == ObjectType::Contacts {
        created
            .iter()
            .for_each(|record| schedule_auto_company(&sandbox, record));
    }
    let results = created
        .iter()
        .map(|record| render(object, record, Selection::All))
        .collect();
    Ok(respond(StatusCode::CREATED, results, errors, started))
}

fn prepare_all_creates(
    world: &World,
    object: ObjectType,
    inputs: &[CreateInput],
) -> Result<Vec<PreparedCreate>, ApiError> {
    let mut emails = HashSet::new();
    let mut prepared_all = Vec::new();
    for input in inputs {
        let prepared = prepare_create(world, object, input, &emails)?;
        emails.extend(prepared.email().cloned());
        prepared_all.push(prepared);
    }
    Ok(prepared_all)
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(crate) struct UpdateInput {
    id: IdValue,
    properties: Map<String, Value>,
    id_property: Option<String>,
    object_write_trace_id: Option<String>,
}

fn check_unique_ids(ids: impl Iterator<Item = String>) -> Result<(), ApiError> {
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

/// `POST .../batch/update`: inputs name records by id; an `idProperty`
/// (even `email`) is rejected as non-unique, as HubSpot does.
pub(crate) async fn batch_update(
    sandbox: web::Data<SharedSandbox>,
    object: Object,
    request: HttpRequest,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let object = **object;
    auth::require_any(&request, &[object.write_scope()])?;
    let body: Inputs<UpdateInput> = parse_json(&body)?;
    check_count(body.inputs.len())?;
    if let Some(name) = body
        .inputs
        .iter()
        .find_map(|input| input.id_property.as_deref())
    {
        return Err(non_unique_id_property(object, name));
    }
    check_unique_ids(body.inputs.iter().map(|input| input.id.as_text()))?;
    let started = ids::now_ms();
    let clock = WriteClock::now(&sandbox);
    let per_input = has_unique_trace_ids(
        body.inputs
            .iter()
            .map(|input| input.object_write_trace_id.as_ref()),
    );
    let mut world = sandbox.world();
    let mut results = Vec::new();
    let mut errors = Vec::new();
    let mut emails = HashSet::new();
    let mut prepared_all: Vec<PreparedUpdate> = Vec::new();
    for input in &body.inputs {
        let outcome = input
            .id
            .as_text()
            .trim()
            .parse::<u64>()
            .map_err(|_| ApiError::not_found())
            .and_then(|id| prepare_update(&world, object, id, &input.properties, &emails));
        match outcome {
            Ok(prepared) => {
                emails.extend(prepared.email().cloned());
                if per_input {
                    results.push(render(
                        object,
                        &commit_update(&mut world, prepared, clock),
                        Selection::All,
                    ));
                } else {
                    prepared_all.push(prepared);
                }
            }
            Err(error) if per_input => {
                errors.push(traced_error(&error, input.object_write_trace_id.as_ref()))
            }
            Err(error) => return Err(error),
        }
    }
    for prepared in prepared_all {
        results.push(render(
            object,
            &commit_update(&mut world, prepared, clock),
            Selection::All,
        ));
    }
    Ok(respond(StatusCode::OK, results, errors, started))
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(crate) struct UpsertInput {
    id: IdValue,
    id_property: Option<String>,
    properties: Map<String, Value>,
    object_write_trace_id: Option<String>,
}

/// A checked upsert input: an update of an existing record or a create.
enum PreparedUpsert {
    Update(PreparedUpdate),
    Create(PreparedCreate),
}

fn prepare_upsert(
    world: &World,
    object: ObjectType,
    input: &UpsertInput,
    emails: &HashSet<String>,
) -> Result<PreparedUpsert, ApiError> {
    let id_property = check_id_property(object, input.id_property.as_deref())?
        .ok_or_else(|| ApiError::validation("idProperty is required for batch upsert; name a unique-value property such as email"))?;
    let unique_value = input.id.as_text();
    match resolve_id(world, object, &unique_value, Some(id_property)) {
        Some(id) => {
            prepare_update(world, object, id, &input.properties, emails).map(PreparedUpsert::Update)
        }
        None => {
            let mut properties = input.properties.clone();
            properties
                .entry(id_property.to_string())
                .or_insert(Value::String(unique_value));
            let create = CreateInput {
                properties,
                associations: Vec::new(),
                object_write_trace_id: None,
            };
            prepare_create(world, object, &create, emails).map(PreparedUpsert::Create)
        }
    }
}

impl PreparedUpsert {
    fn email(&self) -> Option<&String> {
        match self {
            PreparedUpsert::Update(update) => update.email(),
            PreparedUpsert::Create(create) => create.email(),
        }
    }
}

fn commit_upsert(world: &mut World, prepared: PreparedUpsert, clock: WriteClock) -> (Record, bool) {
    match prepared {
        PreparedUpsert::Update(update) => (commit_update(world, update, clock), false),
        PreparedUpsert::Create(create) => (commit_create(world, create, clock), true),
    }
}

/// `POST .../batch/upsert`: creates or updates by a unique property
/// (`email` on contacts) and marks each result with `new`.
pub(crate) async fn batch_upsert(
    sandbox: web::Data<SharedSandbox>,
    object: Object,
    request: HttpRequest,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let object = **object;
    auth::require_any(&request, &[object.write_scope()])?;
    let body: Inputs<UpsertInput> = parse_json(&body)?;
    check_count(body.inputs.len())?;
    check_unique_ids(body.inputs.iter().map(|input| input.id.as_text()))?;
    let started = ids::now_ms();
    let clock = WriteClock::now(&sandbox);
    let per_input = has_unique_trace_ids(
        body.inputs
            .iter()
            .map(|input| input.object_write_trace_id.as_ref()),
    );
    let mut world = sandbox.world();
    let mut emails = HashSet::new();
    let mut pending = Vec::new();
    let mut written: Vec<(Record, bool)> = Vec::new();
    let mut errors = Vec::new();
    for input in &body.inputs {
        match prepare_upsert(&world, object, input, &emails) {
            Ok(prepared) => {
                emails.extend(prepared.email().cloned());
                if per_input {
                    written.push(commit_upsert(&mut world, prepared, clock));
                } else {
                    pending.push(prepared);
                }
            }
            Err(error) if per_input => {
                errors.push(traced_error(&error, input.object_write_trace_id.as_ref()))
            }
            Err(error) => return Err(error),
        }
    }
    for prepared in pending {
        written.push(commit_upsert(&mut world, prepared, clock));
    }
    drop(world);
    let mut results = Vec::new();
    for (record, created) in &written {
        if *created && object == ObjectType::Contacts {
            schedule_auto_company(&sandbox, record);
        }
        let mut value = render(object, record, Selection::All);
        value["new"] = json!(created);
        results.push(value);
    }
    Ok(respond(StatusCode::OK, results, errors, started))
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
    auth::require_any(&request, &[object.write_scope()])?;
    let body: Inputs<ArchiveInput> = parse_json(&body)?;
    check_count(body.inputs.len())?;
    let clock = WriteClock::now(&sandbox);
    let mut world = sandbox.world();
    for input in &body.inputs {
        if let Ok(id) = input.id.as_text().trim().parse::<u64>() {
            world.crm.archive(object, id, clock.now_ms, clock.lag_ms);
        }
    }
    Ok(HttpResponse::NoContent().finish())
}
