//! Associations v4: default and labelled associations between records,
//! reads, batch endpoints, and associations sent with record creates.

mod batch;
mod handlers;
mod store;
pub(crate) mod types;

use actix_web::web;
use serde::Deserialize;
use serde_json::{Value, json};

pub(crate) use store::AssociationStore;

use crate::sandbox::crm::{CrmStore, ObjectType};
use crate::sandbox::errors::ApiError;

/// `AssociationSpec` as requests send it.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(crate) struct AssociationSpec {
    pub association_category: String,
    pub association_type_id: u32,
}

/// A record reference `{ "id": "..." }`; HubSpot accepts the id as a string
/// or a number.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct IdRef {
    pub id: IdValue,
}

/// A record id sent as a JSON string or number.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub(crate) enum IdValue {
    Text(String),
    Number(u64),
}

impl IdValue {
    pub(crate) fn as_text(&self) -> String {
        match self {
            IdValue::Text(text) => text.clone(),
            IdValue::Number(number) => number.to_string(),
        }
    }
}

/// One item of `associations[]` on a record create.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct CreateAssociation {
    pub to: IdRef,
    pub types: Vec<AssociationSpec>,
}

/// Parses a record id from a path or body.
pub(crate) fn parse_id(text: &str) -> Option<u64> {
    text.trim().parse().ok()
}

/// Checks that `spec` is a HubSpot-defined type from `from` to `to`.
pub(crate) fn check_spec(
    from: ObjectType,
    to: ObjectType,
    spec: &AssociationSpec,
) -> Result<u32, ApiError> {
    if spec.association_category != "HUBSPOT_DEFINED" {
        let message = format!(
            "association type {} in category {} is not defined for {} to {}",
            spec.association_type_id,
            spec.association_category,
            from.path_name(),
            to.path_name()
        );
        return Err(ApiError::validation(message));
    }
    types::find(from, to, spec.association_type_id)
        .map(|kind| kind.type_id)
        .ok_or_else(|| {
            ApiError::validation(format!(
                "{} is not a valid association type id from {} to {}",
                spec.association_type_id,
                from.type_id(),
                to.type_id()
            ))
        })
}

/// Builds the 400 for an association naming a record that does not exist.
pub(crate) fn missing_record(object: ObjectType, id: &str) -> ApiError {
    ApiError::validation(format!(
        "{} {id} does not exist; associations need existing records",
        object.upper_singular()
    ))
}

/// A record to associate with and the association type id.
pub(crate) type AssociationTarget = ((ObjectType, u64), u32);

/// Resolves the targets of create-time associations before anything is
/// written, so a bad one fails the whole create.
pub(crate) fn resolve_create_associations(
    crm: &CrmStore,
    from: ObjectType,
    inputs: &[CreateAssociation],
) -> Result<Vec<AssociationTarget>, ApiError> {
    let mut resolved = Vec::new();
    for input in inputs {
        let id_text = input.to.id.as_text();
        for spec in &input.types {
            let to = types::target_of(from, spec.association_type_id).ok_or_else(|| {
                ApiError::validation(format!(
                    "{} is not a valid association type id for {}",
                    spec.association_type_id,
                    from.path_name()
                ))
            })?;
            let type_id = check_spec(from, to, spec)?;
            let id = parse_id(&id_text)
                .filter(|id| crm.get(to, *id).is_some())
                .ok_or_else(|| missing_record(to, &id_text))?;
            resolved.push(((to, id), type_id));
        }
    }
    Ok(resolved)
}

/// `associationTypes[]` items as reads return them.
pub(crate) fn type_list(from: ObjectType, to: ObjectType, type_ids: &[u32]) -> Value {
    let items: Vec<Value> = type_ids
        .iter()
        .map(|type_id| json!({ "category": "HUBSPOT_DEFINED", "typeId": type_id, "label": types::label_of(from, to, *type_id) }))
        .collect();
    Value::Array(items)
}

/// Builds the `associations` map of a record read with `associations=`.
pub(crate) fn record_associations(
    store: &AssociationStore,
    from: (ObjectType, u64),
    names: &[String],
) -> Option<Value> {
    let mut map = serde_json::Map::new();
    for name in names {
        let Some(to) = ObjectType::parse(name) else {
            continue;
        };
        let mut results = Vec::new();
        for (to_id, type_ids) in store.list(from, to) {
            for type_id in type_ids {
                results.push(json!({ "id": to_id.to_string(), "type": types::legacy_name(from.0, to, type_id) }));
            }
        }
        if !results.is_empty() {
            map.insert(to.path_name().to_string(), json!({ "results": results }));
        }
    }
    if map.is_empty() {
        None
    } else {
        Some(Value::Object(map))
    }
}

/// Registers the association routes, numbered and dated.
pub(crate) fn configure(config: &mut web::ServiceConfig) {
    for prefix in ["/crm/v4/objects", "/crm/objects/2026-03"] {
        let base = format!("{prefix}/{{fromObjectType}}/{{fromObjectId}}/associations");
        config
            .route(
                &format!("{base}/default/{{toObjectType}}/{{toObjectId}}"),
                web::put().to(handlers::put_default_association),
            )
            .route(
                &format!("{base}/{{toObjectType}}/{{toObjectId}}"),
                web::put().to(handlers::put_labelled_association),
            )
            .route(
                &format!("{base}/{{toObjectType}}/{{toObjectId}}"),
                web::delete().to(handlers::delete_association),
            )
            .route(
                &format!("{base}/{{toObjectType}}"),
                web::get().to(handlers::list_associations),
            );
    }
    for prefix in ["/crm/v4/associations", "/crm/associations/2026-03"] {
        let base = format!("{prefix}/{{fromObjectType}}/{{toObjectType}}/batch");
        config
            .route(
                &format!("{base}/associate/default"),
                web::post().to(batch::batch_associate_default),
            )
            .route(
                &format!("{base}/create"),
                web::post().to(batch::batch_create_associations),
            )
            .route(
                &format!("{base}/read"),
                web::post().to(batch::batch_read_associations),
            )
            .route(
                &format!("{base}/archive"),
                web::post().to(batch::batch_archive_associations),
            )
            .route(
                &format!("{base}/labels/archive"),
                web::post().to(batch::batch_archive_labels),
            );
    }
}
