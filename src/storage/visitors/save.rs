//! Creating and updating identified visitors from the admin API.

use std::collections::HashSet;

use sqlx::Row;

use super::VISITOR_COLUMNS;
use super::read::VisitorRecord;
use crate::domain::{PageInput, VisitorInput};
use crate::storage::{Db, is_unique_violation, to_json_text};

/// How many times a save is retried when a concurrent save changed the same
/// visitor between our read and our write.
const MAX_SAVE_ATTEMPTS: usize = 5;

/// The outcome of [`Db::save_visitor`].
#[derive(Debug, Clone, PartialEq)]
pub struct SavedVisitor {
    pub id: String,
    /// True when a new visitor was stored, false when one was updated.
    pub created: bool,
    pub data_version: i64,
}

/// Failure of [`Db::save_visitor`].
#[derive(Debug, thiserror::Error)]
pub enum SaveVisitorError {
    /// `email` and `external_id` belong to two different stored visitors.
    #[error(
        "email belongs to visitor {email_visitor_id} and external_id to visitor {external_visitor_id}"
    )]
    IdentifierConflict {
        email_visitor_id: String,
        external_visitor_id: String,
    },
    /// Concurrent writers kept changing the visitor.
    #[error("the visitor kept changing during the save; retry")]
    Contended,
    #[error(transparent)]
    Database(#[from] sqlx::Error),
}

impl Db {
    /// Creates a visitor or updates the one with the same email (or else the
    /// same external id). Fields given overwrite stored ones, fields left out
    /// keep their stored value, and pages are added unless already stored.
    /// A change bumps `data_version`.
    pub async fn save_visitor(
        &self,
        workspace_id: &str,
        input: &VisitorInput,
        now_ms: i64,
    ) -> Result<SavedVisitor, SaveVisitorError> {
        for _ in 0..MAX_SAVE_ATTEMPTS {
            let existing = self.find_by_identifiers(workspace_id, input).await?;
            let outcome = match existing {
                None => self.insert_visitor(workspace_id, input, now_ms).await,
                Some(visitor) => self.update_visitor(&visitor, input, now_ms).await,
            };
            match outcome {
                Ok(Some(saved)) => return Ok(saved),
                // Lost a race with another save: read again.
                Ok(None) => continue,
                Err(error) if is_identifier_violation(&error) => continue,
                Err(error) => return Err(error.into()),
            }
        }
        Err(SaveVisitorError::Contended)
    }

    pub(super) async fn find_by_identifiers(
        &self,
        workspace_id: &str,
        input: &VisitorInput,
    ) -> Result<Option<VisitorRecord>, SaveVisitorError> {
        let by_email = match &input.email {
            Some(email) => {
                self.visitor_by_column(workspace_id, "email", email.as_str())
                    .await?
            }
            None => None,
        };
        let by_external = match &input.external_id {
            Some(external_id) => {
                self.visitor_by_column(workspace_id, "external_id", external_id)
                    .await?
            }
            None => None,
        };
        match (by_email, by_external) {
            (Some(email_visitor), Some(external_visitor))
                if email_visitor.id != external_visitor.id =>
            {
                Err(SaveVisitorError::IdentifierConflict {
                    email_visitor_id: email_visitor.id,
                    external_visitor_id: external_visitor.id,
                })
            }
            (Some(visitor), _) | (None, Some(visitor)) => Ok(Some(visitor)),
            (None, None) => Ok(None),
        }
    }

    pub(super) async fn visitor_by_column(
        &self,
        workspace_id: &str,
        column: &'static str,
        value: &str,
    ) -> Result<Option<VisitorRecord>, sqlx::Error> {
        let sql = format!(
            "SELECT {VISITOR_COLUMNS} FROM visitors WHERE workspace_id = $1 AND {column} = $2"
        );
        let row = sqlx::query(&sql)
            .bind(workspace_id)
            .bind(value)
            .fetch_optional(self.pool())
            .await?;
        Ok(row.as_ref().map(super::read::visitor_from_row))
    }

    async fn insert_visitor(
        &self,
        workspace_id: &str,
        input: &VisitorInput,
        now_ms: i64,
    ) -> Result<Option<SavedVisitor>, sqlx::Error> {
        let id = uuid::Uuid::new_v4().to_string();
        let company = input.company.clone().unwrap_or_default();
        let mut transaction = self.pool().begin().await?;
        sqlx::query(
            "INSERT INTO visitors (id, workspace_id, email, external_id, first_name, last_name, \
             job_title, city, country, lead_status, linkedin_url, quality_score, company, \
             data_version, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, 1, $14, $14)",
        )
        .bind(&id)
        .bind(workspace_id)
        .bind(input.email.as_ref().map(|email| email.as_str().to_string()))
        .bind(&input.external_id)
        .bind(&input.first_name)
        .bind(&input.last_name)
        .bind(&input.job_title)
        .bind(&input.city)
        .bind(&input.country)
        .bind(&input.lead_status)
        .bind(&input.linkedin_url)
        .bind(input.quality_score)
        .bind(to_json_text(&company))
        .bind(now_ms)
        .execute(&mut *transaction)
        .await?;
        insert_pages(&mut transaction, workspace_id, &id, &input.pages).await?;
        transaction.commit().await?;
        Ok(Some(SavedVisitor {
            id,
            created: true,
            data_version: 1,
        }))
    }

    /// Writes the merged visitor unless another writer changed it since
    /// `stored` was read. `None` means one did, so the caller reads again.
    pub(super) async fn update_visitor(
        &self,
        stored: &VisitorRecord,
        input: &VisitorInput,
        now_ms: i64,
    ) -> Result<Option<SavedVisitor>, sqlx::Error> {
        let merged = merge(stored, input);
        let known_pages = self.page_keys(&stored.id).await?;
        let new_pages: Vec<PageInput> = input
            .pages
            .iter()
            .filter(|page| {
                !known_pages.contains(&(page.url.clone(), page.viewed_at.timestamp_millis()))
            })
            .cloned()
            .collect();
        let changed = merged != *stored || !new_pages.is_empty();
        if !changed {
            return Ok(Some(SavedVisitor {
                id: stored.id.clone(),
                created: false,
                data_version: stored.data_version,
            }));
        }
        let next_version = stored.data_version + 1;
        let mut transaction = self.pool().begin().await?;
        let updated = sqlx::query(
            "UPDATE visitors SET email = $1, external_id = $2, first_name = $3, last_name = $4, \
             job_title = $5, city = $6, country = $7, lead_status = $8, linkedin_url = $9, \
             quality_score = $10, company = $11, data_version = $12, updated_at = $13 \
             WHERE id = $14 AND data_version = $15",
        )
        .bind(&merged.email)
        .bind(&merged.external_id)
        .bind(&merged.first_name)
        .bind(&merged.last_name)
        .bind(&merged.job_title)
        .bind(&merged.city)
        .bind(&merged.country)
        .bind(&merged.lead_status)
        .bind(&merged.linkedin_url)
        .bind(merged.quality_score)
        .bind(to_json_text(&merged.company))
        .bind(next_version)
        .bind(now_ms)
        .bind(&stored.id)
        .bind(stored.data_version)
        .execute(&mut *transaction)
        .await?;
        if updated.rows_affected() == 0 {
            return Ok(None);
        }
        insert_pages(
            &mut transaction,
            &stored.workspace_id,
            &stored.id,
            &new_pages,
        )
        .await?;
        transaction.commit().await?;
        Ok(Some(SavedVisitor {
            id: stored.id.clone(),
            created: false,
            data_version: next_version,
        }))
    }

    async fn page_keys(&self, visitor_id: &str) -> Result<HashSet<(String, i64)>, sqlx::Error> {
        let rows = sqlx::query("SELECT url, viewed_at FROM page_views WHERE visitor_id = $1")
            .bind(visitor_id)
            .fetch_all(self.pool())
            .await?;
        Ok(rows
            .iter()
            .map(|row| (row.get("url"), row.get("viewed_at")))
            .collect())
    }
}

/// Returns the stored visitor with every field given in `input` copied
/// over it.
fn merge(stored: &VisitorRecord, input: &VisitorInput) -> VisitorRecord {
    let mut merged = stored.clone();
    let text_fields = [
        (&mut merged.external_id, &input.external_id),
        (&mut merged.first_name, &input.first_name),
        (&mut merged.last_name, &input.last_name),
        (&mut merged.job_title, &input.job_title),
        (&mut merged.city, &input.city),
        (&mut merged.country, &input.country),
        (&mut merged.lead_status, &input.lead_status),
        (&mut merged.linkedin_url, &input.linkedin_url),
    ];
    for (current, given) in text_fields {
        if given.is_some() {
            current.clone_from(given);
        }
    }
    if let Some(email) = &input.email {
        merged.email = Some(email.as_str().to_string());
    }
    if input.quality_score.is_some() {
        merged.quality_score = input.quality_score;
    }
    if let Some(company) = &input.company {
        merged.company.merge(company);
    }
    merged
}

pub(super) async fn insert_pages(
    connection: &mut sqlx::AnyConnection,
    workspace_id: &str,
    visitor_id: &str,
    pages: &[PageInput],
) -> Result<(), sqlx::Error> {
    for page in pages {
        sqlx::query(
            "INSERT INTO page_views (id, workspace_id, visitor_id, url, title, viewed_at) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(uuid::Uuid::new_v4().to_string())
        .bind(workspace_id)
        .bind(visitor_id)
        .bind(&page.url)
        .bind(&page.title)
        .bind(page.viewed_at.timestamp_millis())
        .execute(&mut *connection)
        .await?;
    }
    Ok(())
}

fn is_identifier_violation(error: &sqlx::Error) -> bool {
    is_unique_violation(error, "visitors_workspace_email")
        || is_unique_violation(error, "visitors_workspace_external_id")
        || is_unique_violation(error, "visitors_workspace_anonymous_id")
}
