//! CRM shapes shared by records, batches, searches and associations.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::Value;

/// Property values by internal name. HubSpot sends and takes every value as
/// a string; properties it returns as `null` are left out.
pub type Properties = BTreeMap<String, String>;

/// The CRM object types slotchat reads and writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CrmObject {
    Contacts,
    Companies,
    Notes,
}

impl CrmObject {
    /// The name used in API paths.
    pub fn path_name(self) -> &'static str {
        match self {
            CrmObject::Contacts => "contacts",
            CrmObject::Companies => "companies",
            CrmObject::Notes => "notes",
        }
    }

    /// HubSpot's object type id.
    ///
    /// NOTE: the notes id `0-46` is unconfirmed; requests use path names,
    /// never this id.
    pub fn type_id(self) -> &'static str {
        match self {
            CrmObject::Contacts => "0-1",
            CrmObject::Companies => "0-2",
            CrmObject::Notes => "0-46",
        }
    }

    /// The HubSpot-defined unlabeled association type from `self` to `to`
    /// (for example contact to company 279, which never changes a
    /// contact's primary company), or `None` for notes to notes.
    pub fn default_association_type(self, to: CrmObject) -> Option<u32> {
        use CrmObject::*;
        match (self, to) {
            (Contacts, Companies) => Some(279),
            (Companies, Contacts) => Some(280),
            (Contacts, Contacts) => Some(449),
            (Companies, Companies) => Some(450),
            (Notes, Contacts) => Some(202),
            (Contacts, Notes) => Some(201),
            (Notes, Companies) => Some(190),
            (Companies, Notes) => Some(189),
            (Notes, Notes) => None,
        }
    }
}

/// A CRM record.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Record {
    pub id: String,
    #[serde(default, deserialize_with = "string_properties")]
    pub properties: Properties,
    #[serde(default)]
    pub created_at: Option<DateTime<Utc>>,
    #[serde(default)]
    pub updated_at: Option<DateTime<Utc>>,
    #[serde(default)]
    pub archived: bool,
    /// Associated ids by object type, only when asked for on a read.
    #[serde(default, deserialize_with = "associations_on_record")]
    pub associations: BTreeMap<String, Vec<AssociatedId>>,
}

/// An associated record listed on a record read with `associations=`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AssociatedId {
    pub id: String,
    /// For example `contact_to_company` or `contact_to_company_unlabeled`.
    #[serde(rename = "type", default)]
    pub association_type: String,
}

/// A record written by a batch upsert; `new` is true when HubSpot created it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct UpsertedRecord {
    pub id: String,
    #[serde(default)]
    pub new: bool,
    #[serde(default, deserialize_with = "string_properties")]
    pub properties: Properties,
}

/// An association to add while creating a record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AssociationInput {
    pub to_id: String,
    /// A HubSpot-defined type id, for example 202 for note to contact.
    pub type_id: u32,
}

impl AssociationInput {
    /// The unlabeled association from a `from` record to the `to` record
    /// `to_id`. Panics for notes to notes, which have no such type.
    pub fn default_between(from: CrmObject, to: CrmObject, to_id: impl Into<String>) -> Self {
        let type_id = from
            .default_association_type(to)
            .expect("every pair slotchat associates has a default type");
        Self {
            to_id: to_id.into(),
            type_id,
        }
    }
}

impl Serialize for AssociationInput {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serde_json::json!({
            "to": { "id": self.to_id },
            "types": [ { "associationCategory": "HUBSPOT_DEFINED", "associationTypeId": self.type_id } ],
        })
        .serialize(serializer)
    }
}

/// One record of a batch create.
#[derive(Debug, Clone, Serialize)]
pub struct CreateInput {
    pub properties: Properties,
    pub associations: Vec<AssociationInput>,
}

/// A record associated with another, as association reads list it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AssociatedRecord {
    pub to_object_id: String,
    /// Every association type between the pair, for example `[1, 279]`
    /// when the company is the contact's primary.
    pub type_ids: Vec<u32>,
}

/// A property definition with its options.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PropertyDefinition {
    pub name: String,
    #[serde(default)]
    pub label: String,
    /// HubSpot's `type`: `string`, `number`, `enumeration`, `date`, ...
    #[serde(rename = "type")]
    pub property_type: String,
    #[serde(default)]
    pub field_type: String,
    #[serde(default)]
    pub options: Vec<PropertyOption>,
    #[serde(default)]
    pub has_unique_value: bool,
}

/// One allowed value of an enumeration property. `value` is what the API
/// takes; a hidden option is still a valid value.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PropertyOption {
    pub value: String,
    #[serde(default)]
    pub label: String,
    #[serde(default)]
    pub hidden: bool,
}

/// Reads a property map, dropping nulls and turning stray numbers and
/// booleans into strings.
fn string_properties<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Properties, D::Error> {
    let raw: Option<BTreeMap<String, Value>> = Option::deserialize(deserializer)?;
    Ok(raw
        .unwrap_or_default()
        .into_iter()
        .filter_map(|(name, value)| match value {
            Value::Null => None,
            Value::String(text) => Some((name, text)),
            other => Some((name, other.to_string())),
        })
        .collect())
}

#[derive(Deserialize)]
struct AssociationList {
    #[serde(default)]
    results: Vec<AssociatedId>,
}

fn associations_on_record<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<BTreeMap<String, Vec<AssociatedId>>, D::Error> {
    let raw: Option<BTreeMap<String, AssociationList>> = Option::deserialize(deserializer)?;
    Ok(raw
        .unwrap_or_default()
        .into_iter()
        .map(|(object, list)| (object, list.results))
        .collect())
}

/// Reads an id HubSpot may send as a string or as a number.
pub(crate) fn string_or_number<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<String, D::Error> {
    match Value::deserialize(deserializer)? {
        Value::String(text) => Ok(text),
        Value::Number(number) => Ok(number.to_string()),
        other => Err(serde::de::Error::custom(format!(
            "expected an id, got {other}"
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn record_drops_null_properties() {
        let record: Record = serde_json::from_str(
            r#"{"id":"1","properties":{"email":"a@b.test","phone":null},"createdAt":"2026-06-10T08:15:31.402Z","updatedAt":"2026-06-10T08:15:31.402Z","archived":false,
                "associations":{"companies":{"results":[{"id":"7","type":"contact_to_company"}]}}}"#,
        )
        .unwrap();
        assert_eq!(record.properties.len(), 1);
        assert_eq!(record.associations["companies"][0].id, "7");
    }

    #[test]
    fn association_input_uses_request_names() {
        let input = AssociationInput::default_between(CrmObject::Notes, CrmObject::Contacts, "9");
        let json = serde_json::to_value(&input).unwrap();
        assert_eq!(json["to"]["id"], "9");
        assert_eq!(json["types"][0]["associationTypeId"], 202);
        assert_eq!(json["types"][0]["associationCategory"], "HUBSPOT_DEFINED");
    }
}
