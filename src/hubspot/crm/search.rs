//! CRM search, paced by the per-portal search limiter (HubSpot allows 5
//! searches per second per portal, counted apart from the burst limit).
//!
//! Search lags behind writes by up to tens of seconds, so it is never the
//! only duplicate check.

use serde::{Deserialize, Serialize};

use super::types::{CrmObject, Record};
use crate::hubspot::HubSpot;
use crate::hubspot::error::HubSpotError;
use crate::hubspot::transport::ApiCall;

/// Values per `IN` filter in [`HubSpot::search_companies_by_domains`].
const DOMAINS_PER_SEARCH: usize = 100;

/// Largest page HubSpot returns.
pub const MAX_SEARCH_LIMIT: u32 = 200;

/// HubSpot stops paging after this many results of one query.
const MAX_SEARCH_RESULTS: usize = 10_000;

/// A search body. Filters inside a group are ANDed, groups are ORed.
#[derive(Debug, Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SearchRequest {
    pub filter_groups: Vec<FilterGroup>,
    pub properties: Vec<String>,
    pub sorts: Vec<Sort>,
    /// Page size, at most [`MAX_SEARCH_LIMIT`].
    pub limit: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub after: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub query: Option<String>,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct FilterGroup {
    pub filters: Vec<Filter>,
}

/// One condition on a property.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Filter {
    pub property_name: String,
    pub operator: Operator,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub high_value: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub values: Option<Vec<String>>,
}

impl Filter {
    /// `property_name` equals `value`.
    pub fn eq(property_name: &str, value: impl Into<String>) -> Self {
        Self::single(property_name, Operator::Eq, Some(value.into()))
    }

    /// `property_name` is one of `values`.
    pub fn in_list(property_name: &str, values: Vec<String>) -> Self {
        Self {
            values: Some(values),
            ..Self::single(property_name, Operator::In, None)
        }
    }

    /// `property_name` has any value.
    pub fn has_property(property_name: &str) -> Self {
        Self::single(property_name, Operator::HasProperty, None)
    }

    fn single(property_name: &str, operator: Operator, value: Option<String>) -> Self {
        Self {
            property_name: property_name.to_string(),
            operator,
            value,
            high_value: None,
            values: None,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Operator {
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

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Sort {
    pub property_name: String,
    pub direction: SortDirection,
}

#[derive(Debug, Clone, Copy, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum SortDirection {
    Ascending,
    Descending,
}

/// One page of search results.
#[derive(Debug, Clone)]
pub struct SearchPage {
    /// Matches in total, over all pages.
    pub total: u64,
    pub results: Vec<Record>,
    /// Cursor for the next page, when there is one.
    pub next_after: Option<String>,
}

#[derive(Deserialize)]
struct WirePage {
    #[serde(default)]
    total: u64,
    #[serde(default)]
    results: Vec<Record>,
    #[serde(default)]
    paging: Option<WirePaging>,
}

#[derive(Deserialize)]
struct WirePaging {
    next: Option<WireNext>,
}

#[derive(Deserialize)]
struct WireNext {
    after: String,
}

impl HubSpot {
    /// Runs one search page for `object`.
    pub async fn search(
        &self,
        workspace_id: &str,
        object: CrmObject,
        request: &SearchRequest,
    ) -> Result<SearchPage, HubSpotError> {
        let path = ["crm", "v3", "objects", object.path_name(), "search"];
        let call = ApiCall::post("crm.search", &path, request)
            .idempotent()
            .search();
        let page: WirePage = self.call_json(workspace_id, &call).await?;
        Ok(SearchPage {
            total: page.total,
            results: page.results,
            next_after: page
                .paging
                .and_then(|paging| paging.next)
                .map(|next| next.after),
        })
    }

    /// Finds companies whose `domain` is one of `domains`, all pages,
    /// oldest first. `domain` and `createdate` are always among the
    /// returned properties. Duplicates in the portal are all returned.
    pub async fn search_companies_by_domains(
        &self,
        workspace_id: &str,
        domains: &[String],
        properties: &[&str],
    ) -> Result<Vec<Record>, HubSpotError> {
        let mut wanted: Vec<String> = properties.iter().map(|name| name.to_string()).collect();
        for required in ["domain", "createdate"] {
            if !wanted.iter().any(|name| name == required) {
                wanted.push(required.to_string());
            }
        }
        let mut companies = Vec::new();
        for chunk in domains.chunks(DOMAINS_PER_SEARCH) {
            let request = SearchRequest {
                filter_groups: vec![FilterGroup {
                    filters: vec![Filter::in_list("domain", chunk.to_vec())],
                }],
                properties: wanted.clone(),
                sorts: vec![Sort {
                    property_name: "createdate".into(),
                    direction: SortDirection::Ascending,
                }],
                limit: MAX_SEARCH_LIMIT,
                ..SearchRequest::default()
            };
            companies.extend(
                self.search_all(workspace_id, CrmObject::Companies, request)
                    .await?,
            );
        }
        Ok(companies)
    }

    /// Follows `after` cursors until the last page or HubSpot's cap.
    async fn search_all(
        &self,
        workspace_id: &str,
        object: CrmObject,
        mut request: SearchRequest,
    ) -> Result<Vec<Record>, HubSpotError> {
        let mut records = Vec::new();
        loop {
            let page = self.search(workspace_id, object, &request).await?;
            records.extend(page.results);
            match page.next_after {
                Some(after) if records.len() < MAX_SEARCH_RESULTS => request.after = Some(after),
                _ => return Ok(records),
            }
        }
    }
}
