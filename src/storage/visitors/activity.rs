//! Writes from the widget and the booking path: page views of anonymous
//! visitors and the booker's visitor row.

use super::save::insert_pages;
use crate::domain::{CompanyDomain, CompanyInput, Email, PageInput};
use crate::storage::{Db, is_unique_violation, to_json_text};

/// Attempts of a find-or-insert that lost a race against a concurrent
/// insert of the same visitor.
const MAX_ATTEMPTS: usize = 3;

impl Db {
    /// Records a page view of the widget visitor `anonymous_id`, creating
    /// the anonymous visitor on its first view, and returns the visitor id.
    /// An anonymous id linked to an identified visitor records on that
    /// visitor.
    ///
    /// A page view leaves `data_version` alone: it is activity, not a change
    /// of what slotchat writes to HubSpot's properties, and bumping it would
    /// make every workflow push the visitor again on every page. The pages
    /// still reach HubSpot in the visit note of the visitor's next push.
    pub async fn record_page_view(
        &self,
        workspace_id: &str,
        site_id: &str,
        anonymous_id: &str,
        url: &str,
        title: Option<&str>,
        at_ms: i64,
    ) -> Result<String, sqlx::Error> {
        let visitor_id = self
            .anonymous_visitor_id(workspace_id, site_id, anonymous_id, at_ms)
            .await?;
        let page = PageInput {
            url: url.to_string(),
            title: title.map(str::to_string),
            viewed_at: chrono::DateTime::from_timestamp_millis(at_ms).unwrap_or_default(),
        };
        let mut transaction = self.pool().begin().await?;
        sqlx::query("UPDATE visitors SET updated_at = $1 WHERE id = $2")
        .bind(at_ms)
        .bind(&visitor_id)
        .execute(&mut *transaction)
        .await?;
        insert_pages(&mut transaction, workspace_id, &visitor_id, &[page]).await?;
        transaction.commit().await?;
        Ok(visitor_id)
    }

    async fn anonymous_visitor_id(
        &self,
        workspace_id: &str,
        site_id: &str,
        anonymous_id: &str,
        now_ms: i64,
    ) -> Result<String, sqlx::Error> {
        let mut last_error = None;
        for _ in 0..MAX_ATTEMPTS {
            if let Some(visitor) = self.visitor_by_anonymous_id(workspace_id, anonymous_id).await? {
                return Ok(visitor.id);
            }
            let id = uuid::Uuid::new_v4().to_string();
            let inserted = sqlx::query(
                "INSERT INTO visitors (id, workspace_id, site_id, anonymous_id, created_at, updated_at) \
                 VALUES ($1, $2, $3, $4, $5, $5)",
            )
            .bind(&id)
            .bind(workspace_id)
            .bind(site_id)
            .bind(anonymous_id)
            .bind(now_ms)
            .execute(self.pool())
            .await;
            match inserted {
                Ok(_) => return Ok(id),
                Err(error) if is_unique_violation(&error, "visitors_workspace_anonymous_id") => {
                    last_error = Some(error);
                }
                Err(error) => return Err(error),
            }
        }
        Err(last_error.expect("the loop ran at least once"))
    }

    /// Finds or creates the visitor of a booker by email. Names and the
    /// company name fill in what is given, and a company email's domain
    /// fills in a missing company domain (a free-mail domain never does);
    /// nothing stored is cleared. Bumps `data_version` when something
    /// changed and returns the visitor id.
    #[allow(clippy::too_many_arguments)]
    pub async fn upsert_visitor_from_booking(
        &self,
        workspace_id: &str,
        site_id: &str,
        email: &Email,
        first_name: &str,
        last_name: &str,
        company_name: Option<&str>,
        now_ms: i64,
    ) -> Result<String, sqlx::Error> {
        let email_domain = company_domain_of(email);
        let given = |text: &str| Some(text.trim().to_string()).filter(|text| !text.is_empty());
        let company_name = company_name.and_then(given);
        let mut last_error = None;
        for _ in 0..MAX_ATTEMPTS {
            if let Some(visitor) = self
                .visitor_by_column(workspace_id, "email", email.as_str())
                .await?
            {
                let mut company = visitor.company.clone();
                if company.name.is_none() {
                    company.name.clone_from(&company_name);
                }
                if company.domain.is_none() {
                    company.domain.clone_from(&email_domain);
                }
                let first = given(first_name).or(visitor.first_name.clone());
                let last = given(last_name).or(visitor.last_name.clone());
                let changed = company != visitor.company
                    || first != visitor.first_name
                    || last != visitor.last_name;
                if changed {
                    sqlx::query(
                        "UPDATE visitors SET first_name = $1, last_name = $2, company = $3, \
                         data_version = data_version + 1, updated_at = $4 WHERE id = $5",
                    )
                    .bind(&first)
                    .bind(&last)
                    .bind(to_json_text(&company))
                    .bind(now_ms)
                    .bind(&visitor.id)
                    .execute(self.pool())
                    .await?;
                }
                return Ok(visitor.id);
            }
            let company = CompanyInput {
                name: company_name.clone(),
                domain: email_domain.clone(),
                ..CompanyInput::default()
            };
            let id = uuid::Uuid::new_v4().to_string();
            let inserted = sqlx::query(
                "INSERT INTO visitors (id, workspace_id, site_id, email, first_name, last_name, company, \
                 created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8)",
            )
            .bind(&id)
            .bind(workspace_id)
            .bind(site_id)
            .bind(email.as_str())
            .bind(given(first_name))
            .bind(given(last_name))
            .bind(to_json_text(&company))
            .bind(now_ms)
            .execute(self.pool())
            .await;
            match inserted {
                Ok(_) => return Ok(id),
                Err(error) if is_unique_violation(&error, "visitors_workspace_email") => {
                    last_error = Some(error)
                }
                Err(error) => return Err(error),
            }
        }
        Err(last_error.expect("the loop ran at least once"))
    }
}

/// The company domain of a work email: `None` for free-mail providers.
fn company_domain_of(email: &Email) -> Option<CompanyDomain> {
    CompanyDomain::parse(email.domain()).ok().filter(|domain| !domain.is_free_mail())
}
