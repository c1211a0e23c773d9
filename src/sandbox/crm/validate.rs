//! Validation of property values sent in writes, with HubSpot's codes:
//! `PROPERTY_DOESNT_EXIST`, `READ_ONLY_VALUE`, `INVALID_OPTION`,
//! `INVALID_INTEGER`, `INVALID_DATE` and `INVALID_EMAIL`.

use std::collections::BTreeMap;

use serde_json::{Map, Value};

use super::ObjectType;
use super::properties::{self, PropertyType};
use crate::sandbox::errors::{ApiError, PropertyProblem, property_errors};
use crate::sandbox::ids;

/// Longest `hs_note_body` HubSpot stores, in characters.
const NOTE_BODY_MAX_CHARS: usize = 65_536;

/// Whether a write creates a record (required properties apply) or
/// changes one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum WriteKind {
    Create,
    Update,
}

/// Checks every property of a write and returns the values as strings.
/// Values must be JSON strings; an empty string clears a value.
pub(crate) fn validate_properties(
    object: ObjectType,
    input: &Map<String, Value>,
    kind: WriteKind,
    portal_id: u64,
) -> Result<BTreeMap<String, String>, ApiError> {
    let mut values = BTreeMap::new();
    for (name, value) in input {
        let Value::String(text) = value else {
            return Err(ApiError::invalid_json(format!(
                "the value of property \"{name}\" must be a JSON string, but it is {}",
                json_kind(value)
            )));
        };
        values.insert(name.clone(), text.clone());
    }
    let mut problems: Vec<PropertyProblem> = values
        .iter()
        .filter_map(|(name, text)| check_value(object, name, text))
        .collect();
    if kind == WriteKind::Create {
        problems.extend(fill_timestamp(object, &mut values));
    }
    if !problems.is_empty() {
        return Err(property_errors(&problems, portal_id));
    }
    if let Some(email) = values.get_mut("email") {
        // HubSpot stores contact emails in lower case.
        *email = email.trim().to_lowercase();
    }
    Ok(values)
}

/// Checks the `hs_timestamp` that note and meeting creates need. A meeting
/// without one gets its `hs_meeting_start_time`, as HubSpot's meetings
/// guide documents.
fn fill_timestamp(
    object: ObjectType,
    values: &mut BTreeMap<String, String>,
) -> Option<PropertyProblem> {
    let present = |name: &str| values.get(name).filter(|text| !text.is_empty()).cloned();
    if present("hs_timestamp").is_some() {
        return None;
    }
    let noun = match object {
        ObjectType::Notes => "a note",
        ObjectType::Meetings => match present("hs_meeting_start_time") {
            Some(start) => {
                values.insert("hs_timestamp".into(), start);
                return None;
            }
            None => "a meeting without hs_meeting_start_time",
        },
        ObjectType::Contacts | ObjectType::Companies => return None,
    };
    Some(PropertyProblem {
        name: "hs_timestamp".into(),
        code: "REQUIRED_PROPERTY",
        message: format!("hs_timestamp is required when creating {noun}"),
        value: None,
    })
}

fn json_kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

fn problem(
    name: &str,
    code: &'static str,
    message: String,
    value: &str,
) -> Option<PropertyProblem> {
    Some(PropertyProblem {
        name: name.into(),
        code,
        message,
        value: Some(value.into()),
    })
}

/// Checks one value against its definition.
fn check_value(object: ObjectType, name: &str, text: &str) -> Option<PropertyProblem> {
    let Some(definition) = properties::find(object, name) else {
        return Some(PropertyProblem {
            name: name.into(),
            code: "PROPERTY_DOESNT_EXIST",
            message: format!("Property \"{name}\" does not exist"),
            value: None,
        });
    };
    if definition.read_only {
        return problem(
            name,
            "READ_ONLY_VALUE",
            format!("\"{name}\" is a read only property; its value cannot be set."),
            text,
        );
    }
    if text.is_empty() {
        return None;
    }
    match definition.kind {
        PropertyType::Enumeration => {
            let bad = text.split(';').find(|item| !definition.has_option(item))?;
            let allowed: Vec<&str> = definition
                .options
                .iter()
                .map(|(value, _)| value.as_str())
                .collect();
            let message = format!(
                "{bad} was not one of the allowed options: [{}]",
                allowed.join(", ")
            );
            problem(name, "INVALID_OPTION", message, text)
        }
        PropertyType::Number if !is_plain_number(text) => problem(
            name,
            "INVALID_INTEGER",
            format!("{text} was not a valid number."),
            text,
        ),
        PropertyType::Datetime if ids::parse_instant_ms(text).is_none() => problem(
            name,
            "INVALID_DATE",
            format!("{text} was not a valid date-time; send ISO 8601 or epoch milliseconds."),
            text,
        ),
        PropertyType::String if name == "email" && !is_valid_email(text) => problem(
            name,
            "INVALID_EMAIL",
            format!("Email address {text} is invalid"),
            text,
        ),
        PropertyType::String
            if name == "hs_note_body" && text.chars().count() > NOTE_BODY_MAX_CHARS =>
        {
            problem(
                name,
                "INVALID_STRING",
                format!("hs_note_body is longer than {NOTE_BODY_MAX_CHARS} characters"),
                text,
            )
        }
        _ => None,
    }
}

/// Digits with one optional leading `-` and at most one `.`; commas,
/// spaces and exponents are rejected.
pub(crate) fn is_plain_number(text: &str) -> bool {
    let unsigned = text.strip_prefix('-').unwrap_or(text);
    let mut parts = unsigned.splitn(2, '.');
    let whole = parts.next().unwrap_or("");
    let fraction = parts.next();
    let digits = |part: &str| part.chars().all(|character| character.is_ascii_digit());
    let has_digit = !whole.is_empty() || fraction.is_some_and(|part| !part.is_empty());
    has_digit && digits(whole) && fraction.is_none_or(digits)
}

/// Checks for a syntactically valid address with a dot in its domain.
pub(crate) fn is_valid_email(text: &str) -> bool {
    email_address::EmailAddress::parse_with_options(text, email_address::Options::default()).is_ok()
        && text
            .rsplit('@')
            .next()
            .is_some_and(|domain| domain.contains('.'))
}
