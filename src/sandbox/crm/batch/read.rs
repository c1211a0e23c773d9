//! `POST .../batch/read`.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;
use serde_json::json;

use crate::sandbox::associations::IdValue;
use crate::sandbox::auth;
use crate::sandbox::crm::records::{check_id_property, resolve_id};
use crate::sandbox::crm::render::{Selection, render};
use crate::sandbox::errors::{ApiError, parse_json};
use crate::sandbox::ids;
use crate::sandbox::state::SharedSandbox;

use super::{Object, check_count, respond};

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(crate) struct ReadBody {
    inputs: Vec<ReadInput>,
    #[serde(default)]
    properties: Vec<String>,
    /// Accepted and ignored, because the sandbox keeps no value history.
    #[serde(default, rename = "propertiesWithHistory")]
    _properties_with_history: Vec<String>,
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
    let principal = auth::require_any(&request, &[object.read_scope()])?;
    let body: ReadBody = parse_json(&body)?;
    check_count(body.inputs.len())?;
    let id_property = check_id_property(object, principal.portal_id, body.id_property.as_deref())?;
    let started = ids::now_ms();
    let world = sandbox.world(principal.portal_id);
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
