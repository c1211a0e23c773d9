//! Filter, query and sort evaluation against one record version.

use std::cmp::Ordering;

use super::request::{Direction, Filter, Operator, Scalar, SearchRequest};
use crate::sandbox::crm::ObjectType;
use crate::sandbox::crm::properties::{self, PropertyType};
use crate::sandbox::crm::store::Properties;
use crate::sandbox::ids;

pub(super) fn matches(object: ObjectType, search: &SearchRequest, properties: &Properties) -> bool {
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

/// Sort order; records without the value sort last in both directions.
pub(super) fn compare_values(
    kind: Option<PropertyType>,
    left: Option<&String>,
    right: Option<&String>,
    direction: Direction,
) -> Ordering {
    match (left, right) {
        (Some(left), Some(right)) if direction == Direction::Descending => {
            compare_text(kind, left, right).reverse()
        }
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
        ObjectType::Meetings => &["hs_meeting_title", "hs_meeting_body"],
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
