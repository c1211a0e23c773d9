//! Records as HubSpot returns them (`SimplePublicObject`).

use serde_json::{Map, Value, json};

use super::ObjectType;
use super::properties;
use super::store::{IndexedVersion, Properties, Record};
use crate::sandbox::ids;

/// Set of properties a response lists.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Selection<'a> {
    /// Every stored value (create and update responses).
    All,
    /// The object's default set (reads that name no properties).
    Defaults,
    /// The named properties plus the id and the two timestamps; unknown
    /// names are ignored and unset ones are `null`.
    Named(&'a [String]),
}

impl<'a> Selection<'a> {
    /// `Named` when `names` is not empty, `Defaults` otherwise.
    pub(crate) fn from_names(names: &'a [String]) -> Self {
        if names.is_empty() {
            Selection::Defaults
        } else {
            Selection::Named(names)
        }
    }
}

/// Splits a comma-separated query value into names.
pub(crate) fn split_names(text: Option<&str>) -> Vec<String> {
    text.unwrap_or("")
        .split(',')
        .map(str::trim)
        .filter(|name| !name.is_empty())
        .map(str::to_string)
        .collect()
}

fn select(object: ObjectType, stored: &Properties, selection: Selection<'_>) -> Map<String, Value> {
    let mut out = Map::new();
    let mut put = |name: &str| {
        let value = stored.get(name).map_or(Value::Null, |text| json!(text));
        out.insert(name.to_string(), value);
    };
    match selection {
        Selection::All => stored.keys().for_each(|name| put(name)),
        Selection::Defaults => object
            .default_properties()
            .iter()
            .for_each(|name| put(name)),
        Selection::Named(names) => {
            for name in [
                "hs_object_id",
                object.created_property(),
                object.modified_property(),
            ] {
                put(name);
            }
            names
                .iter()
                .filter(|name| properties::find(object, name).is_some())
                .for_each(|name| put(name));
        }
    }
    out
}

fn shape(
    id: u64,
    properties: Map<String, Value>,
    created_at_ms: i64,
    updated_at_ms: i64,
    archived: bool,
) -> Value {
    json!({
        "id": id.to_string(),
        "properties": properties,
        "createdAt": ids::iso_ms(created_at_ms),
        "updatedAt": ids::iso_ms(updated_at_ms),
        "archived": archived,
    })
}

/// Renders a record's current state.
pub(crate) fn render(object: ObjectType, record: &Record, selection: Selection<'_>) -> Value {
    let properties = select(object, &record.properties, selection);
    shape(
        record.id,
        properties,
        record.created_at_ms,
        record.updated_at_ms,
        record.archived,
    )
}

/// Renders a record as the search index stores it.
pub(crate) fn render_indexed(
    object: ObjectType,
    record: &Record,
    version: &IndexedVersion,
    selection: Selection<'_>,
) -> Value {
    let properties = select(object, &version.properties, selection);
    shape(
        record.id,
        properties,
        record.created_at_ms,
        version.updated_at_ms,
        version.archived,
    )
}
