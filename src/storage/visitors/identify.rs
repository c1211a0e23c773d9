//! Linking a widget's anonymous visitor to an identified person.
//!
//! A widget visitor starts as a row keyed by the widget's `anonymous_id`.
//! When the site names the person (the widget's `identify` frame, or
//! `POST /api/v1/visitors` with `anonymous_id`), one of three things
//! happens:
//!
//! - nobody with that email or external id is stored: the anonymous row
//!   takes the identity and the fields;
//! - someone is stored and the anonymous row has no identity of its own: the
//!   anonymous row is merged into the stored visitor (pages, sessions,
//!   bookings and pushes move over, then the row is deleted) and the
//!   anonymous id becomes an alias of the stored visitor;
//! - the anonymous row already belongs to another person (a shared browser):
//!   its pages stay with that person and the anonymous id moves on to the
//!   newly identified visitor.

use sqlx::Row;

use super::read::VisitorRecord;
use super::save::{SaveVisitorError, SavedVisitor};
use crate::domain::{CompanyInput, VisitorInput};
use crate::storage::Db;

/// Attempts before giving up when concurrent writers keep changing the
/// visitors involved.
const MAX_LINK_ATTEMPTS: usize = 5;

/// The outcome of [`Db::identify_anonymous_visitor`].
#[derive(Debug, Clone, PartialEq)]
pub struct LinkedVisitor {
    /// The identified visitor that the anonymous id now points at.
    pub visitor: SavedVisitor,
    /// The anonymous visitor that was merged into it and deleted, if any.
    pub merged_visitor_id: Option<String>,
}

impl Db {
    /// Identifies the widget visitor `anonymous_id` as the person in `input`
    /// (found by email, or else by external id), as described in the module
    /// documentation. Fields given overwrite stored ones and a change bumps
    /// `data_version`; page views are never lost.
    pub async fn identify_anonymous_visitor(
        &self,
        workspace_id: &str,
        anonymous_id: &str,
        input: &VisitorInput,
        now_ms: i64,
    ) -> Result<LinkedVisitor, SaveVisitorError> {
        let mut input = input.clone();
        let mut merged_visitor_id = None;
        for _ in 0..MAX_LINK_ATTEMPTS {
            let anonymous = self.visitor_by_anonymous_id(workspace_id, anonymous_id).await?;
            let known = self.find_by_identifiers(workspace_id, &input).await?;
            let outcome = match (anonymous, known) {
                (Some(anonymous), Some(known)) if anonymous.id == known.id => {
                    self.update_visitor(&known, &input, now_ms).await
                }
                (Some(anonymous), Some(known)) if has_no_identity(&anonymous) => {
                    if self.merge_visitor(&anonymous, &known, anonymous_id, now_ms).await? {
                        input = with_missing_fields(&input, &anonymous, &known);
                        merged_visitor_id = Some(anonymous.id);
                    }
                    // The next pass finds the anonymous id on `known`.
                    continue;
                }
                (Some(anonymous), None) if !identity_conflicts(&anonymous, &input) => {
                    self.update_visitor(&anonymous, &input, now_ms).await
                }
                _ => {
                    let saved = self.save_visitor(workspace_id, &input, now_ms).await?;
                    self.link_anonymous_id(workspace_id, anonymous_id, &saved.id, now_ms).await?;
                    return Ok(LinkedVisitor { visitor: saved, merged_visitor_id });
                }
            };
            match outcome {
                Ok(Some(saved)) => return Ok(LinkedVisitor { visitor: saved, merged_visitor_id }),
                // A concurrent writer changed the visitor: read again.
                Ok(None) => continue,
                Err(error) if is_identity_violation(&error) => continue,
                Err(error) => return Err(error.into()),
            }
        }
        Err(SaveVisitorError::Contended)
    }

    /// Finds the visitor that page views of `anonymous_id` belong to: the
    /// visitor it was linked to, or else the anonymous visitor it created.
    pub async fn visitor_by_anonymous_id(
        &self,
        workspace_id: &str,
        anonymous_id: &str,
    ) -> Result<Option<VisitorRecord>, sqlx::Error> {
        let alias = sqlx::query(
            "SELECT visitor_id FROM visitor_aliases WHERE workspace_id = $1 AND anonymous_id = $2",
        )
        .bind(workspace_id)
        .bind(anonymous_id)
        .fetch_optional(self.pool())
        .await?;
        if let Some(row) = alias {
            let visitor_id: String = row.try_get("visitor_id")?;
            if let Some(visitor) = self.visitor(workspace_id, &visitor_id).await? {
                return Ok(Some(visitor));
            }
        }
        self.visitor_by_column(workspace_id, "anonymous_id", anonymous_id).await
    }

    /// Points `anonymous_id` at `visitor_id`, replacing an earlier link.
    async fn link_anonymous_id(
        &self,
        workspace_id: &str,
        anonymous_id: &str,
        visitor_id: &str,
        now_ms: i64,
    ) -> Result<(), sqlx::Error> {
        upsert_alias(self.pool().acquire().await?.as_mut(), workspace_id, anonymous_id, visitor_id, now_ms).await
    }

    /// Moves everything of `anonymous` to `known` and deletes `anonymous`, in
    /// one transaction. Returns false, with nothing changed, when another
    /// writer changed `anonymous` since it was read.
    async fn merge_visitor(
        &self,
        anonymous: &VisitorRecord,
        known: &VisitorRecord,
        anonymous_id: &str,
        now_ms: i64,
    ) -> Result<bool, sqlx::Error> {
        let mut transaction = self.pool().begin().await?;
        let moves = [
            "UPDATE page_views SET visitor_id = $1 WHERE visitor_id = $2",
            "UPDATE widget_sessions SET visitor_id = $1 WHERE visitor_id = $2",
            "UPDATE bookings SET visitor_id = $1 WHERE visitor_id = $2",
            "UPDATE push_jobs SET visitor_id = $1 WHERE visitor_id = $2",
            "UPDATE visitor_aliases SET visitor_id = $1 WHERE visitor_id = $2",
            // A run keeps its (workflow, visitor, data version) key unique,
            // so a run whose key the known visitor already has is dropped.
            "UPDATE workflow_runs SET visitor_id = $1 WHERE visitor_id = $2 AND NOT EXISTS \
             (SELECT 1 FROM workflow_runs AS other WHERE other.visitor_id = $1 \
              AND other.workflow_id = workflow_runs.workflow_id \
              AND other.data_version = workflow_runs.data_version)",
            "DELETE FROM workflow_runs WHERE visitor_id = $2",
        ];
        for sql in moves {
            sqlx::query(sql)
                .bind(&known.id)
                .bind(&anonymous.id)
                .execute(&mut *transaction)
                .await?;
        }
        let deleted = sqlx::query("DELETE FROM visitors WHERE id = $1 AND data_version = $2")
            .bind(&anonymous.id)
            .bind(anonymous.data_version)
            .execute(&mut *transaction)
            .await?;
        if deleted.rows_affected() == 0 {
            return Ok(false);
        }
        upsert_alias(&mut transaction, &known.workspace_id, anonymous_id, &known.id, now_ms).await?;
        transaction.commit().await?;
        tracing::info!(
            workspace_id = %known.workspace_id,
            visitor_id = %known.id,
            merged_visitor_id = %anonymous.id,
            "anonymous visitor {} merged into visitor {}",
            anonymous.id,
            known.id
        );
        Ok(true)
    }
}

async fn upsert_alias(
    connection: &mut sqlx::AnyConnection,
    workspace_id: &str,
    anonymous_id: &str,
    visitor_id: &str,
    now_ms: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO visitor_aliases (workspace_id, anonymous_id, visitor_id, created_at) \
         VALUES ($1, $2, $3, $4) \
         ON CONFLICT (workspace_id, anonymous_id) DO UPDATE SET visitor_id = excluded.visitor_id",
    )
    .bind(workspace_id)
    .bind(anonymous_id)
    .bind(visitor_id)
    .bind(now_ms)
    .execute(&mut *connection)
    .await?;
    Ok(())
}

/// Whether a visitor is still only an anonymous widget visitor: no email,
/// no external id and never stored in HubSpot, so it can be merged away.
fn has_no_identity(visitor: &VisitorRecord) -> bool {
    visitor.email.is_none() && visitor.external_id.is_none() && visitor.hubspot_contact_id.is_none()
}

/// Whether `input` names another person than the one `visitor` already is.
fn identity_conflicts(visitor: &VisitorRecord, input: &VisitorInput) -> bool {
    let email_differs = match (&visitor.email, &input.email) {
        (Some(stored), Some(given)) => stored != given.as_str(),
        _ => false,
    };
    let external_id_differs = match (&visitor.external_id, &input.external_id) {
        (Some(stored), Some(given)) => stored != given,
        _ => false,
    };
    email_differs || external_id_differs
}

/// Returns `input` plus the fields the merged `anonymous` visitor had and
/// `known` lacks, so a merge keeps what the anonymous visitor already had
/// (a quality score set through the API, say). Fields in `input` win.
fn with_missing_fields(input: &VisitorInput, anonymous: &VisitorRecord, known: &VisitorRecord) -> VisitorInput {
    let fill = |given: &Option<String>, stored: &Option<String>, merged: &Option<String>| {
        given.clone().or_else(|| if stored.is_none() { merged.clone() } else { None })
    };
    let mut company = anonymous.company.clone();
    company.merge(&known.company);
    if let Some(given) = &input.company {
        company.merge(given);
    }
    VisitorInput {
        first_name: fill(&input.first_name, &known.first_name, &anonymous.first_name),
        last_name: fill(&input.last_name, &known.last_name, &anonymous.last_name),
        job_title: fill(&input.job_title, &known.job_title, &anonymous.job_title),
        city: fill(&input.city, &known.city, &anonymous.city),
        country: fill(&input.country, &known.country, &anonymous.country),
        quality_score: input
            .quality_score
            .or(if known.quality_score.is_none() { anonymous.quality_score } else { None }),
        company: Some(company).filter(|company: &CompanyInput| !company.is_empty()),
        ..input.clone()
    }
}

fn is_identity_violation(error: &sqlx::Error) -> bool {
    ["visitors_workspace_email", "visitors_workspace_external_id", "visitors_workspace_anonymous_id"]
        .iter()
        .any(|index| crate::storage::is_unique_violation(error, index))
}
