//! CRM search: filter groups (AND inside a group, OR across groups),
//! sorts, paging and free-text query, over the lagging search view.

mod matching;
mod request;

use actix_web::{HttpRequest, HttpResponse, web};
use serde_json::{Value, json};

use matching::{compare_values, matches};
use request::{SearchRequest, check_request};

use super::ObjectType;
use super::properties;
use super::render::{Selection, render_indexed};
use crate::sandbox::auth;
use crate::sandbox::errors::{ApiError, parse_json};
use crate::sandbox::ids;
use crate::sandbox::state::SharedSandbox;

/// `POST /crm/v3/objects/{objectType}/search`.
pub(crate) async fn search_records(
    sandbox: web::Data<SharedSandbox>,
    object: web::Data<ObjectType>,
    request: HttpRequest,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let object = **object;
    let principal = auth::require_any(&request, &[object.read_scope()])?;
    let search: SearchRequest = parse_json(&body)?;
    let (offset, limit) = check_request(&search)?;

    let now = ids::now_ms();
    let world = sandbox.world(principal.portal_id);
    let mut hits: Vec<(&super::store::Record, &super::store::IndexedVersion)> = world
        .crm
        .all(object)
        .filter_map(|record| record.search_view(now).map(|version| (record, version)))
        .filter(|(_, version)| !version.archived && matches(object, &search, &version.properties))
        .collect();
    // Stable sorts applied from the last key to the first leave the first
    // key as the primary order.
    for sort in search.sorts.iter().rev() {
        let (name, direction) = sort.parts();
        let kind = properties::find(object, name).map(|definition| definition.kind);
        hits.sort_by(|left, right| {
            let (left, right) = (left.1.properties.get(name), right.1.properties.get(name));
            compare_values(kind, left, right, direction)
        });
    }

    let total = hits.len() as u64;
    let selection = Selection::from_names(&search.properties);
    let results: Vec<Value> = hits
        .iter()
        .skip(offset as usize)
        .take(limit as usize)
        .map(|(record, version)| render_indexed(object, record, version, selection))
        .collect();
    let mut response = json!({ "total": total, "results": results });
    if offset + limit < total {
        response["paging"] = json!({ "next": { "after": (offset + limit).to_string() } });
    }
    Ok(HttpResponse::Ok().json(response))
}
