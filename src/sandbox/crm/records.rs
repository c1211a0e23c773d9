//! Single-record endpoints: create, read, list, update and archive.

use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;
use serde_json::{Map, Value, json};

use super::ObjectType;
use super::properties;
use super::render::{Selection, render, split_names};
use super::writes::{
    CreateInput, WriteClock, create_record_in, schedule_auto_company, update_record_in,
};
use crate::sandbox::associations::record_associations;
use crate::sandbox::auth;
use crate::sandbox::errors::{ApiError, parse_json};
use crate::sandbox::state::{SharedSandbox, World};

/// Maximum records per page of a list.
const LIST_LIMIT: usize = 100;

type Object = web::Data<ObjectType>;

/// Builds the 400 for an `idProperty` that is not a unique-value property.
pub(crate) fn non_unique_id_property(object: ObjectType, name: &str, portal_id: u64) -> ApiError {
    ApiError::validation(format!(
        "Unable to perform update/upsert by non-unique {} property {name} in portal ID {portal_id}",
        object.type_id(),
    ))
}

/// Checks an `idProperty`: `None` means the record id; otherwise it must
/// name a property with unique values (`email` on contacts).
pub(crate) fn check_id_property(
    object: ObjectType,
    portal_id: u64,
    id_property: Option<&str>,
) -> Result<Option<&'static str>, ApiError> {
    let Some(name) = id_property.filter(|name| !name.is_empty()) else {
        return Ok(None);
    };
    match properties::find(object, name) {
        Some(definition) if definition.unique => Ok(Some(definition.name)),
        Some(_) => Err(non_unique_id_property(object, name, portal_id)),
        None => Err(ApiError::validation(format!(
            "Property \"{name}\" does not exist"
        ))),
    }
}

/// Resolves a path id (a record id, or a unique value with `idProperty`).
pub(crate) fn resolve_id(
    world: &World,
    object: ObjectType,
    id_text: &str,
    id_property: Option<&str>,
) -> Option<u64> {
    match id_property {
        Some("email") => world.crm.find_contact_by_email(id_text),
        _ => id_text
            .trim()
            .parse()
            .ok()
            .filter(|id| world.crm.get(object, *id).is_some()),
    }
}

/// `POST /crm/v3/objects/{objectType}`.
pub(crate) async fn create_record(
    sandbox: web::Data<SharedSandbox>,
    object: Object,
    request: HttpRequest,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let object = **object;
    let principal = auth::require_any(&request, &[object.write_scope()])?;
    let body: CreateInput = parse_json(&body)?;
    let clock = WriteClock::now(&sandbox);
    let record = create_record_in(
        &mut sandbox.world(principal.portal_id),
        object,
        &body,
        clock,
    )?;
    if object == ObjectType::Contacts {
        schedule_auto_company(&sandbox, principal.portal_id, &record);
    }
    tracing::debug!(
        object = object.path_name(),
        record_id = record.id,
        "sandbox record created"
    );
    Ok(HttpResponse::Created().json(render(object, &record, Selection::All)))
}

/// Query of a record read.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct ReadQuery {
    properties: Option<String>,
    properties_with_history: Option<String>,
    associations: Option<String>,
    #[serde(default)]
    archived: bool,
    id_property: Option<String>,
}

/// `GET /crm/v3/objects/{objectType}/{id}`.
pub(crate) async fn get_record(
    sandbox: web::Data<SharedSandbox>,
    object: Object,
    request: HttpRequest,
    id: web::Path<String>,
    query: web::Query<ReadQuery>,
) -> Result<HttpResponse, ApiError> {
    let object = **object;
    let principal = auth::require_any(&request, &[object.read_scope()])?;
    let id_property = check_id_property(object, principal.portal_id, query.id_property.as_deref())?;
    let world = sandbox.world(principal.portal_id);
    let record = if query.archived && id_property.is_none() {
        id.trim()
            .parse()
            .ok()
            .and_then(|id| world.crm.get_any(object, id))
    } else {
        resolve_id(&world, object, &id, id_property).and_then(|id| world.crm.get(object, id))
    };
    let record = record.ok_or_else(ApiError::not_found)?;
    let names = split_names(query.properties.as_deref());
    let mut body = render(object, record, Selection::from_names(&names));
    let history_names = split_names(query.properties_with_history.as_deref());
    if !history_names.is_empty() {
        body["propertiesWithHistory"] = history(object, record, &history_names);
    }
    let association_names = split_names(query.associations.as_deref());
    if let Some(associations) =
        record_associations(&world.associations, (object, record.id), &association_names)
    {
        body["associations"] = associations;
    }
    Ok(HttpResponse::Ok().json(body))
}

/// NOTE: the sandbox keeps no value history; each requested property lists
/// only its current value.
fn history(object: ObjectType, record: &super::store::Record, names: &[String]) -> Value {
    let mut map = Map::new();
    for name in names
        .iter()
        .filter(|name| properties::find(object, name).is_some())
    {
        let entries = match record.properties.get(name) {
            Some(value) => json!([{
                "value": value,
                "timestamp": crate::sandbox::ids::iso_ms(record.updated_at_ms),
                "sourceType": "API",
            }]),
            None => json!([]),
        };
        map.insert(name.clone(), entries);
    }
    Value::Object(map)
}

/// Query of a record list.
#[derive(Debug, Deserialize)]
pub(crate) struct ListQuery {
    limit: Option<usize>,
    after: Option<String>,
    properties: Option<String>,
    #[serde(default)]
    archived: bool,
}

/// `GET /crm/v3/objects/{objectType}`.
pub(crate) async fn list_records(
    sandbox: web::Data<SharedSandbox>,
    object: Object,
    request: HttpRequest,
    query: web::Query<ListQuery>,
) -> Result<HttpResponse, ApiError> {
    let object = **object;
    let principal = auth::require_any(&request, &[object.read_scope()])?;
    let limit = query.limit.unwrap_or(10);
    if limit == 0 || limit > LIST_LIMIT {
        return Err(ApiError::validation(format!(
            "limit must be between 1 and {LIST_LIMIT}"
        )));
    }
    let after: u64 = match &query.after {
        Some(after) => after.parse().map_err(|_| {
            ApiError::validation(format!("after {after} is not a valid paging cursor"))
        })?,
        None => 0,
    };
    let names = split_names(query.properties.as_deref());
    let world = sandbox.world(principal.portal_id);
    let mut matching = world
        .crm
        .all(object)
        .filter(|record| record.archived == query.archived && record.id > after);
    let page: Vec<&super::store::Record> = matching.by_ref().take(limit).collect();
    let more = matching.next().is_some();
    let results: Vec<Value> = page
        .iter()
        .map(|record| render(object, record, Selection::from_names(&names)))
        .collect();
    let mut body = json!({ "results": results });
    if let (true, Some(last)) = (more, page.last()) {
        body["paging"] = json!({ "next": { "after": last.id.to_string() } });
    }
    Ok(HttpResponse::Ok().json(body))
}

/// Body of a record update.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(crate) struct UpdateInput {
    properties: Map<String, Value>,
    /// Accepted and ignored: it only matters inside batches.
    #[serde(rename = "objectWriteTraceId")]
    _object_write_trace_id: Option<String>,
}

/// Query of a record update.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct UpdateQuery {
    id_property: Option<String>,
}

/// `PATCH /crm/v3/objects/{objectType}/{id}`.
pub(crate) async fn update_record(
    sandbox: web::Data<SharedSandbox>,
    object: Object,
    request: HttpRequest,
    id: web::Path<String>,
    query: web::Query<UpdateQuery>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let object = **object;
    let principal = auth::require_any(&request, &[object.write_scope()])?;
    let body: UpdateInput = parse_json(&body)?;
    let id_property = check_id_property(object, principal.portal_id, query.id_property.as_deref())?;
    let clock = WriteClock::now(&sandbox);
    let mut world = sandbox.world(principal.portal_id);
    let record_id = resolve_id(&world, object, &id, id_property).ok_or_else(ApiError::not_found)?;
    let record = update_record_in(&mut world, object, record_id, &body.properties, clock)?;
    Ok(HttpResponse::Ok().json(render(object, &record, Selection::All)))
}

/// `DELETE /crm/v3/objects/{objectType}/{id}`: archives the record.
/// slotchat never calls it; its tests watch the request log for it.
pub(crate) async fn archive_record(
    sandbox: web::Data<SharedSandbox>,
    object: Object,
    request: HttpRequest,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let object = **object;
    let principal = auth::require_any(&request, &[object.write_scope()])?;
    let clock = WriteClock::now(&sandbox);
    if let Ok(id) = id.trim().parse::<u64>() {
        sandbox
            .world(principal.portal_id)
            .crm
            .archive(object, id, clock.now_ms, clock.lag_ms);
    }
    // HubSpot returns 204 for an unknown id too.
    Ok(HttpResponse::NoContent().finish())
}
