//! The search request body, its limits and their checks.

use serde::Deserialize;

use crate::sandbox::errors::ApiError;

/// Maximum results per page.
const MAX_LIMIT: u64 = 200;
/// Maximum results reachable by paging through one query.
const MAX_RESULTS: u64 = 10_000;
/// Maximum filter groups, filters per group and filters in total.
const MAX_GROUPS: usize = 5;
const MAX_FILTERS_PER_GROUP: usize = 6;
const MAX_FILTERS: usize = 18;
/// Maximum length of the free-text query, in characters.
const MAX_QUERY_CHARS: usize = 3000;

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct SearchRequest {
    #[serde(default)]
    pub(super) filter_groups: Vec<FilterGroup>,
    #[serde(default)]
    pub(super) properties: Vec<String>,
    #[serde(default)]
    pub(super) sorts: Vec<Sort>,
    pub(super) limit: Option<u64>,
    pub(super) after: Option<Scalar>,
    pub(super) query: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct FilterGroup {
    pub(super) filters: Vec<Filter>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(super) struct Filter {
    pub(super) property_name: String,
    pub(super) operator: Operator,
    pub(super) value: Option<Scalar>,
    pub(super) high_value: Option<Scalar>,
    pub(super) values: Option<Vec<Scalar>>,
}

#[derive(Debug, Clone, Copy, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub(super) enum Operator {
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
pub(super) enum Scalar {
    Text(String),
    Number(serde_json::Number),
    Bool(bool),
}

impl Scalar {
    pub(super) fn text(&self) -> String {
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
pub(super) enum Sort {
    Text(String),
    Object {
        #[serde(rename = "propertyName")]
        property_name: String,
        direction: Option<Direction>,
    },
}

#[derive(Debug, Clone, Copy, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub(super) enum Direction {
    Ascending,
    Descending,
}

impl Sort {
    pub(super) fn parts(&self) -> (&str, Direction) {
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

/// Checks limits and returns the offset and page size.
pub(super) fn check_request(search: &SearchRequest) -> Result<(u64, u64), ApiError> {
    let paging = check_paging(search)?;
    check_filter_counts(search)?;
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
    Ok(paging)
}

fn check_paging(search: &SearchRequest) -> Result<(u64, u64), ApiError> {
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
    Ok((offset, limit))
}

fn check_filter_counts(search: &SearchRequest) -> Result<(), ApiError> {
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
    Ok(())
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
