//! HubSpot companies that pushes matched or created, per workspace, portal
//! and company key (`domain:acme.com`, or `visitor:<id>` for a company
//! without a domain). A row is claimed while its company is looked up or
//! created, so concurrent pushes never create the same company twice.

use sqlx::Row;

use super::Db;

/// The state of one company key.
#[derive(Debug, Clone, PartialEq)]
pub struct CompanyKeyRow {
    pub company_key: String,
    pub hubspot_company_id: Option<String>,
}

impl Db {
    /// Reads company keys of one workspace and portal; keys never seen are
    /// left out.
    pub async fn company_keys(
        &self,
        workspace_id: &str,
        portal_id: i64,
        keys: &[String],
    ) -> Result<Vec<CompanyKeyRow>, sqlx::Error> {
        let mut found = Vec::new();
        for chunk in keys.chunks(200) {
            let placeholders: Vec<String> = (0..chunk.len())
                .map(|index| format!("${}", index + 3))
                .collect();
            let sql = format!(
                "SELECT company_key, hubspot_company_id FROM hubspot_companies \
                 WHERE workspace_id = $1 AND portal_id = $2 AND company_key IN ({})",
                placeholders.join(", ")
            );
            let mut query = sqlx::query(&sql).bind(workspace_id).bind(portal_id);
            for key in chunk {
                query = query.bind(key);
            }
            let rows = query.fetch_all(self.pool()).await?;
            found.extend(rows.iter().map(|row| CompanyKeyRow {
                company_key: row.get("company_key"),
                hubspot_company_id: row.get("hubspot_company_id"),
            }));
        }
        Ok(found)
    }

    /// Claims `key` for `worker_id` until `until_ms`, creating its row when
    /// needed. Returns false when another worker holds an unexpired claim.
    pub async fn claim_company_key(
        &self,
        workspace_id: &str,
        portal_id: i64,
        key: &str,
        worker_id: &str,
        now_ms: i64,
        until_ms: i64,
    ) -> Result<bool, sqlx::Error> {
        sqlx::query(
            "INSERT INTO hubspot_companies (workspace_id, portal_id, company_key, updated_at) \
             VALUES ($1, $2, $3, $4) ON CONFLICT (workspace_id, portal_id, company_key) DO NOTHING",
        )
        .bind(workspace_id)
        .bind(portal_id)
        .bind(key)
        .bind(now_ms)
        .execute(self.pool())
        .await?;
        let claimed = sqlx::query(
            "UPDATE hubspot_companies SET claimed_by = $1, claimed_until = $2 \
             WHERE workspace_id = $3 AND portal_id = $4 AND company_key = $5 \
             AND (claimed_until IS NULL OR claimed_until < $6 OR claimed_by = $1)",
        )
        .bind(worker_id)
        .bind(until_ms)
        .bind(workspace_id)
        .bind(portal_id)
        .bind(key)
        .bind(now_ms)
        .execute(self.pool())
        .await?;
        Ok(claimed.rows_affected() == 1)
    }

    /// Stores the HubSpot company of `key` (or forgets it with `None`) and
    /// releases `worker_id`'s claim.
    pub async fn set_company_key(
        &self,
        workspace_id: &str,
        portal_id: i64,
        key: &str,
        company_id: Option<&str>,
        worker_id: &str,
        now_ms: i64,
    ) -> Result<(), sqlx::Error> {
        sqlx::query(
            "UPDATE hubspot_companies SET hubspot_company_id = $1, updated_at = $2, \
             claimed_by = CASE WHEN claimed_by = $3 THEN NULL ELSE claimed_by END, \
             claimed_until = CASE WHEN claimed_by = $3 THEN NULL ELSE claimed_until END \
             WHERE workspace_id = $4 AND portal_id = $5 AND company_key = $6",
        )
        .bind(company_id)
        .bind(now_ms)
        .bind(worker_id)
        .bind(workspace_id)
        .bind(portal_id)
        .bind(key)
        .execute(self.pool())
        .await?;
        Ok(())
    }

    /// Releases `worker_id`'s claim on `key` without changing its company.
    pub async fn release_company_key(
        &self,
        workspace_id: &str,
        portal_id: i64,
        key: &str,
        worker_id: &str,
    ) -> Result<(), sqlx::Error> {
        sqlx::query(
            "UPDATE hubspot_companies SET claimed_by = NULL, claimed_until = NULL \
             WHERE workspace_id = $1 AND portal_id = $2 AND company_key = $3 AND claimed_by = $4",
        )
        .bind(workspace_id)
        .bind(portal_id)
        .bind(key)
        .bind(worker_id)
        .execute(self.pool())
        .await?;
        Ok(())
    }

    /// Keeps `key` claimed by nobody until `until_ms`, after a create that
    /// may have landed without an answer: by then HubSpot's search shows
    /// the company, so the next lookup finds it instead of creating another.
    pub async fn hold_company_key(
        &self,
        workspace_id: &str,
        portal_id: i64,
        key: &str,
        until_ms: i64,
    ) -> Result<(), sqlx::Error> {
        sqlx::query(
            "UPDATE hubspot_companies SET claimed_by = 'settling', claimed_until = $1 \
             WHERE workspace_id = $2 AND portal_id = $3 AND company_key = $4",
        )
        .bind(until_ms)
        .bind(workspace_id)
        .bind(portal_id)
        .bind(key)
        .execute(self.pool())
        .await?;
        Ok(())
    }
}
