//! `POST .../batch/upsert`.

use std::collections::HashSet;

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;
use serde_json::{Map, Value, json};

use crate::sandbox::associations::IdValue;
use crate::sandbox::auth;
use crate::sandbox::crm::ObjectType;
use crate::sandbox::crm::records::{check_id_property, resolve_id};
use crate::sandbox::crm::render::{Selection, render};
use crate::sandbox::crm::store::Record;
use crate::sandbox::crm::writes::{
    CreateInput, PreparedCreate, PreparedUpdate, WriteClock, commit_create, commit_update,
    prepare_create, prepare_update, schedule_auto_company,
};
use crate::sandbox::errors::{ApiError, parse_json};
use crate::sandbox::ids;
use crate::sandbox::state::{SharedSandbox, World};

use super::{
    Inputs, Object, check_count, check_unique_ids, has_unique_trace_ids, respond, traced_error,
};

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
    let id_property = check_id_property(object, world.portal_id, input.id_property.as_deref())?
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
    let principal = auth::require_any(&request, &[object.write_scope()])?;
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
    let mut world = sandbox.world(principal.portal_id);
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
            schedule_auto_company(&sandbox, principal.portal_id, record);
        }
        let mut value = render(object, record, Selection::All);
        value["new"] = json!(created);
        results.push(value);
    }
    Ok(respond(StatusCode::OK, results, errors, started))
}
