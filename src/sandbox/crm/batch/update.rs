//! `POST .../batch/update`.

use std::collections::HashSet;

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;
use serde_json::{Map, Value};

use crate::sandbox::associations::IdValue;
use crate::sandbox::auth;
use crate::sandbox::crm::records::non_unique_id_property;
use crate::sandbox::crm::render::{Selection, render};
use crate::sandbox::crm::writes::{PreparedUpdate, WriteClock, commit_update, prepare_update};
use crate::sandbox::errors::{ApiError, parse_json};
use crate::sandbox::ids;
use crate::sandbox::state::SharedSandbox;

use super::{
    Inputs, Object, check_count, check_unique_ids, has_unique_trace_ids, respond, traced_error,
};

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(crate) struct UpdateInput {
    id: IdValue,
    properties: Map<String, Value>,
    id_property: Option<String>,
    object_write_trace_id: Option<String>,
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
    let principal = auth::require_any(&request, &[object.write_scope()])?;
    let body: Inputs<UpdateInput> = parse_json(&body)?;
    check_count(body.inputs.len())?;
    if let Some(name) = body
        .inputs
        .iter()
        .find_map(|input| input.id_property.as_deref())
    {
        return Err(non_unique_id_property(object, name, principal.portal_id));
    }
    check_unique_ids(body.inputs.iter().map(|input| input.id.as_text()))?;
    let started = ids::now_ms();
    let clock = WriteClock::now(&sandbox);
    let per_input = has_unique_trace_ids(
        body.inputs
            .iter()
            .map(|input| input.object_write_trace_id.as_ref()),
    );
    let mut world = sandbox.world(principal.portal_id);
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
