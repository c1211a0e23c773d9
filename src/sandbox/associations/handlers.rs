//! Single-pair association endpoints.

use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;
use serde_json::{Value, json};

use super::{AssociationSpec, check_spec, missing_record, parse_id, type_list, types};
use crate::sandbox::auth;
use crate::sandbox::crm::ObjectType;
use crate::sandbox::errors::{ApiError, parse_json};
use crate::sandbox::ids;
use crate::sandbox::state::SharedSandbox;

/// Maximum results per page of an association read.
const PAGE_LIMIT: usize = 500;

/// Parses an object type from a path segment.
pub(crate) fn parse_object(text: &str) -> Result<ObjectType, ApiError> {
    ObjectType::parse(text)
        .ok_or_else(|| ApiError::validation(format!("Unable to infer object type from: {text}")))
}

/// Checks that a live record exists and returns its id.
pub(crate) fn existing(
    sandbox: &SharedSandbox,
    portal_id: u64,
    object: ObjectType,
    id_text: &str,
) -> Result<u64, ApiError> {
    let world = sandbox.world(portal_id);
    parse_id(id_text)
        .filter(|id| world.crm.get(object, *id).is_some())
        .ok_or_else(|| missing_record(object, id_text))
}

/// Checks the write scope of either end and returns the caller.
fn require_write(
    request: &HttpRequest,
    from: ObjectType,
    to: ObjectType,
) -> Result<auth::Principal, ApiError> {
    auth::require_any(request, &[from.write_scope(), to.write_scope()])
}

/// `PUT .../associations/default/{toObjectType}/{toObjectId}`: associates
/// with the unlabeled type; repeating it changes nothing.
pub(crate) async fn put_default_association(
    sandbox: web::Data<SharedSandbox>,
    request: HttpRequest,
    path: web::Path<(String, String, String, String)>,
) -> Result<HttpResponse, ApiError> {
    let (from_text, from_id, to_text, to_id) = path.into_inner();
    let (from, to) = (parse_object(&from_text)?, parse_object(&to_text)?);
    let principal = require_write(&request, from, to)?;
    let kind = types::default_type(from, to).ok_or_else(|| {
        ApiError::validation(format!(
            "no default association from {} to {}",
            from.path_name(),
            to.path_name()
        ))
    })?;
    let started = ids::now_ms();
    let from_id = existing(&sandbox, principal.portal_id, from, &from_id)?;
    let to_id = existing(&sandbox, principal.portal_id, to, &to_id)?;
    sandbox.world(principal.portal_id).associations.associate(
        (from, from_id),
        (to, to_id),
        kind.type_id,
    );
    let spec = |type_id: u32| json!({ "associationCategory": "HUBSPOT_DEFINED", "associationTypeId": type_id });
    Ok(HttpResponse::Ok().json(json!({
        "status": "COMPLETE",
        "results": [
            { "from": { "id": from_id.to_string() }, "to": { "id": to_id.to_string() }, "associationSpec": spec(kind.type_id) },
            { "from": { "id": to_id.to_string() }, "to": { "id": from_id.to_string() }, "associationSpec": spec(kind.reverse_id) },
        ],
        "startedAt": ids::iso_ms(started),
        "completedAt": ids::iso_ms(ids::now_ms()),
    })))
}

/// Builds the `LabelsBetweenObjectPair` body of a labelled association.
pub(crate) fn labels_between(
    from: ObjectType,
    from_id: u64,
    to: ObjectType,
    to_id: u64,
    type_ids: &[u32],
) -> Value {
    let labels: Vec<&str> = type_ids
        .iter()
        .filter_map(|type_id| types::label_of(from, to, *type_id))
        .collect();
    json!({
        "fromObjectTypeId": from.type_id(),
        "fromObjectId": from_id.to_string(),
        "toObjectTypeId": to.type_id(),
        "toObjectId": to_id.to_string(),
        "labels": labels,
    })
}

/// `PUT .../associations/{toObjectType}/{toObjectId}` with a body of
/// `AssociationSpec`s.
pub(crate) async fn put_labelled_association(
    sandbox: web::Data<SharedSandbox>,
    request: HttpRequest,
    path: web::Path<(String, String, String, String)>,
    specs: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let (from_text, from_id, to_text, to_id) = path.into_inner();
    let (from, to) = (parse_object(&from_text)?, parse_object(&to_text)?);
    let principal = require_write(&request, from, to)?;
    let specs: Vec<AssociationSpec> = parse_json(&specs)?;
    if specs.is_empty() {
        return Err(ApiError::validation(
            "the body must list at least one association type",
        ));
    }
    let type_ids = specs
        .iter()
        .map(|spec| check_spec(from, to, spec))
        .collect::<Result<Vec<u32>, ApiError>>()?;
    let from_id = existing(&sandbox, principal.portal_id, from, &from_id)?;
    let to_id = existing(&sandbox, principal.portal_id, to, &to_id)?;
    let mut world = sandbox.world(principal.portal_id);
    for type_id in &type_ids {
        world
            .associations
            .associate((from, from_id), (to, to_id), *type_id);
    }
    let stored: Vec<u32> = world
        .associations
        .list((from, from_id), to)
        .into_iter()
        .find(|(id, _)| *id == to_id)
        .map(|(_, ids)| ids)
        .unwrap_or_default();
    Ok(HttpResponse::Created().json(labels_between(from, from_id, to, to_id, &stored)))
}

/// `DELETE .../associations/{toObjectType}/{toObjectId}`: removes every
/// association between the pair. slotchat never calls it.
pub(crate) async fn delete_association(
    sandbox: web::Data<SharedSandbox>,
    request: HttpRequest,
    path: web::Path<(String, String, String, String)>,
) -> Result<HttpResponse, ApiError> {
    let (from_text, from_id, to_text, to_id) = path.into_inner();
    let (from, to) = (parse_object(&from_text)?, parse_object(&to_text)?);
    let principal = require_write(&request, from, to)?;
    let from_id = existing(&sandbox, principal.portal_id, from, &from_id)?;
    let to_id = existing(&sandbox, principal.portal_id, to, &to_id)?;
    sandbox
        .world(principal.portal_id)
        .associations
        .remove_pair((from, from_id), (to, to_id));
    Ok(HttpResponse::NoContent().finish())
}

/// Query of an association read.
#[derive(Debug, Deserialize)]
pub(crate) struct PageQuery {
    limit: Option<usize>,
    after: Option<String>,
}

/// `GET .../associations/{toObjectType}`.
pub(crate) async fn list_associations(
    sandbox: web::Data<SharedSandbox>,
    request: HttpRequest,
    path: web::Path<(String, String, String)>,
    query: web::Query<PageQuery>,
) -> Result<HttpResponse, ApiError> {
    let (from_text, from_id, to_text) = path.into_inner();
    let (from, to) = (parse_object(&from_text)?, parse_object(&to_text)?);
    let principal = auth::require_any(&request, &[from.read_scope(), to.read_scope()])?;
    let from_id = existing(&sandbox, principal.portal_id, from, &from_id)?;
    let limit = query.limit.unwrap_or(PAGE_LIMIT);
    if limit == 0 || limit > PAGE_LIMIT {
        return Err(ApiError::validation(format!(
            "limit must be between 1 and {PAGE_LIMIT}"
        )));
    }
    let offset: usize = match &query.after {
        Some(after) => after.parse().map_err(|_| {
            ApiError::validation(format!("after {after} is not a valid paging cursor"))
        })?,
        None => 0,
    };
    let all = sandbox
        .world(principal.portal_id)
        .associations
        .list((from, from_id), to);
    let page: Vec<Value> = all
        .iter()
        .skip(offset)
        .take(limit)
        .map(|(to_id, type_ids)| json!({ "toObjectId": to_id, "associationTypes": type_list(from, to, type_ids) }))
        .collect();
    let mut body = json!({ "results": page });
    if offset + limit < all.len() {
        body["paging"] = json!({ "next": { "after": (offset + limit).to_string() } });
    }
    Ok(HttpResponse::Ok().json(body))
}
