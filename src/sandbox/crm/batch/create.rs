//! `POST .../batch/create`.

use std::collections::HashSet;

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};

use crate::sandbox::auth;
use crate::sandbox::crm::ObjectType;
use crate::sandbox::crm::render::{Selection, render};
use crate::sandbox::crm::store::Record;
use crate::sandbox::crm::writes::{
    CreateInput, PreparedCreate, WriteClock, commit_create, prepare_create, schedule_auto_company,
};
use crate::sandbox::errors::{ApiError, parse_json};
use crate::sandbox::ids;
use crate::sandbox::state::{SharedSandbox, World};

use super::{Inputs, Object, check_count, has_unique_trace_ids, respond, traced_error};

/// `POST .../batch/create`.
pub(crate) async fn batch_create(
    sandbox: web::Data<SharedSandbox>,
    object: Object,
    request: HttpRequest,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let object = **object;
    let principal = auth::require_any(&request, &[object.write_scope()])?;
    let body: Inputs<CreateInput> = parse_json(&body)?;
    check_count(body.inputs.len())?;
    let started = ids::now_ms();
    let clock = WriteClock::now(&sandbox);
    let per_input = has_unique_trace_ids(
        body.inputs
            .iter()
            .map(|input| input.object_write_trace_id.as_ref()),
    );
    let mut world = sandbox.world(principal.portal_id);
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
            .for_each(|record| schedule_auto_company(&sandbox, principal.portal_id, record));
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
