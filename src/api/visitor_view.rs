//! JSON shapes of visitors in admin API responses.

use chrono::{DateTime, SecondsFormat, Utc};
use serde::Serialize;

use crate::domain::CompanyInput;
use crate::storage::visitors::{PageView, SkippedField, VisitorRecord};

/// A visitor as returned by `GET /api/v1/visitors/{id}` and in lists.
#[derive(Debug, Serialize)]
pub struct VisitorView {
    pub id: String,
    pub email: Option<String>,
    pub external_id: Option<String>,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub job_title: Option<String>,
    pub city: Option<String>,
    pub country: Option<String>,
    pub lead_status: Option<String>,
    pub linkedin_url: Option<String>,
    pub quality_score: Option<i64>,
    pub company: Option<CompanyInput>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pages: Option<Vec<PageViewView>>,
    pub data_version: i64,
    pub push_status: String,
    pub last_pushed_at: Option<String>,
    pub pushed_data_version: Option<i64>,
    pub hubspot_portal_id: Option<i64>,
    pub hubspot_contact_id: Option<String>,
    pub hubspot_company_id: Option<String>,
    pub last_error: Option<ErrorView>,
    pub skipped_fields: Vec<SkippedField>,
    pub created_at: String,
    pub updated_at: String,
}

/// The last push error and what to do about it.
#[derive(Debug, Serialize)]
pub struct ErrorView {
    pub message: String,
    /// `reconnect`, `retry` or `fix_input`.
    pub action: Option<String>,
}

/// A visited page.
#[derive(Debug, Serialize)]
pub struct PageViewView {
    pub url: String,
    pub title: Option<String>,
    pub viewed_at: String,
}

/// Formats epoch milliseconds as RFC 3339 UTC with a `Z`.
pub fn rfc3339(ms: i64) -> String {
    DateTime::<Utc>::from_timestamp_millis(ms)
        .unwrap_or_default()
        .to_rfc3339_opts(SecondsFormat::Millis, true)
}

impl VisitorView {
    /// Builds the view of `visitor`, with `pages` when given.
    pub fn new(visitor: VisitorRecord, pages: Option<Vec<PageView>>) -> Self {
        let last_error = visitor.last_error.map(|message| ErrorView {
            message,
            action: visitor.last_error_action,
        });
        Self {
            id: visitor.id,
            email: visitor.email,
            external_id: visitor.external_id,
            first_name: visitor.first_name,
            last_name: visitor.last_name,
            job_title: visitor.job_title,
            city: visitor.city,
            country: visitor.country,
            lead_status: visitor.lead_status,
            linkedin_url: visitor.linkedin_url,
            quality_score: visitor.quality_score,
            company: Some(visitor.company).filter(|company| !company.is_empty()),
            pages: pages.map(|pages| {
                pages
                    .into_iter()
                    .map(|page| PageViewView {
                        url: page.url,
                        title: page.title,
                        viewed_at: rfc3339(page.viewed_at),
                    })
                    .collect()
            }),
            data_version: visitor.data_version,
            push_status: visitor.push_status,
            last_pushed_at: visitor.last_pushed_at.map(rfc3339),
            pushed_data_version: visitor.pushed_data_version,
            hubspot_portal_id: visitor.hubspot_portal_id,
            hubspot_contact_id: visitor.hubspot_contact_id,
            hubspot_company_id: visitor.hubspot_company_id,
            last_error,
            skipped_fields: visitor.skipped_fields,
            created_at: rfc3339(visitor.created_at),
            updated_at: rfc3339(visitor.updated_at),
        }
    }
}
