//! Contacts of a batch: known contacts by one batch update, the others by
//! one batch upsert by email per 100 visitors.

use std::collections::HashMap;

use super::{Scope, Slot, SlotState};
use crate::upsert::context::UpsertContext;
use crate::upsert::crm::{CrmApi, CrmObject, Properties};

/// Sets `contact` on every active slot, or sends it to the fallback.
pub(super) async fn resolve<C: CrmApi>(
    context: &UpsertContext<'_, C>,
    scope: Scope<'_>,
    slots: &mut [Slot],
) {
    let (workspace_id, portal_id) = scope;
    let mut known = Vec::new();
    let mut by_email = Vec::new();
    for (index, slot) in slots
        .iter_mut()
        .enumerate()
        .filter(|(_, slot)| slot.is_active())
    {
        let visitor = &slot.item.visitor;
        let known_id = visitor
            .hubspot_contact_id
            .as_ref()
            .filter(|_| visitor.hubspot_portal_id == Some(portal_id));
        match (known_id, &visitor.email) {
            (Some(id), _) => known.push((index, id.clone())),
            (None, Some(_)) => by_email.push(index),
            // Without an email a contact can only be created one by one.
            (None, None) => slot.state = SlotState::Fallback,
        }
    }

    if !known.is_empty() {
        let updates: Vec<(String, Properties)> = known
            .iter()
            .map(|(index, id)| (id.clone(), slots[*index].mapped.contact.clone()))
            .collect();
        match context
            .crm
            .batch_update(workspace_id, CrmObject::Contacts, updates)
            .await
        {
            Ok(records) => {
                let updated: std::collections::HashSet<String> =
                    records.into_iter().map(|record| record.id).collect();
                for (index, id) in known {
                    if updated.contains(&id) {
                        slots[index].contact = Some((id, false));
                    } else {
                        // Gone from HubSpot (merged or deleted there).
                        slots[index].state = SlotState::Fallback;
                    }
                }
            }
            Err(error) => known
                .iter()
                .for_each(|(index, _)| slots[*index].fail(&error)),
        }
    }

    if by_email.is_empty() {
        return;
    }
    let inputs: Vec<(String, Properties)> = by_email
        .iter()
        .map(|index| {
            let slot = &slots[*index];
            (
                slot.item.visitor.email.clone().unwrap_or_default(),
                slot.mapped.contact.clone(),
            )
        })
        .collect();
    match context
        .crm
        .batch_upsert_contacts_by_email(workspace_id, inputs)
        .await
    {
        Ok(records) => {
            let by_address: HashMap<String, (String, bool)> = records
                .into_iter()
                .filter_map(|record| {
                    let email = record
                        .properties
                        .get("email")
                        .cloned()
                        .flatten()?
                        .to_lowercase();
                    Some((email, (record.id, record.new)))
                })
                .collect();
            for index in by_email {
                let email = slots[index].item.visitor.email.clone().unwrap_or_default();
                match by_address.get(&email) {
                    Some(contact) => slots[index].contact = Some(contact.clone()),
                    None => slots[index].state = SlotState::Fallback,
                }
            }
        }
        Err(error) => by_email.iter().for_each(|index| slots[*index].fail(&error)),
    }
}
