//! Workspaces (one per customer company) and their sites.

use sqlx::Row;

use super::{Db, to_json_text};
use crate::crypto::hash_token;

/// A customer company using slotchat.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Workspace {
    pub id: String,
    pub name: String,
    pub created_at: i64,
}

/// A website that embeds the widget.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Site {
    pub id: String,
    pub workspace_id: String,
    pub name: String,
    pub site_key: String,
    /// Origins (`scheme://host[:port]`) allowed to open the widget socket.
    pub allowed_origins: Vec<String>,
    pub created_at: i64,
}

impl Db {
    /// Creates a workspace whose admin token is `admin_token` (stored hashed).
    pub async fn create_workspace(
        &self,
        name: &str,
        admin_token: &str,
        now_ms: i64,
    ) -> Result<Workspace, sqlx::Error> {
        let id = uuid::Uuid::new_v4().to_string();
        sqlx::query(
            "INSERT INTO workspaces (id, name, admin_token_hash, created_at) VALUES ($1, $2, $3, $4)",
        )
        .bind(&id)
        .bind(name)
        .bind(hash_token(admin_token))
        .bind(now_ms)
        .execute(self.pool())
        .await?;
        Ok(Workspace { id, name: name.to_string(), created_at: now_ms })
    }

    /// Finds the workspace whose admin token is `admin_token`.
    pub async fn workspace_by_admin_token(
        &self,
        admin_token: &str,
    ) -> Result<Option<Workspace>, sqlx::Error> {
        let row = sqlx::query(
            "SELECT id, name, created_at FROM workspaces WHERE admin_token_hash = $1",
        )
        .bind(hash_token(admin_token))
        .fetch_optional(self.pool())
        .await?;
        Ok(row.map(|row| Workspace {
            id: row.get("id"),
            name: row.get("name"),
            created_at: row.get("created_at"),
        }))
    }

    /// Finds a workspace by id.
    pub async fn workspace(&self, id: &str) -> Result<Option<Workspace>, sqlx::Error> {
        let row = sqlx::query("SELECT id, name, created_at FROM workspaces WHERE id = $1")
            .bind(id)
            .fetch_optional(self.pool())
            .await?;
        Ok(row.map(|row| Workspace {
            id: row.get("id"),
            name: row.get("name"),
            created_at: row.get("created_at"),
        }))
    }

    /// Creates a site for a workspace with a fresh site key.
    pub async fn create_site(
        &self,
        workspace_id: &str,
        name: &str,
        allowed_origins: &[String],
        now_ms: i64,
    ) -> Result<Site, sqlx::Error> {
        let id = uuid::Uuid::new_v4().to_string();
        let site_key = format!("site_{}", uuid::Uuid::new_v4().simple());
        sqlx::query(
            "INSERT INTO sites (id, workspace_id, name, site_key, allowed_origins, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(&id)
        .bind(workspace_id)
        .bind(name)
        .bind(&site_key)
        .bind(to_json_text(&allowed_origins))
        .bind(now_ms)
        .execute(self.pool())
        .await?;
        Ok(Site {
            id,
            workspace_id: workspace_id.to_string(),
            name: name.to_string(),
            site_key,
            allowed_origins: allowed_origins.to_vec(),
            created_at: now_ms,
        })
    }

    /// Finds a site by its public site key.
    pub async fn site_by_key(&self, site_key: &str) -> Result<Option<Site>, sqlx::Error> {
        let row = sqlx::query(
            "SELECT id, workspace_id, name, site_key, allowed_origins, created_at \
             FROM sites WHERE site_key = $1",
        )
        .bind(site_key)
        .fetch_optional(self.pool())
        .await?;
        Ok(row.map(|row| site_from_row(&row)))
    }

    /// Lists the sites of a workspace, oldest first.
    pub async fn sites_of_workspace(&self, workspace_id: &str) -> Result<Vec<Site>, sqlx::Error> {
        let rows = sqlx::query(
            "SELECT id, workspace_id, name, site_key, allowed_origins, created_at \
             FROM sites WHERE workspace_id = $1 ORDER BY created_at, id",
        )
        .bind(workspace_id)
        .fetch_all(self.pool())
        .await?;
        Ok(rows.iter().map(site_from_row).collect())
    }
}

fn site_from_row(row: &sqlx::any::AnyRow) -> Site {
    let origins: String = row.get("allowed_origins");
    Site {
        id: row.get("id"),
        workspace_id: row.get("workspace_id"),
        name: row.get("name"),
        site_key: row.get("site_key"),
        allowed_origins: serde_json::from_str(&origins).unwrap_or_default(),
        created_at: row.get("created_at"),
    }
}
