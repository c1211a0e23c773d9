//! Widget sessions: what a reconnecting widget resumes.

use sqlx::Row;

use super::Db;
use crate::crypto::hash_token;

/// A stored widget session.
#[derive(Debug, Clone)]
pub struct WidgetSession {
    pub id: String,
    pub site_id: String,
    pub workspace_id: String,
    pub visitor_id: Option<String>,
    pub time_zone: String,
    pub locale: String,
    pub last_seen_at: i64,
}

/// Fields of a new widget session.
pub struct NewWidgetSession<'a> {
    pub site_id: &'a str,
    pub workspace_id: &'a str,
    pub resume_token: &'a str,
    pub visitor_id: Option<&'a str>,
    pub time_zone: &'a str,
    pub locale: &'a str,
}

impl Db {
    /// Stores a new session; the resume token is stored hashed.
    pub async fn create_widget_session(
        &self,
        new: NewWidgetSession<'_>,
        now_ms: i64,
    ) -> Result<WidgetSession, sqlx::Error> {
        let id = uuid::Uuid::new_v4().to_string();
        sqlx::query(
            "INSERT INTO widget_sessions (id, site_id, workspace_id, resume_token_hash, visitor_id, \
             time_zone, locale, created_at, last_seen_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8)",
        )
        .bind(&id)
        .bind(new.site_id)
        .bind(new.workspace_id)
        .bind(hash_token(new.resume_token))
        .bind(new.visitor_id)
        .bind(new.time_zone)
        .bind(new.locale)
        .bind(now_ms)
        .execute(self.pool())
        .await?;
        Ok(WidgetSession {
            id,
            site_id: new.site_id.to_string(),
            workspace_id: new.workspace_id.to_string(),
            visitor_id: new.visitor_id.map(str::to_string),
            time_zone: new.time_zone.to_string(),
            locale: new.locale.to_string(),
            last_seen_at: now_ms,
        })
    }

    /// Finds the session of `resume_token` on `site_id` last seen after
    /// `seen_after_ms`.
    pub async fn resumable_widget_session(
        &self,
        site_id: &str,
        resume_token: &str,
        seen_after_ms: i64,
    ) -> Result<Option<WidgetSession>, sqlx::Error> {
        let row = sqlx::query(
            "SELECT id, site_id, workspace_id, visitor_id, time_zone, locale, last_seen_at \
             FROM widget_sessions WHERE resume_token_hash = $1 AND site_id = $2 AND last_seen_at > $3",
        )
        .bind(hash_token(resume_token))
        .bind(site_id)
        .bind(seen_after_ms)
        .fetch_optional(self.pool())
        .await?;
        Ok(row.map(|row| WidgetSession {
            id: row.get("id"),
            site_id: row.get("site_id"),
            workspace_id: row.get("workspace_id"),
            visitor_id: row.get("visitor_id"),
            time_zone: row.get("time_zone"),
            locale: row.get("locale"),
            last_seen_at: row.get("last_seen_at"),
        }))
    }

    /// Records activity on a session and its current zone, locale and visitor.
    /// A visitor that no longer exists (merged into another by an identify
    /// in another tab) leaves the stored visitor, which the merge re-pointed.
    pub async fn touch_widget_session(
        &self,
        session: &WidgetSession,
        now_ms: i64,
    ) -> Result<(), sqlx::Error> {
        sqlx::query(
            "UPDATE widget_sessions SET last_seen_at = $1, time_zone = $2, locale = $3, \
             visitor_id = COALESCE((SELECT id FROM visitors WHERE id = $4), visitor_id) WHERE id = $5",
        )
        .bind(now_ms)
        .bind(&session.time_zone)
        .bind(&session.locale)
        .bind(&session.visitor_id)
        .bind(&session.id)
        .execute(self.pool())
        .await?;
        Ok(())
    }
}
