use sqlx::Row;
use sqlx::any::AnyRow;

use super::VISITOR_COLUMNS;
use super::push_state::SkippedField;
use crate::domain::CompanyInput;
use crate::storage::Db;

/// A stored visitor.
#[derive(Debug, Clone, PartialEq)]
pub struct VisitorRecord {
    pub id: String,
    pub workspace_id: String,
    pub site_id: Option<String>,
    pub anonymous_id: Option<String>,
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
    pub company: CompanyInput,
    /// Starts at 1 and grows by one with every change of the visitor's data.
    pub data_version: i64,
    pub push_status: String,
    pub last_pushed_at: Option<i64>,
    pub pushed_data_version: Option<i64>,
    pub hubspot_portal_id: Option<i64>,
    pub hubspot_contact_id: Option<String>,
    pub hubspot_company_id: Option<String>,
    pub last_error: Option<String>,
    /// Action a person should take on `last_error` (`reconnect`, `retry`,
    /// `fix_input`, `wait`).
    pub last_error_action: Option<String>,
    pub skipped_fields: Vec<SkippedField>,
    pub created_at: i64,
    pub updated_at: i64,
}

/// A page a visitor viewed.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct PageView {
    pub url: String,
    pub title: Option<String>,
    pub viewed_at: i64,
}

/// Start of a page of [`Db::list_visitors`]: the visitor before it.
#[derive(Debug, Clone, PartialEq)]
pub struct VisitorCursor {
    pub created_at: i64,
    pub id: String,
}

/// Filter and page of [`Db::list_visitors`].
#[derive(Debug, Clone)]
pub struct VisitorFilter {
    pub push_status: Option<String>,
    pub after: Option<VisitorCursor>,
    pub limit: i64,
}

impl Db {
    /// Finds a visitor of `workspace_id` by id.
    pub async fn visitor(
        &self,
        workspace_id: &str,
        visitor_id: &str,
    ) -> Result<Option<VisitorRecord>, sqlx::Error> {
        let sql =
            format!("SELECT {VISITOR_COLUMNS} FROM visitors WHERE workspace_id = $1 AND id = $2");
        let row = sqlx::query(&sql)
            .bind(workspace_id)
            .bind(visitor_id)
            .fetch_optional(self.pool())
            .await?;
        Ok(row.as_ref().map(visitor_from_row))
    }

    /// Reads several visitors of one workspace; unknown ids are left out.
    pub async fn visitors_by_ids(
        &self,
        workspace_id: &str,
        visitor_ids: &[String],
    ) -> Result<Vec<VisitorRecord>, sqlx::Error> {
        let mut visitors = Vec::with_capacity(visitor_ids.len());
        for chunk in visitor_ids.chunks(200) {
            let placeholders: Vec<String> = (0..chunk.len())
                .map(|index| format!("${}", index + 2))
                .collect();
            let sql = format!(
                "SELECT {VISITOR_COLUMNS} FROM visitors WHERE workspace_id = $1 AND id IN ({})",
                placeholders.join(", ")
            );
            let mut query = sqlx::query(&sql).bind(workspace_id);
            for id in chunk {
                query = query.bind(id);
            }
            let rows = query.fetch_all(self.pool()).await?;
            visitors.extend(rows.iter().map(visitor_from_row));
        }
        Ok(visitors)
    }

    /// Lists identified visitors, newest first, one page at a time.
    /// Anonymous widget visitors (no email, external id or company) are
    /// left out.
    pub async fn list_visitors(
        &self,
        workspace_id: &str,
        filter: &VisitorFilter,
    ) -> Result<Vec<VisitorRecord>, sqlx::Error> {
        let (after_created, after_id) = match &filter.after {
            Some(cursor) => (cursor.created_at, cursor.id.clone()),
            None => (i64::MAX, String::new()),
        };
        let sql = format!(
            "SELECT {VISITOR_COLUMNS} FROM visitors \
             WHERE workspace_id = $1 \
               AND (email IS NOT NULL OR external_id IS NOT NULL OR company <> '{{}}') \
               AND ($2 = '' OR push_status = $2) \
               AND (created_at < $3 OR (created_at = $3 AND id < $4) OR $4 = '') \
             ORDER BY created_at DESC, id DESC LIMIT $5"
        );
        let rows = sqlx::query(&sql)
            .bind(workspace_id)
            .bind(filter.push_status.clone().unwrap_or_default())
            .bind(after_created)
            .bind(after_id)
            .bind(filter.limit)
            .fetch_all(self.pool())
            .await?;
        Ok(rows.iter().map(visitor_from_row).collect())
    }

    /// Lists the latest `limit` pages a visitor viewed, newest first.
    pub async fn page_views(
        &self,
        visitor_id: &str,
        limit: i64,
    ) -> Result<Vec<PageView>, sqlx::Error> {
        let rows = sqlx::query(
            "SELECT url, title, viewed_at FROM page_views WHERE visitor_id = $1 \
             ORDER BY viewed_at DESC, id DESC LIMIT $2",
        )
        .bind(visitor_id)
        .bind(limit)
        .fetch_all(self.pool())
        .await?;
        Ok(rows
            .iter()
            .map(|row| PageView {
                url: row.get("url"),
                title: row.get("title"),
                viewed_at: row.get("viewed_at"),
            })
            .collect())
    }
}

pub(super) fn visitor_from_row(row: &AnyRow) -> VisitorRecord {
    let company: String = row.get("company");
    let skipped: String = row.get("skipped_fields");
    VisitorRecord {
        id: row.get("id"),
        workspace_id: row.get("workspace_id"),
        site_id: row.get("site_id"),
        anonymous_id: row.get("anonymous_id"),
        email: row.get("email"),
        external_id: row.get("external_id"),
        first_name: row.get("first_name"),
        last_name: row.get("last_name"),
        job_title: row.get("job_title"),
        city: row.get("city"),
        country: row.get("country"),
        lead_status: row.get("lead_status"),
        linkedin_url: row.get("linkedin_url"),
        quality_score: row.get("quality_score"),
        // NOTE: a row whose JSON no longer parses reads as empty rather than
        // failing every listing; only this service writes these columns.
        company: serde_json::from_str(&company).unwrap_or_default(),
        data_version: row.get("data_version"),
        push_status: row.get("push_status"),
        last_pushed_at: row.get("last_pushed_at"),
        pushed_data_version: row.get("pushed_data_version"),
        hubspot_portal_id: row.get("hubspot_portal_id"),
        hubspot_contact_id: row.get("hubspot_contact_id"),
        hubspot_company_id: row.get("hubspot_company_id"),
        last_error: row.get("last_error"),
        last_error_action: row.get("last_error_action"),
        skipped_fields: serde_json::from_str(&skipped).unwrap_or_default(),
        created_at: row.get("created_at"),
        updated_at: row.get("updated_at"),
    }
}
