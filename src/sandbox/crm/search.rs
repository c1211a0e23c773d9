//! CRM search: filter groups (AND inside a group, OR across groups),
//! sorts, paging and free-text query, over the lagging search view.

use std::cmp::Ordering;

use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;
use serde_json::{Value, json};

use super::ObjectType;
use super::properties::{self, PropertyType};
use super::render::{Selection, render_indexed};
use super::store::Properties;
use crate::sandbox::auth;
use crate::sandbox::errors::{ApiError, parse_json};
use crate::sandbox::ids;
use crate::sandbox::state::SharedSandbox;

/// Most results per page.
const MAX_LIMIT: u64 = 200;
/// Results reachable by paging through one query.
const MAX_RESULTS: u64 = 10_000;
/// Most filter groups, filters per group and filters in total.
const MAX_GROUPS: usize = 5;
const MAX_FILTERS_PER_GROUP: usize = 6;
const MAX_FILTERS: usize = 18;
/// Longest free-text query, in characters.
const MAX_QUERY_CHARS: usize = 3000;

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct SearchRequest {
    #[serde(default)]
    filter_groups: Vec<FilterGroup>,
    #[serde(default)]
    properties: Vec<String>,
    #[serde(default)]
    sorts: Vec<Sort>,
    limit: Option<u64>,
    after: Option<Scalar>,
    query: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct FilterGroup {
    filters: Vec<Filter>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct Filter {
    property_name: String,
    operator: Operator,
    value: Option<Scalar>,
    high_value: Option<Scalar>,
    values: Option<Vec<Scalar>>,
}

#[derive(Debug, Clone, Copy, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
enum Operator {
    Eq,
    Neq,
    Lt,
    Lte,
    Gt,
    Gte,
    Between,
    In,
    NotIn,
    HasProperty,
    NotHasProperty,
    ContainsToken,
    NotContainsToken,
}

/// A filter value or cursor sent as a JSON string, number or boolean.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
enum Scalar {
    Text(String),
    Number(serde_json::Number),
    Bool(bool),
}

impl Scalar {
    fn text(&self) -> String {
        match self {
            Scalar::Text(text) => text.clone(),
            Scalar::Number(number) => number.to_string(),
            Scalar::Bool(flag) => flag.to_string(),
        }
    }
}

/// A sort in object form or string form (`"-createdate"` is descending).
#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum Sort {
    Text(String),
    Object {
        #[serde(rename = "propertyName")]
        property_name: String,
        direction: Option<Direction>,
    },
}

#[derive(Debug, Clone, Copy, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
enum Direction {
    Ascending,
    Descending,
}

impl Sort {
    fn parts(&self) -> (&str, Direction) {
        match self {
            Sort::Text(text) => match text.strip_prefix('-') {
                Some(name) => (name, Direction::Descending),
                None => (text.as_str(), Direction::Ascending),
            },
            Sort::Object {
                property_name,
                direction,
            } => (property_name, direction.unwrap_or(Direction::Ascending)),
        }
    }
}

/// `POST /crm/v3/objects/{objectType}/search`.
pub(crate) async fn search_records(
    sandbox: web::Data<SharedSandbox>,
    object: web::Data<ObjectType>,
    request: HttpRequest,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let object = **object;
    auth::require_any(&request, &[object.read_scope()])?;
    let body: SearchRequest = parse_json(&body)?;
    let search = body;
    let (offset, limit) = check_request(&search)?;
    let now = ids::now_ms();
    let world = sandbox.world();
    let mut hits: Vec<(&super::store::Record, &super::store::IndexedVersion)> = world
        .crm
        .all(object)
        .filter_map(|record| record.search_view(now).map(|version| (record, version)))
        .filter(|(_, version)| !version.archived && matches(object, &search, &version.properties))
        .collect();
    for sort in search.sorts.iter().rev() {
        let (name, direction) = sort.parts();
        let kind = properties::find(object, name).map(|definition| definition.kind);
        hits.sort_by(|left, right| {
            let ordering = compare_values(
                kind,
                left.1.properties.get(name),
                right.1.properties.get(name),
            );
            if direction == Direction::Descending {
                ordering.reverse()
            } else {
                ordering
            }
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

/// Checks limits and returns the offset and page size.
fn check_request(search: &SearchRequest) -> Result<(u64, u64), ApiError> {
    let limit = search.limit.unwrap_or(10);
    if limit > MAX_LIMIT {
        return Err(ApiError::validation(format!(
            "limit {limit} is too large; the maximum is {MAX_LIMIT}"
        )));
    }
    let offset: u64 = match &search.after {
        Some(after) => after.text().parse().map_err(|_| {
            ApiError::validation(format!(
                "after {} is not a valid paging cursor",
                after.text()
            ))
        })?,
        None => 0,
    };
    if offset + limit > MAX_RESULTS {
        return Err(ApiError::validation(format!(
            "Paging past {MAX_RESULTS} results is not supported; narrow the filters instead"
        )));
    }
    if search.filter_groups.len() > MAX_GROUPS {
        return Err(ApiError::validation(format!(
            "at most {MAX_GROUPS} filterGroups are allowed"
        )));
    }
    let total_filters: usize = search
        .filter_groups
        .iter()
        .map(|group| group.filters.len())
        .sum();
    if search
        .filter_groups
        .iter()
        .any(|group| group.filters.len() > MAX_FILTERS_PER_GROUP)
        || total_filters > MAX_FILTERS
    {
        return Err(ApiError::validation(format!(
            "at most {MAX_FILTERS_PER_GROUP} filters per group and {MAX_FILTERS} filters in total are allowed"
        )));
    }
    if search
        .query
        .as_ref()
        .is_some_and(|query| query.chars().count() > MAX_QUERY_CHARS)
    {
        return Err(ApiError::validation(format!(
            "query is longer than {MAX_QUERY_CHARS} characters"
        )));
    }
    for filter in search
        .filter_groups
        .iter()
        .flat_map(|group| group.filters.iter())
    {
        check_filter(filter)?;
    }
    Ok((offset, limit))
}

fn check_filter(filter: &Filter) -> Result<(), ApiError> {
    let needs = |present: bool, field: &str| {
        if present {
            Ok(())
        } else {
            Err(ApiError::validation(format!(
                "filter on {} with operator {:?} needs `{field}`",
                filter.property_name, filter.operator
            )))
        }
    };
    match filter.operator {
        Operator::In | Operator::NotIn => needs(filter.values.is_some(), "values"),
        Operator::Between => needs(
            filter.value.is_some() && filter.high_value.is_some(),
            "value and highValue",
        ),
        Operator::HasProperty | Operator::NotHasProperty => Ok(()),
        _ => needs(filter.value.is_some(), "value"),
    }
}

fn matches(object: ObjectType, search: &SearchRequest, properties: &Properties) -> bool {
    let groups_match = search.filter_groups.is_empty()
        || search.filter_groups.iter().any(|group| {
            group
                .filters
                .iter()
                .all(|filter| filter_matches(object, filter, properties))
        });
    groups_match
        && search
            .query
            .as_deref()
            .is_none_or(|query| query_matches(object, query, properties))
}

fn filter_matches(object: ObjectType, filter: &Filter, properties: &Properties) -> bool {
    let stored = properties.get(&filter.property_name);
    let kind = properties::find(object, &filter.property_name).map(|definition| definition.kind);
    let value = filter.value.as_ref().map(Scalar::text).unwrap_or_default();
    let compare = |wanted: &str| stored.map(|stored| compare_text(kind, stored, wanted));
    match filter.operator {
        Operator::Eq => compare(&value) == Some(Ordering::Equal),
        Operator::Neq => compare(&value) != Some(Ordering::Equal),
        Operator::Lt => compare(&value) == Some(Ordering::Less),
        Operator::Lte => matches!(compare(&value), Some(Ordering::Less | Ordering::Equal)),
        Operator::Gt => compare(&value) == Some(Ordering::Greater),
        Operator::Gte => matches!(compare(&value), Some(Ordering::Greater | Ordering::Equal)),
        Operator::Between => {
            let high = filter
                .high_value
                .as_ref()
                .map(Scalar::text)
                .unwrap_or_default();
            matches!(compare(&value), Some(Ordering::Greater | Ordering::Equal))
                && matches!(compare(&high), Some(Ordering::Less | Ordering::Equal))
        }
        Operator::In => in_values(kind, stored, filter),
        Operator::NotIn => !in_values(kind, stored, filter),
        Operator::HasProperty => stored.is_some(),
        Operator::NotHasProperty => stored.is_none(),
        Operator::ContainsToken => stored.is_some_and(|stored| contains_token(stored, &value)),
        Operator::NotContainsToken => !stored.is_some_and(|stored| contains_token(stored, &value)),
    }
}

fn in_values(kind: Option<PropertyType>, stored: Option<&String>, filter: &Filter) -> bool {
    let Some(stored) = stored else { return false };
    let values = filter.values.as_deref().unwrap_or_default();
    values
        .iter()
        .any(|value| compare_text(kind, stored, &value.text()) == Ordering::Equal)
}

/// Compares a stored value with a filter value by the property's type:
/// numbers numerically, date-times as instants, text ignoring case.
fn compare_text(kind: Option<PropertyType>, stored: &str, wanted: &str) -> Ordering {
    match kind {
        Some(PropertyType::Number) => match (stored.parse::<f64>(), wanted.parse::<f64>()) {
            (Ok(left), Ok(right)) => left.partial_cmp(&right).unwrap_or(Ordering::Equal),
            _ => stored.cmp(wanted),
        },
        Some(PropertyType::Datetime) => {
            match (ids::parse_instant_ms(stored), ids::parse_instant_ms(wanted)) {
                (Some(left), Some(right)) => left.cmp(&right),
                _ => stored.cmp(wanted),
            }
        }
        _ => stored.to_lowercase().cmp(&wanted.to_lowercase()),
    }
}

/// Sort order; records without the value sort last.
fn compare_values(
    kind: Option<PropertyType>,
    left: Option<&String>,
    right: Option<&String>,
) -> Ordering {
    match (left, right) {
        (Some(left), Some(right)) => compare_text(kind, left, right),
        (Some(_), None) => Ordering::Less,
        (None, Some(_)) => Ordering::Greater,
        (None, None) => Ordering::Equal,
    }
}

/// Token match: the whole value, or any word of it, equals the token; `*`
/// in the token matches any run of characters.
fn contains_token(stored: &str, token: &str) -> bool {
    let stored = stored.to_lowercase();
    let token = token.to_lowercase();
    if wildcard_match(&stored, &token) {
        return true;
    }
    stored
        .split(|character: char| {
            !character.is_alphanumeric() && character != '@' && character != '.' && character != '-'
        })
        .chain(stored.split(|character: char| !character.is_alphanumeric()))
        .any(|word| !word.is_empty() && wildcard_match(word, &token))
}

fn wildcard_match(text: &str, pattern: &str) -> bool {
    let parts: Vec<&str> = pattern.split('*').collect();
    if parts.len() == 1 {
        return text == pattern;
    }
    let mut rest = text;
    for (index, part) in parts.iter().enumerate() {
        if index == 0 {
            let Some(stripped) = rest.strip_prefix(part) else {
                return false;
            };
            rest = stripped;
        } else if index == parts.len() - 1 {
            return rest.ends_with(part);
        } else {
            let Some(position) = rest.find(part) else {
                return false;
            };
            rest = &rest[position + part.len()..];
        }
    }
    true
}

/// Free-text query over the object's default searchable properties: each
/// word must prefix a word of one of them.
fn query_matches(object: ObjectType, query: &str, properties: &Properties) -> bool {
    let searchable: &[&str] = match object {
        ObjectType::Contacts => &["firstname", "lastname", "email", "phone", "company"],
        ObjectType::Companies => &["name", "domain", "website", "phone"],
        ObjectType::Notes => &["hs_note_body"],
    };
    let words: Vec<String> = searchable
        .iter()
        .filter_map(|name| properties.get(*name))
        .flat_map(|value| {
            let lower = value.to_lowercase();
            let mut words: Vec<String> = lower
                .split(|character: char| !character.is_alphanumeric())
                .map(str::to_string)
                .collect();
            words.push(lower);
            words
        })
        .collect();
    query
        .to_lowercase()
        .split_whitespace()
        .all(|term| words.iter().any(|word| word.starts_with(term)))
}
