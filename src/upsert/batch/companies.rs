//! Companies of a batch. Visitors sharing a company key share one company.
//! Remembered companies are updated. The other keys are claimed, searched
//! by domain in one `IN` search and checked against the contacts' own
//! companies. Only the keys still unmatched get a company, in one batch
//! create. The claims keep concurrent pushes from creating a company twice.

use std::collections::{BTreeMap, HashMap, HashSet};

use super::{Scope, Slot, SlotState};
use crate::domain::CompanyDomain;
use crate::upsert::company::{company_key, oldest_with_domain};
use crate::upsert::context::{PushError, UpsertContext};
use crate::upsert::crm::{
    Associated, CrmApi, CrmError, CrmObject, CrmRecord, NewRecord, Properties,
};

/// The visitors of one company key and their merged company properties.
#[derive(Debug, Default)]
struct Group {
    domain: Option<CompanyDomain>,
    members: Vec<usize>,
    properties: Properties,
    company_id: Option<String>,
    created: bool,
    claimed: bool,
}

/// Sets `company` on every active slot with a company. Returns the
/// contacts' associated companies, read once for the whole batch.
pub(super) async fn resolve<C: CrmApi>(
    context: &UpsertContext<'_, C>,
    scope: Scope<'_>,
    slots: &mut [Slot],
) -> HashMap<String, Vec<Associated>> {
    let existing = read_contact_companies(context, scope, slots).await;
    let mut groups = group_slots(slots, scope.1);
    if groups.is_empty() {
        return existing;
    }
    if let Err(error) = settle_groups(context, scope, slots, &mut groups, &existing).await {
        for group in groups.values() {
            for index in &group.members {
                fail_with(&mut slots[*index], &error);
            }
        }
    }
    store_keys(context, scope, &mut groups).await;
    for group in groups.values() {
        let Some(id) = &group.company_id else {
            continue;
        };
        for index in &group.members {
            if slots[*index].is_active() {
                slots[*index].company = Some((id.clone(), group.created));
            }
        }
    }
    existing
}

fn fail_with(slot: &mut Slot, error: &PushError) {
    match error {
        PushError::Crm(error) => slot.fail(error),
        PushError::CompanyBusy => slot.state = SlotState::Failed(PushError::CompanyBusy),
        other => {
            slot.state = SlotState::Failed(PushError::Crm(CrmError::Unexpected(other.to_string())))
        }
    }
}

async fn read_contact_companies<C: CrmApi>(
    context: &UpsertContext<'_, C>,
    scope: Scope<'_>,
    slots: &mut [Slot],
) -> HashMap<String, Vec<Associated>> {
    let contact_ids: Vec<String> = slots
        .iter()
        .filter(|slot| slot.is_active() && slot.mapped.company.is_some())
        .filter_map(|slot| slot.contact.as_ref().map(|(id, _)| id.clone()))
        .collect();
    if contact_ids.is_empty() {
        return HashMap::new();
    }
    let read = context
        .crm
        .batch_read_associations(
            scope.0,
            CrmObject::Contacts,
            CrmObject::Companies,
            contact_ids,
        )
        .await;
    match read {
        Ok(existing) => existing,
        Err(error) => {
            for slot in slots
                .iter_mut()
                .filter(|slot| slot.is_active() && slot.mapped.company.is_some())
            {
                slot.fail(&error);
            }
            HashMap::new()
        }
    }
}

/// Groups active slots by company key, merging their company properties;
/// a newer visitor's value wins.
fn group_slots(slots: &[Slot], portal_id: i64) -> BTreeMap<String, Group> {
    let mut order: Vec<usize> = (0..slots.len())
        .filter(|index| slots[*index].is_active())
        .collect();
    order.sort_by_key(|index| slots[*index].item.visitor.updated_at);
    let mut groups: BTreeMap<String, Group> = BTreeMap::new();
    for index in order {
        let slot = &slots[index];
        let Some(properties) = &slot.mapped.company else {
            continue;
        };
        let domain = slot.mapped.company_domain.clone();
        let key = company_key(domain.as_ref(), &slot.item.visitor.id);
        let group = groups.entry(key).or_default();
        group.domain = domain;
        group.members.push(index);
        group.properties.extend(properties.clone());
        let visitor = &slot.item.visitor;
        if group.domain.is_none() && visitor.hubspot_portal_id == Some(portal_id) {
            group.company_id.clone_from(&visitor.hubspot_company_id);
        }
    }
    groups
}

async fn settle_groups<C: CrmApi>(
    context: &UpsertContext<'_, C>,
    scope: Scope<'_>,
    slots: &mut [Slot],
    groups: &mut BTreeMap<String, Group>,
    existing: &HashMap<String, Vec<Associated>>,
) -> Result<(), PushError> {
    let (workspace_id, portal_id) = scope;
    remember(context, scope, groups).await?;
    let now = context.clock.now_ms();
    for (key, group) in groups
        .iter_mut()
        .filter(|(_, group)| group.company_id.is_none())
    {
        let claimed = context
            .db
            .claim_company_key(
                workspace_id,
                portal_id,
                key,
                context.worker_id,
                now,
                now + context.claim_ms,
            )
            .await?;
        if claimed {
            group.claimed = true;
        } else {
            for index in &group.members {
                slots[*index].state = SlotState::Failed(PushError::CompanyBusy);
            }
        }
    }
    // Another push may have stored some companies before our claims.
    remember(context, scope, groups).await?;
    find_by_domain(context, scope, groups).await?;
    find_among_contacts(context, scope, slots, groups, existing).await?;
    let updates = known_updates(groups);
    update_companies(context, scope, slots, groups, updates).await?;
    create_companies(context, scope, slots, groups).await
}

/// Fills in company ids stored by earlier pushes.
async fn remember<C: CrmApi>(
    context: &UpsertContext<'_, C>,
    scope: Scope<'_>,
    groups: &mut BTreeMap<String, Group>,
) -> Result<(), PushError> {
    let keys: Vec<String> = groups
        .iter()
        .filter(|(_, group)| group.company_id.is_none())
        .map(|(key, _)| key.clone())
        .collect();
    if keys.is_empty() {
        return Ok(());
    }
    for row in context.db.company_keys(scope.0, scope.1, &keys).await? {
        if let (Some(group), Some(id)) = (groups.get_mut(&row.company_key), row.hubspot_company_id)
        {
            group.company_id = Some(id);
        }
    }
    Ok(())
}

fn known_updates(groups: &BTreeMap<String, Group>) -> Vec<(String, String, Properties)> {
    groups
        .iter()
        .filter_map(|(key, group)| {
            group
                .company_id
                .as_ref()
                .map(|id| (key.clone(), id.clone(), group.properties.clone()))
        })
        .collect()
}

async fn find_by_domain<C: CrmApi>(
    context: &UpsertContext<'_, C>,
    scope: Scope<'_>,
    groups: &mut BTreeMap<String, Group>,
) -> Result<(), PushError> {
    let domains: Vec<String> = groups
        .values()
        .filter(|group| group.claimed && group.company_id.is_none())
        .filter_map(|group| group.domain.as_ref().map(ToString::to_string))
        .collect();
    if domains.is_empty() {
        return Ok(());
    }
    let found = context
        .crm
        .search_companies_by_domains(scope.0, &domains, &["domain", "createdate"])
        .await?;
    for group in groups
        .values_mut()
        .filter(|group| group.claimed && group.company_id.is_none())
    {
        if let Some(domain) = &group.domain {
            group.company_id = oldest_with_domain(&found, domain);
        }
    }
    Ok(())
}

/// Looks for each remaining domain among the companies already associated
/// with the group's contacts, which HubSpot may have created on its own
/// from the contacts' email domains.
async fn find_among_contacts<C: CrmApi>(
    context: &UpsertContext<'_, C>,
    scope: Scope<'_>,
    slots: &[Slot],
    groups: &mut BTreeMap<String, Group>,
    existing: &HashMap<String, Vec<Associated>>,
) -> Result<(), PushError> {
    let mut candidates: HashSet<String> = HashSet::new();
    for group in groups
        .values()
        .filter(|group| group.claimed && group.company_id.is_none() && group.domain.is_some())
    {
        for index in &group.members {
            let Some((contact_id, _)) = &slots[*index].contact else {
                continue;
            };
            candidates.extend(
                existing
                    .get(contact_id)
                    .into_iter()
                    .flatten()
                    .map(|company| company.id.clone()),
            );
        }
    }
    if candidates.is_empty() {
        return Ok(());
    }
    let records: Vec<CrmRecord> = context
        .crm
        .batch_read(
            scope.0,
            CrmObject::Companies,
            candidates.into_iter().collect(),
            &["domain", "createdate"],
        )
        .await?;
    for group in groups
        .values_mut()
        .filter(|group| group.claimed && group.company_id.is_none())
    {
        if let Some(domain) = &group.domain {
            group.company_id = oldest_with_domain(&records, domain);
        }
    }
    Ok(())
}

async fn update_companies<C: CrmApi>(
    context: &UpsertContext<'_, C>,
    scope: Scope<'_>,
    slots: &mut [Slot],
    groups: &mut BTreeMap<String, Group>,
    updates: Vec<(String, String, Properties)>,
) -> Result<(), PushError> {
    if updates.is_empty() {
        return Ok(());
    }
    let inputs: Vec<(String, Properties)> = updates
        .iter()
        .map(|(_, id, properties)| (id.clone(), properties.clone()))
        .collect();
    let records = match context
        .crm
        .batch_update(scope.0, CrmObject::Companies, inputs)
        .await
    {
        Ok(records) => records,
        Err(error) => {
            for (key, _, _) in &updates {
                let group = groups.get_mut(key).expect("updates come from the groups");
                group.company_id = None;
                group
                    .members
                    .iter()
                    .for_each(|index| slots[*index].fail(&error));
            }
            return Ok(());
        }
    };
    let updated: HashSet<String> = records.into_iter().map(|record| record.id).collect();
    for (key, id, _) in updates {
        if !updated.contains(&id) {
            // Gone from HubSpot: the single path matches these visitors again.
            let group = groups.get_mut(&key).expect("updates come from the groups");
            group.company_id = None;
            group
                .members
                .iter()
                .for_each(|index| slots[*index].state = SlotState::Fallback);
        }
    }
    Ok(())
}

async fn create_companies<C: CrmApi>(
    context: &UpsertContext<'_, C>,
    scope: Scope<'_>,
    slots: &mut [Slot],
    groups: &mut BTreeMap<String, Group>,
) -> Result<(), PushError> {
    let keys: Vec<String> = groups
        .iter()
        .filter(|(_, group)| group.claimed && group.company_id.is_none())
        .filter(|(_, group)| group.members.iter().any(|index| slots[*index].is_active()))
        .map(|(key, _)| key.clone())
        .collect();
    if keys.is_empty() {
        return Ok(());
    }
    let inputs: Vec<NewRecord> = keys
        .iter()
        .map(|key| NewRecord {
            properties: groups[key].properties.clone(),
            associations: Vec::new(),
            trace_id: Some(key.clone()),
        })
        .collect();
    let created = match context
        .crm
        .batch_create(scope.0, CrmObject::Companies, inputs)
        .await
    {
        Ok(created) => created,
        Err(error) => {
            if matches!(error, CrmError::Timeout { request_sent: true }) {
                hold_keys(context, scope, groups, &keys).await?;
            }
            return Err(error.into());
        }
    };
    for (key, id) in match_created(&keys, groups, &created) {
        let group = groups.get_mut(&key).expect("keys come from the groups");
        group.company_id = Some(id);
        group.created = true;
    }
    for key in keys {
        if groups[&key].company_id.is_none() {
            groups[&key]
                .members
                .iter()
                .for_each(|index| slots[*index].state = SlotState::Fallback);
        }
    }
    Ok(())
}

/// Blocks claims on `keys` for one claim period after a create whose
/// response never came. The companies may exist, and a search after the
/// period finds them instead of creating them again.
async fn hold_keys<C: CrmApi>(
    context: &UpsertContext<'_, C>,
    scope: Scope<'_>,
    groups: &mut BTreeMap<String, Group>,
    keys: &[String],
) -> Result<(), PushError> {
    let until = context.clock.now_ms() + context.claim_ms;
    for key in keys {
        context
            .db
            .hold_company_key(scope.0, scope.1, key, until)
            .await?;
        if let Some(group) = groups.get_mut(key) {
            group.claimed = false;
        }
    }
    Ok(())
}

/// Pairs created records with their keys: by domain, and for companies
/// without a domain by position when the name matches.
// NOTE: HubSpot does not document that batch results keep the input order.
// A company without a domain whose position and name disagree is left to
// the single path, which may then create a second company.
fn match_created(
    keys: &[String],
    groups: &BTreeMap<String, Group>,
    created: &[CrmRecord],
) -> Vec<(String, String)> {
    let mut matched = Vec::new();
    for (position, key) in keys.iter().enumerate() {
        let group = &groups[key];
        let record = match &group.domain {
            Some(domain) => created.iter().find(|record| {
                record
                    .property("domain")
                    .and_then(|value| CompanyDomain::parse(value).ok())
                    .as_ref()
                    == Some(domain)
            }),
            None => created.get(position).filter(|record| {
                record.property("name") == group.properties.get("name").map(String::as_str)
            }),
        };
        if let Some(record) = record {
            matched.push((key.clone(), record.id.clone()));
        }
    }
    matched
}

/// Stores the company of every claimed key and releases the claims.
async fn store_keys<C: CrmApi>(
    context: &UpsertContext<'_, C>,
    scope: Scope<'_>,
    groups: &mut BTreeMap<String, Group>,
) {
    let (workspace_id, portal_id) = scope;
    for (key, group) in groups
        .iter()
        .filter(|(_, group)| group.claimed || group.company_id.is_some())
    {
        let now = context.clock.now_ms();
        let stored = match (&group.company_id, group.claimed) {
            (Some(id), _) => {
                context
                    .db
                    .set_company_key(
                        workspace_id,
                        portal_id,
                        key,
                        Some(id),
                        context.worker_id,
                        now,
                    )
                    .await
            }
            (None, true) => {
                context
                    .db
                    .release_company_key(workspace_id, portal_id, key, context.worker_id)
                    .await
            }
            (None, false) => Ok(()),
        };
        if let Err(error) = stored {
            tracing::error!(workspace_id, error = %error, "failed to store a HubSpot company id");
        }
    }
}
