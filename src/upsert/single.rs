//! One visitor's push: contact, company, association, visit note.

use super::company::{CompanyTarget, upsert_company};
use super::contact::{ContactTarget, upsert_contact};
use super::context::{PushError, PushOutcome, UpsertContext};
use super::crm::{CrmApi, CrmError, CrmObject, NewRecord, association_type};
use super::mapping::map_visitor;
use super::note::{NOTE_PAGES, NoteFacts, note_properties};
use crate::storage::push_jobs::{BookingForPush, PushJob};
use crate::storage::visitors::VisitorRecord;

/// Pushes `visitor` for `job`. `previous` is what an earlier attempt of the
/// same job stored; a note it already created is not created again.
pub async fn push_visitor<C: CrmApi>(
    context: &UpsertContext<'_, C>,
    job: &PushJob,
    visitor: &VisitorRecord,
    booking: Option<&BookingForPush>,
    previous: Option<&PushOutcome>,
) -> Result<PushOutcome, PushError> {
    let workspace_id = visitor.workspace_id.as_str();
    let portal_id = context.crm.portal_id(workspace_id).await?;
    let mapped = map_visitor(
        context.crm,
        context.properties,
        workspace_id,
        portal_id,
        visitor,
    )
    .await?;
    let mut skipped = mapped.skipped;
    let same_portal = visitor.hubspot_portal_id == Some(portal_id);

    let booking_contact = booking
        .filter(|booking| booking.hubspot_portal_id == Some(portal_id))
        .and_then(|booking| booking.hubspot_contact_id.as_deref());
    let visitor_contact = visitor
        .hubspot_contact_id
        .as_deref()
        .filter(|_| same_portal);
    let contact_target = ContactTarget {
        workspace_id,
        portal_id,
        known_id: booking_contact.or(visitor_contact),
        email: visitor.email.as_deref(),
    };
    let contact = upsert_contact(context, &contact_target, mapped.contact, &mut skipped).await?;
    let contact_id = contact.as_ref().map(|(id, _)| id.as_str());

    let company = match mapped.company {
        Some(properties) => {
            let target = CompanyTarget {
                workspace_id,
                portal_id,
                domain: mapped.company_domain.as_ref(),
                visitor_id: &visitor.id,
                visitor_company_id: visitor
                    .hubspot_company_id
                    .as_deref()
                    .filter(|_| same_portal),
                contact_id,
            };
            Some(upsert_company(context, &target, properties, &mut skipped).await?)
        }
        None => None,
    };
    let company_id = company.as_ref().map(|(id, _)| id.as_str());
    if contact_id.is_none() && company_id.is_none() {
        return Err(PushError::NothingToPush);
    }

    let associated = match (contact_id, company_id) {
        (Some(contact_id), Some(company_id)) => {
            associate(context, workspace_id, contact_id, company_id).await?
        }
        _ => false,
    };
    let mut outcome = PushOutcome {
        portal_id,
        contact_id: contact_id.map(str::to_string),
        company_id: company_id.map(str::to_string),
        contact_created: contact.as_ref().is_some_and(|(_, created)| *created),
        company_created: company.as_ref().is_some_and(|(_, created)| *created),
        associated,
        note_id: previous
            .filter(|previous| previous.portal_id == portal_id)
            .and_then(|previous| previous.note_id.clone()),
        skipped_fields: skipped,
    };
    if outcome.note_id.is_none() {
        let note_id = add_note(context, job, visitor, booking, &outcome).await?;
        outcome.note_id = Some(note_id);
        let progress = serde_json::to_value(&outcome).expect("the outcome serializes to JSON");
        context
            .db
            .save_push_progress(&job.id, &progress, context.clock.now_ms())
            .await?;
    }
    Ok(outcome)
}

/// Adds the unlabeled default association unless the pair is already
/// associated. Returns whether it was added.
async fn associate<C: CrmApi>(
    context: &UpsertContext<'_, C>,
    workspace_id: &str,
    contact_id: &str,
    company_id: &str,
) -> Result<bool, CrmError> {
    let existing = context
        .crm
        .read_associations(
            workspace_id,
            (CrmObject::Contacts, contact_id),
            CrmObject::Companies,
        )
        .await?;
    if existing
        .iter()
        .any(|associated| associated.id == company_id)
    {
        return Ok(false);
    }
    context
        .crm
        .associate_default(
            workspace_id,
            (CrmObject::Contacts, contact_id),
            (CrmObject::Companies, company_id),
        )
        .await?;
    Ok(true)
}

async fn add_note<C: CrmApi>(
    context: &UpsertContext<'_, C>,
    job: &PushJob,
    visitor: &VisitorRecord,
    booking: Option<&BookingForPush>,
    outcome: &PushOutcome,
) -> Result<String, PushError> {
    let pages = context.db.page_views(&visitor.id, NOTE_PAGES).await?;
    let facts = NoteFacts {
        visitor,
        pages: &pages,
        booking,
        reason: &job.reason,
        push_id: &job.id,
        now_ms: context.clock.now_ms(),
    };
    let mut associations = Vec::new();
    if let Some(contact_id) = &outcome.contact_id {
        associations.push((contact_id.clone(), association_type::NOTE_TO_CONTACT));
    }
    if let Some(company_id) = &outcome.company_id {
        associations.push((company_id.clone(), association_type::NOTE_TO_COMPANY));
    }
    let record = NewRecord {
        properties: note_properties(&facts),
        associations,
        trace_id: None,
    };
    // NOTE: a note create that times out after sending may have landed; the
    // retry then adds a second note, because notes have no dedupe key.
    let note = context
        .crm
        .create_record(&visitor.workspace_id, CrmObject::Notes, record)
        .await?;
    Ok(note.id)
}
