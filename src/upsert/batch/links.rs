//! Associations and visit notes of a batch.

use std::collections::{HashMap, HashSet};

use super::{Scope, Slot};
use crate::upsert::context::UpsertContext;
use crate::upsert::crm::{Associated, CrmApi, CrmObject, NewRecord, association_type};
use crate::upsert::note::{NOTE_PAGES, NoteFacts, note_properties};

/// Associates each active slot's contact and company with the default
/// association, skipping pairs already associated.
pub(super) async fn associate<C: CrmApi>(
    context: &UpsertContext<'_, C>,
    scope: Scope<'_>,
    slots: &mut [Slot],
    existing: &HashMap<String, Vec<Associated>>,
) {
    let mut pairs: Vec<(String, String)> = Vec::new();
    let mut members: Vec<usize> = Vec::new();
    for (index, slot) in slots
        .iter()
        .enumerate()
        .filter(|(_, slot)| slot.is_active())
    {
        let (Some((contact_id, _)), Some((company_id, _))) = (&slot.contact, &slot.company) else {
            continue;
        };
        let already = existing
            .get(contact_id)
            .is_some_and(|companies| companies.iter().any(|company| &company.id == company_id));
        if already {
            continue;
        }
        members.push(index);
        let pair = (contact_id.clone(), company_id.clone());
        if !pairs.contains(&pair) {
            pairs.push(pair);
        }
    }
    if pairs.is_empty() {
        return;
    }
    match context
        .crm
        .batch_associate_default(scope.0, CrmObject::Contacts, CrmObject::Companies, pairs)
        .await
    {
        Ok(()) => members
            .iter()
            .for_each(|index| slots[*index].associated = true),
        Err(error) => members.iter().for_each(|index| slots[*index].fail(&error)),
    }
}

/// Adds one visit note per active slot that has none yet, in one batch
/// create per 100, and saves each note id on its push.
pub(super) async fn add_notes<C: CrmApi>(
    context: &UpsertContext<'_, C>,
    scope: Scope<'_>,
    slots: &mut [Slot],
) {
    let mut members = Vec::new();
    let mut inputs = Vec::new();
    let now = context.clock.now_ms();
    for (index, slot) in slots.iter().enumerate() {
        if !slot.is_active()
            || slot.note_id.is_some()
            || (slot.contact.is_none() && slot.company.is_none())
        {
            continue;
        }
        let pages = match context
            .db
            .page_views(&slot.item.visitor.id, NOTE_PAGES)
            .await
        {
            Ok(pages) => pages,
            Err(error) => {
                tracing::error!(visitor_id = %slot.item.visitor.id, error = %error, "failed to read pages for a visit note");
                Vec::new()
            }
        };
        let facts = NoteFacts {
            visitor: &slot.item.visitor,
            pages: &pages,
            booking: None,
            reason: &slot.item.job.reason,
            push_id: &slot.item.job.id,
            now_ms: now,
        };
        let mut associations = Vec::new();
        if let Some((contact_id, _)) = &slot.contact {
            associations.push((contact_id.clone(), association_type::NOTE_TO_CONTACT));
        }
        if let Some((company_id, _)) = &slot.company {
            associations.push((company_id.clone(), association_type::NOTE_TO_COMPANY));
        }
        members.push(index);
        inputs.push(NewRecord {
            properties: note_properties(&facts),
            associations,
            trace_id: None,
        });
    }
    if inputs.is_empty() {
        return;
    }
    let expected = inputs.len();
    // NOTE: a batch create that times out after sending may have added the
    // notes. The retry then adds them again, because notes have no dedupe key.
    let created = match context
        .crm
        .batch_create(scope.0, CrmObject::Notes, inputs)
        .await
    {
        Ok(created) => created,
        Err(error) => {
            members.iter().for_each(|index| slots[*index].fail(&error));
            return;
        }
    };
    let ids: Vec<String> = if created.len() == expected {
        created.into_iter().map(|note| note.id).collect()
    } else {
        // Some notes were rejected; which ones is unknown, so none is
        // recreated by a retry.
        vec![String::new(); expected]
    };
    let mut saved = HashSet::new();
    for (index, note_id) in members.into_iter().zip(ids) {
        let slot = &mut slots[index];
        slot.note_id = Some(note_id);
        let progress = serde_json::json!({ "portal_id": scope.1, "note_id": slot.note_id });
        if saved.insert(slot.item.job.id.clone())
            && let Err(error) = context
                .db
                .save_push_progress(&slot.item.job.id, &progress, now)
                .await
        {
            tracing::error!(push_job_id = %slot.item.job.id, error = %error, "failed to save a push's note id");
        }
    }
}
