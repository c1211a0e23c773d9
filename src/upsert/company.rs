//! The company step. A remembered company is updated by id. Otherwise the
//! company key is claimed and HubSpot is searched by domain, where the
//! oldest match wins. Then the contact's own companies are checked, and
//! only then is a company created. The claim stops two pushes from creating
//! one company twice, which HubSpot itself does not prevent.

use super::context::{PushError, UpsertContext};
use super::crm::{CrmApi, CrmError, CrmObject, CrmRecord, NewRecord, Properties};
use super::validation::send_dropping_rejected;
use crate::domain::CompanyDomain;
use crate::storage::visitors::SkippedField;

/// The company a push writes.
pub struct CompanyTarget<'a> {
    pub workspace_id: &'a str,
    pub portal_id: i64,
    pub domain: Option<&'a CompanyDomain>,
    pub visitor_id: &'a str,
    /// The company id stored on the visitor by an earlier push in this portal.
    pub visitor_company_id: Option<&'a str>,
    /// The contact, whose associated companies are checked before creating.
    pub contact_id: Option<&'a str>,
}

impl CompanyTarget<'_> {
    /// `domain:acme.com`, or `visitor:<id>` for a company without a domain.
    pub fn key(&self) -> String {
        company_key(self.domain, self.visitor_id)
    }
}

/// Returns the key under which a company is remembered per portal.
pub fn company_key(domain: Option<&CompanyDomain>, visitor_id: &str) -> String {
    match domain {
        Some(domain) => format!("domain:{domain}"),
        None => format!("visitor:{visitor_id}"),
    }
}

/// Updates or creates the company; returns its id and whether it was
/// created.
pub async fn upsert_company<C: CrmApi>(
    context: &UpsertContext<'_, C>,
    target: &CompanyTarget<'_>,
    properties: Properties,
    skipped_fields: &mut Vec<SkippedField>,
) -> Result<(String, bool), PushError> {
    let key = target.key();
    let remembered = remembered_id(context, target, &key).await?;
    if let Some(id) = &remembered {
        match update(context, target, id, properties.clone(), skipped_fields).await {
            Ok(()) => return Ok((id.clone(), false)),
            Err(CrmError::NotFound) => {
                tracing::warn!(company_id = %id, "remembered company is gone; matching again")
            }
            Err(error) => return Err(error.into()),
        }
    }
    let now = context.clock.now_ms();
    let (workspace_id, portal_id) = (target.workspace_id, target.portal_id);
    let claimed = context
        .db
        .claim_company_key(
            workspace_id,
            portal_id,
            &key,
            context.worker_id,
            now,
            now + context.claim_ms,
        )
        .await?;
    if !claimed {
        return Err(PushError::CompanyBusy);
    }
    let matched = match_or_create(
        context,
        target,
        &key,
        remembered.as_deref(),
        properties,
        skipped_fields,
    )
    .await;
    match &matched {
        Ok((id, _)) => {
            let now = context.clock.now_ms();
            context
                .db
                .set_company_key(
                    workspace_id,
                    portal_id,
                    &key,
                    Some(id),
                    context.worker_id,
                    now,
                )
                .await?;
        }
        Err(PushError::Crm(CrmError::Timeout { request_sent: true })) => {
            let until = context.clock.now_ms() + context.claim_ms;
            context
                .db
                .hold_company_key(workspace_id, portal_id, &key, until)
                .await?;
        }
        Err(_) => {
            context
                .db
                .release_company_key(workspace_id, portal_id, &key, context.worker_id)
                .await?
        }
    }
    matched
}

async fn remembered_id<C: CrmApi>(
    context: &UpsertContext<'_, C>,
    target: &CompanyTarget<'_>,
    key: &str,
) -> Result<Option<String>, PushError> {
    let rows = context
        .db
        .company_keys(target.workspace_id, target.portal_id, &[key.to_string()])
        .await?;
    let stored = rows.into_iter().find_map(|row| row.hubspot_company_id);
    let from_visitor = || {
        target
            .domain
            .is_none()
            .then(|| target.visitor_company_id.map(str::to_string))
            .flatten()
    };
    Ok(stored.or_else(from_visitor))
}

async fn match_or_create<C: CrmApi>(
    context: &UpsertContext<'_, C>,
    target: &CompanyTarget<'_>,
    key: &str,
    gone_id: Option<&str>,
    properties: Properties,
    skipped_fields: &mut Vec<SkippedField>,
) -> Result<(String, bool), PushError> {
    // Another push may have stored the company between our read and claim.
    let rows = context
        .db
        .company_keys(target.workspace_id, target.portal_id, &[key.to_string()])
        .await?;
    let stored = rows
        .into_iter()
        .find_map(|row| row.hubspot_company_id)
        .filter(|id| Some(id.as_str()) != gone_id);
    let found = match stored {
        Some(id) => Some(id),
        None => find_existing(context, target).await?,
    };
    if let Some(id) = found {
        update(context, target, &id, properties, skipped_fields).await?;
        return Ok((id, false));
    }
    let scope = (target.workspace_id, target.portal_id);
    let created = send_dropping_rejected(
        context,
        scope,
        CrmObject::Companies,
        properties,
        skipped_fields,
        |properties| {
            let record = NewRecord {
                properties,
                associations: Vec::new(),
                trace_id: None,
            };
            context
                .crm
                .create_record(target.workspace_id, CrmObject::Companies, record)
        },
    )
    .await?;
    tracing::info!(company_id = %created.id, "created HubSpot company {}", created.id);
    Ok((created.id, true))
}

/// Searches by domain, then checks the contact's companies, which HubSpot
/// may have created from the contact's email domain in the background.
async fn find_existing<C: CrmApi>(
    context: &UpsertContext<'_, C>,
    target: &CompanyTarget<'_>,
) -> Result<Option<String>, PushError> {
    let Some(domain) = target.domain else {
        return Ok(None);
    };
    let domains = [domain.to_string()];
    let matches = context
        .crm
        .search_companies_by_domains(target.workspace_id, &domains, &["domain", "createdate"])
        .await?;
    if let Some(oldest) = oldest_with_domain(&matches, domain) {
        return Ok(Some(oldest));
    }
    let Some(contact_id) = target.contact_id else {
        return Ok(None);
    };
    let associated = context
        .crm
        .read_associations(
            target.workspace_id,
            (CrmObject::Contacts, contact_id),
            CrmObject::Companies,
        )
        .await?;
    for company in associated {
        let record = context
            .crm
            .get_record(
                target.workspace_id,
                CrmObject::Companies,
                &company.id,
                &["domain", "createdate"],
            )
            .await?;
        if let Some(record) = record.filter(|record| same_domain(record, domain)) {
            return Ok(Some(record.id));
        }
    }
    Ok(None)
}

/// Returns the oldest of `records` whose `domain` normalises to `domain`.
/// Ties go to the lower numeric id.
pub fn oldest_with_domain(records: &[CrmRecord], domain: &CompanyDomain) -> Option<String> {
    records
        .iter()
        .filter(|record| same_domain(record, domain))
        .min_by_key(|record| {
            let created = record
                .property("createdate")
                .map(str::to_string)
                .or_else(|| record.created_at.clone());
            (
                created.unwrap_or_default(),
                record.id.parse::<u64>().unwrap_or(u64::MAX),
            )
        })
        .map(|record| record.id.clone())
}

fn same_domain(record: &CrmRecord, domain: &CompanyDomain) -> bool {
    record
        .property("domain")
        .and_then(|value| CompanyDomain::parse(value).ok())
        .is_some_and(|value| &value == domain)
}

async fn update<C: CrmApi>(
    context: &UpsertContext<'_, C>,
    target: &CompanyTarget<'_>,
    id: &str,
    properties: Properties,
    skipped_fields: &mut Vec<SkippedField>,
) -> Result<(), CrmError> {
    let scope = (target.workspace_id, target.portal_id);
    send_dropping_rejected(
        context,
        scope,
        CrmObject::Companies,
        properties,
        skipped_fields,
        |properties| {
            context
                .crm
                .update_record(target.workspace_id, CrmObject::Companies, id, properties)
        },
    )
    .await
    .map(|_| ())
}
