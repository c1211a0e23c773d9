//! Batch association endpoints under `/crm/v4/associations/{from}/{to}/batch`.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;
use serde_json::{Value, json};

use super::handlers::{labels_between, parse_object};
use super::{AssociationSpec, IdRef, check_spec, parse_id, type_list, types};
use crate::sandbox::auth;
use crate::sandbox::crm::ObjectType;
use crate::sandbox::errors::{ApiError, parse_json};
use crate::sandbox::ids;
use crate::sandbox::state::SharedSandbox;

/// Maximum inputs per association batch.
const MAX_INPUTS: usize = 100;

/// `{ "inputs": [...] }`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Inputs<T> {
    inputs: Vec<T>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct PairInput {
    from: IdRef,
    to: IdRef,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct LabelledInput {
    from: IdRef,
    to: IdRef,
    types: Vec<AssociationSpec>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ReadInput {
    id: super::IdValue,
    /// Accepted and ignored, because a batch read returns every association
    /// of the record in one page.
    #[serde(rename = "after")]
    _after: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ArchiveInput {
    from: IdRef,
    to: Vec<IdRef>,
}

type Path = web::Path<(String, String)>;

fn objects(path: Path) -> Result<(ObjectType, ObjectType), ApiError> {
    let (from, to) = path.into_inner();
    Ok((parse_object(&from)?, parse_object(&to)?))
}

fn check_count(count: usize) -> Result<(), ApiError> {
    if count > MAX_INPUTS {
        return Err(ApiError::validation(format!(
            "too many inputs: {count}; a batch takes at most {MAX_INPUTS}"
        )));
    }
    Ok(())
}

/// Resolves both ends of a pair to live record ids.
fn resolve_pair(
    sandbox: &SharedSandbox,
    portal_id: u64,
    from: ObjectType,
    to: ObjectType,
    pair: (&IdRef, &IdRef),
) -> Result<(u64, u64), ApiError> {
    let world = sandbox.world(portal_id);
    let resolve = |object: ObjectType, id: &IdRef| {
        let text = id.id.as_text();
        parse_id(&text)
            .filter(|id| world.crm.get(object, *id).is_some())
            .ok_or_else(|| super::missing_record(object, &text))
    };
    Ok((resolve(from, pair.0)?, resolve(to, pair.1)?))
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

/// `POST .../batch/associate/default`.
pub(crate) async fn batch_associate_default(
    sandbox: web::Data<SharedSandbox>,
    request: HttpRequest,
    path: Path,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let (from, to) = objects(path)?;
    let principal = auth::require_any(&request, &[from.write_scope(), to.write_scope()])?;
    let body: Inputs<PairInput> = parse_json(&body)?;
    check_count(body.inputs.len())?;
    let kind = types::default_type(from, to).ok_or_else(|| {
        ApiError::validation(format!(
            "no default association from {} to {}",
            from.path_name(),
            to.path_name()
        ))
    })?;
    let started = ids::now_ms();
    let mut results = Vec::new();
    let mut errors = Vec::new();
    for input in &body.inputs {
        match resolve_pair(
            &sandbox,
            principal.portal_id,
            from,
            to,
            (&input.from, &input.to),
        ) {
            Ok((from_id, to_id)) => {
                sandbox.world(principal.portal_id).associations.associate(
                    (from, from_id),
                    (to, to_id),
                    kind.type_id,
                );
                results.push(json!({
                    "from": { "id": from_id.to_string() },
                    "to": { "id": to_id.to_string() },
                    "associationSpec": { "associationCategory": "HUBSPOT_DEFINED", "associationTypeId": kind.type_id },
                }));
            }
            Err(error) => errors.push(error.as_standard_error()),
        }
    }
    Ok(HttpResponse::Ok().json(batch_body(results, errors, started)))
}

/// `POST .../batch/create`.
pub(crate) async fn batch_create_associations(
    sandbox: web::Data<SharedSandbox>,
    request: HttpRequest,
    path: Path,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let (from, to) = objects(path)?;
    let principal = auth::require_any(&request, &[from.write_scope(), to.write_scope()])?;
    let body: Inputs<LabelledInput> = parse_json(&body)?;
    check_count(body.inputs.len())?;
    let started = ids::now_ms();
    let mut results = Vec::new();
    let mut errors = Vec::new();
    for input in &body.inputs {
        let outcome = input
            .types
            .iter()
            .map(|spec| check_spec(from, to, spec))
            .collect::<Result<Vec<u32>, ApiError>>()
            .and_then(|type_ids| {
                Ok((
                    type_ids,
                    resolve_pair(
                        &sandbox,
                        principal.portal_id,
                        from,
                        to,
                        (&input.from, &input.to),
                    )?,
                ))
            });
        match outcome {
            Ok((type_ids, (from_id, to_id))) => {
                let mut world = sandbox.world(principal.portal_id);
                for type_id in &type_ids {
                    world
                        .associations
                        .associate((from, from_id), (to, to_id), *type_id);
                }
                let stored = world
                    .associations
                    .list((from, from_id), to)
                    .into_iter()
                    .find(|(id, _)| *id == to_id)
                    .map(|(_, ids)| ids)
                    .unwrap_or_default();
                results.push(labels_between(from, from_id, to, to_id, &stored));
            }
            Err(error) => errors.push(error.as_standard_error()),
        }
    }
    let status = if errors.is_empty() {
        StatusCode::CREATED
    } else {
        StatusCode::MULTI_STATUS
    };
    Ok(HttpResponse::build(status).json(batch_body(results, errors, started)))
}

/// `POST .../batch/read`: ids without associations of that type are
/// reported as errors in a 207.
pub(crate) async fn batch_read_associations(
    sandbox: web::Data<SharedSandbox>,
    request: HttpRequest,
    path: Path,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let (from, to) = objects(path)?;
    let principal = auth::require_any(&request, &[from.read_scope(), to.read_scope()])?;
    let body: Inputs<ReadInput> = parse_json(&body)?;
    check_count(body.inputs.len())?;
    let started = ids::now_ms();
    let world = sandbox.world(principal.portal_id);
    let mut results = Vec::new();
    let mut errors = Vec::new();
    for input in &body.inputs {
        let text = input.id.as_text();
        let list = parse_id(&text)
            .map(|id| world.associations.list((from, id), to))
            .unwrap_or_default();
        if list.is_empty() {
            errors.push(json!({
                "status": "error",
                "category": "OBJECT_NOT_FOUND",
                "subCategory": "crm.associations.NO_ASSOCIATIONS_FOUND",
                "message": format!("No {} is associated with {} {text}.", to.upper_singular(), from.upper_singular()),
                "context": { "fromObjectId": [text] },
                "errors": [],
                "links": {},
            }));
            continue;
        }
        let to_items: Vec<Value> = list
            .iter()
            .map(|(to_id, type_ids)| json!({ "toObjectId": to_id, "associationTypes": type_list(from, to, type_ids) }))
            .collect();
        results.push(json!({ "from": { "id": text }, "to": to_items }));
    }
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::MULTI_STATUS
    };
    Ok(HttpResponse::build(status).json(batch_body(results, errors, started)))
}

/// `POST .../batch/archive`: removes all associations of each pair.
pub(crate) async fn batch_archive_associations(
    sandbox: web::Data<SharedSandbox>,
    request: HttpRequest,
    path: Path,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let (from, to) = objects(path)?;
    let principal = auth::require_any(&request, &[from.write_scope(), to.write_scope()])?;
    let body: Inputs<ArchiveInput> = parse_json(&body)?;
    check_count(body.inputs.len())?;
    let mut world = sandbox.world(principal.portal_id);
    for input in &body.inputs {
        let Some(from_id) = parse_id(&input.from.id.as_text()) else {
            continue;
        };
        for target in &input.to {
            if let Some(to_id) = parse_id(&target.id.as_text()) {
                world.associations.remove_pair((from, from_id), (to, to_id));
            }
        }
    }
    Ok(HttpResponse::NoContent().finish())
}

/// `POST .../batch/labels/archive`: removes the named types of each pair.
pub(crate) async fn batch_archive_labels(
    sandbox: web::Data<SharedSandbox>,
    request: HttpRequest,
    path: Path,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let (from, to) = objects(path)?;
    let principal = auth::require_any(&request, &[from.write_scope(), to.write_scope()])?;
    let body: Inputs<LabelledInput> = parse_json(&body)?;
    check_count(body.inputs.len())?;
    let mut world = sandbox.world(principal.portal_id);
    for input in &body.inputs {
        let (Some(from_id), Some(to_id)) = (
            parse_id(&input.from.id.as_text()),
            parse_id(&input.to.id.as_text()),
        ) else {
            continue;
        };
        let type_ids: Vec<u32> = input
            .types
            .iter()
            .map(|spec| spec.association_type_id)
            .collect();
        world
            .associations
            .remove_types((from, from_id), (to, to_id), &type_ids);
    }
    Ok(HttpResponse::NoContent().finish())
}
