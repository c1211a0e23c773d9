//! Validation of workflow JSON from the admin API.
//!
//! Bodies are read field by field from a `serde_json::Value` so that every
//! error names the exact field path (`conditions[1].match`) and the rule.

use serde_json::{Map, Value};

use super::rules::{Action, Condition, MatchMode, PageMatch};

/// Maximum length of a workflow name, in characters.
pub const MAX_NAME_CHARS: usize = 120;
/// Maximum number of conditions in one workflow.
pub const MAX_CONDITIONS: usize = 20;
/// Maximum length of a `page_visited` value, in characters.
pub const MAX_PAGE_VALUE_CHARS: usize = 2048;
/// Maximum quality score a condition can require, because scores run from 0 to 100.
pub const MAX_QUALITY_SCORE: i64 = 100;

/// An invalid field in a workflow body.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {message}")]
pub struct InvalidField {
    /// Path of the field, such as `conditions[1].match`.
    pub field: String,
    /// Description of the problem and of the accepted values.
    pub message: String,
}

/// A validated body of `POST /api/v1/workflows`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewWorkflow {
    pub name: String,
    pub active: bool,
    pub match_mode: MatchMode,
    pub conditions: Vec<Condition>,
    pub action: Action,
}

/// A validated body of `PATCH /api/v1/workflows/{id}`: only the fields sent.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WorkflowChanges {
    pub name: Option<String>,
    pub active: Option<bool>,
    pub match_mode: Option<MatchMode>,
    pub conditions: Option<Vec<Condition>>,
    pub action: Option<Action>,
}

const CREATE_FIELDS: &[&str] = &["name", "active", "match", "conditions", "action"];

fn invalid(field: impl Into<String>, message: impl Into<String>) -> InvalidField {
    InvalidField { field: field.into(), message: message.into() }
}

/// Validates a create body. `name` and `conditions` are required; `active`
/// defaults to `false`, `match` to `all`, `action` to `push_to_hubspot`.
pub fn parse_new_workflow(body: &Value) -> Result<NewWorkflow, InvalidField> {
    let object = body_object(body)?;
    let name = match object.get("name") {
        Some(value) => parse_name(value)?,
        None => return Err(invalid("name", "name is required")),
    };
    let conditions = match object.get("conditions") {
        Some(value) => parse_conditions(value)?,
        None => return Err(invalid("conditions", "conditions is required: a list of 1 to 20 conditions")),
    };
    Ok(NewWorkflow {
        name,
        active: optional(object, "active", parse_active)?.unwrap_or(false),
        match_mode: optional(object, "match", parse_match_mode)?.unwrap_or(MatchMode::All),
        conditions,
        action: optional(object, "action", parse_action)?.unwrap_or(Action::PushToHubspot),
    })
}

/// Validates a partial update body. At least one field must be present.
pub fn parse_workflow_changes(body: &Value) -> Result<WorkflowChanges, InvalidField> {
    let object = body_object(body)?;
    if object.is_empty() {
        return Err(invalid(
            "body",
            "send at least one of: name, active, match, conditions, action",
        ));
    }
    Ok(WorkflowChanges {
        name: optional(object, "name", parse_name)?,
        active: optional(object, "active", parse_active)?,
        match_mode: optional(object, "match", parse_match_mode)?,
        conditions: optional(object, "conditions", parse_conditions)?,
        action: optional(object, "action", parse_action)?,
    })
}

fn body_object(body: &Value) -> Result<&Map<String, Value>, InvalidField> {
    let object = body
        .as_object()
        .ok_or_else(|| invalid("body", "the body must be a JSON object"))?;
    if let Some(unknown) = object.keys().find(|key| !CREATE_FIELDS.contains(&key.as_str())) {
        return Err(invalid(
            unknown.as_str(),
            format!("unknown field `{unknown}`; expected one of: {}", CREATE_FIELDS.join(", ")),
        ));
    }
    Ok(object)
}

/// Parses `object[key]` with `parse` when the key is present and not null.
fn optional<T>(
    object: &Map<String, Value>,
    key: &str,
    parse: fn(&Value) -> Result<T, InvalidField>,
) -> Result<Option<T>, InvalidField> {
    match object.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(value) => parse(value).map(Some),
    }
}

fn parse_name(value: &Value) -> Result<String, InvalidField> {
    let name = value
        .as_str()
        .ok_or_else(|| invalid("name", "name must be a string"))?
        .trim();
    if name.is_empty() {
        return Err(invalid("name", "name must not be empty"));
    }
    if name.chars().count() > MAX_NAME_CHARS {
        return Err(invalid("name", format!("name must be at most {MAX_NAME_CHARS} characters")));
    }
    if name.chars().any(char::is_control) {
        return Err(invalid("name", "name must not contain control characters"));
    }
    Ok(name.to_string())
}

fn parse_active(value: &Value) -> Result<bool, InvalidField> {
    value
        .as_bool()
        .ok_or_else(|| invalid("active", "active must be true or false"))
}

fn parse_match_mode(value: &Value) -> Result<MatchMode, InvalidField> {
    value
        .as_str()
        .and_then(MatchMode::parse)
        .ok_or_else(|| invalid("match", "match must be \"all\" or \"any\""))
}

fn parse_action(value: &Value) -> Result<Action, InvalidField> {
    value
        .as_str()
        .and_then(Action::parse)
        .ok_or_else(|| invalid("action", "action must be \"push_to_hubspot\""))
}

fn parse_conditions(value: &Value) -> Result<Vec<Condition>, InvalidField> {
    let items = value
        .as_array()
        .ok_or_else(|| invalid("conditions", "conditions must be a list"))?;
    if items.is_empty() || items.len() > MAX_CONDITIONS {
        return Err(invalid(
            "conditions",
            format!("conditions must hold 1 to {MAX_CONDITIONS} conditions, got {}", items.len()),
        ));
    }
    items
        .iter()
        .enumerate()
        .map(|(index, item)| parse_condition(&format!("conditions[{index}]"), item))
        .collect()
}

fn parse_condition(path: &str, value: &Value) -> Result<Condition, InvalidField> {
    let object = value
        .as_object()
        .ok_or_else(|| invalid(path, "a condition must be an object with a `type`"))?;
    let kind = object
        .get("type")
        .and_then(Value::as_str)
        .ok_or_else(|| invalid(format!("{path}.type"), "type is required"))?;
    let allowed: &[&str] = match kind {
        "quality_score_at_least" => &["type", "value"],
        "page_visited" => &["type", "match", "value"],
        "has_email" => &["type"],
        other => {
            return Err(invalid(
                format!("{path}.type"),
                format!(
                    "unknown condition type `{other}`; expected quality_score_at_least, \
                     page_visited or has_email"
                ),
            ));
        }
    };
    if let Some(unknown) = object.keys().find(|key| !allowed.contains(&key.as_str())) {
        return Err(invalid(
            format!("{path}.{unknown}"),
            format!("unknown field `{unknown}` for a {kind} condition"),
        ));
    }
    match kind {
        "quality_score_at_least" => parse_quality_condition(path, object),
        "page_visited" => parse_page_condition(path, object),
        _ => Ok(Condition::HasEmail),
    }
}

fn parse_quality_condition(path: &str, object: &Map<String, Value>) -> Result<Condition, InvalidField> {
    let field = format!("{path}.value");
    let value = object
        .get("value")
        .ok_or_else(|| invalid(&field, "value is required: a whole number from 0 to 100"))?
        .as_i64()
        .ok_or_else(|| invalid(&field, "value must be a whole number from 0 to 100"))?;
    if !(0..=MAX_QUALITY_SCORE).contains(&value) {
        return Err(invalid(&field, format!("value must be from 0 to 100, got {value}")));
    }
    Ok(Condition::QualityScoreAtLeast { value })
}

fn parse_page_condition(path: &str, object: &Map<String, Value>) -> Result<Condition, InvalidField> {
    let match_field = format!("{path}.match");
    let page_match = match object.get("match").map(|value| value.as_str()) {
        None => return Err(invalid(&match_field, "match is required: exact, prefix or contains")),
        Some(Some("exact")) => PageMatch::Exact,
        Some(Some("prefix")) => PageMatch::Prefix,
        Some(Some("contains")) => PageMatch::Contains,
        Some(_) => return Err(invalid(&match_field, "match must be exact, prefix or contains")),
    };
    let value_field = format!("{path}.value");
    let value = object
        .get("value")
        .ok_or_else(|| invalid(&value_field, "value is required: a path such as /pricing"))?
        .as_str()
        .ok_or_else(|| invalid(&value_field, "value must be a string"))?
        .trim();
    if value.is_empty() {
        return Err(invalid(&value_field, "value must not be empty"));
    }
    if value.chars().count() > MAX_PAGE_VALUE_CHARS {
        return Err(invalid(
            &value_field,
            format!("value must be at most {MAX_PAGE_VALUE_CHARS} characters"),
        ));
    }
    let anchored = value.starts_with('/') || value.starts_with("http");
    if page_match != PageMatch::Contains && !anchored {
        return Err(invalid(
            &value_field,
            "an exact or prefix value must start with / (a path) or http (a full URL)",
        ));
    }
    Ok(Condition::PageVisited { page_match, value: value.to_string() })
}
