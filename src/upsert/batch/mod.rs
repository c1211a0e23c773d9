//! Bulk pushes with HubSpot's batch endpoints: contacts by one batch upsert
//! per 100 emails, companies by one `IN` search per 100 domains and batch
//! create and update, associations and notes in batches. A visitor the
//! batch calls cannot settle (no email, a record gone from HubSpot, a value
//! HubSpot rejected) falls back to the single-visitor path.

mod companies;
mod contacts;
mod links;

use super::context::{PushError, PushOutcome, UpsertContext};
use super::crm::{CrmApi, CrmError};
use super::mapping::{MappedVisitor, map_visitor};
use super::single::push_visitor;
use crate::storage::push_jobs::PushJob;
use crate::storage::visitors::VisitorRecord;

/// One visitor of a bulk push.
#[derive(Debug, Clone)]
pub struct BatchItem {
    pub job: PushJob,
    pub visitor: VisitorRecord,
    /// The outcome an earlier attempt of the job stored.
    pub previous: Option<PushOutcome>,
}

/// The state of a visitor in the batch.
#[derive(Debug)]
enum SlotState {
    Active,
    /// Left to the single-visitor path.
    Fallback,
    Failed(PushError),
}

/// A visitor's progress through the batch.
#[derive(Debug)]
struct Slot {
    item: BatchItem,
    mapped: MappedVisitor,
    contact: Option<(String, bool)>,
    company: Option<(String, bool)>,
    associated: bool,
    note_id: Option<String>,
    state: SlotState,
}

impl Slot {
    fn is_active(&self) -> bool {
        matches!(self.state, SlotState::Active)
    }

    /// Marks the slot failed by a batch call. A rejected value sends it to
    /// the single path, which drops the value. Any other error is its own.
    fn fail(&mut self, error: &CrmError) {
        self.state = match error {
            CrmError::Validation { .. } => SlotState::Fallback,
            other => SlotState::Failed(PushError::Crm(other.clone())),
        };
    }
}

/// `(workspace id, portal id)` of a batch.
type Scope<'a> = (&'a str, i64);

/// Pushes `items`, all of `workspace_id`, and returns each with its result.
pub async fn push_batch<C: CrmApi>(
    context: &UpsertContext<'_, C>,
    workspace_id: &str,
    items: Vec<BatchItem>,
) -> Vec<(BatchItem, Result<PushOutcome, PushError>)> {
    let portal_id = match context.crm.portal_id(workspace_id).await {
        Ok(portal_id) => portal_id,
        Err(error) => {
            return items
                .into_iter()
                .map(|item| (item, Err(PushError::Crm(error.clone()))))
                .collect();
        }
    };
    let scope = (workspace_id, portal_id);
    let mut slots = Vec::with_capacity(items.len());
    for item in items {
        let mapped = map_visitor(
            context.crm,
            context.properties,
            workspace_id,
            portal_id,
            &item.visitor,
        )
        .await;
        let (mapped, state) = match mapped {
            Ok(mapped) => (mapped, SlotState::Active),
            Err(error) => (MappedVisitor::default(), SlotState::Failed(error.into())),
        };
        let note_id = item
            .previous
            .as_ref()
            .filter(|previous| previous.portal_id == portal_id)
            .and_then(|previous| previous.note_id.clone());
        slots.push(Slot {
            item,
            mapped,
            contact: None,
            company: None,
            associated: false,
            note_id,
            state,
        });
    }

    contacts::resolve(context, scope, &mut slots).await;
    let existing = companies::resolve(context, scope, &mut slots).await;
    links::associate(context, scope, &mut slots, &existing).await;
    links::add_notes(context, scope, &mut slots).await;
    finish(context, portal_id, slots).await
}

async fn finish<C: CrmApi>(
    context: &UpsertContext<'_, C>,
    portal_id: i64,
    slots: Vec<Slot>,
) -> Vec<(BatchItem, Result<PushOutcome, PushError>)> {
    let mut results = Vec::with_capacity(slots.len());
    for slot in slots {
        let result = match slot.state {
            SlotState::Failed(error) => Err(error),
            SlotState::Fallback => {
                let item = &slot.item;
                push_visitor(
                    context,
                    &item.job,
                    &item.visitor,
                    None,
                    item.previous.as_ref(),
                )
                .await
            }
            SlotState::Active if slot.contact.is_none() && slot.company.is_none() => {
                Err(PushError::NothingToPush)
            }
            SlotState::Active => Ok(PushOutcome {
                portal_id,
                contact_id: slot.contact.as_ref().map(|(id, _)| id.clone()),
                company_id: slot.company.as_ref().map(|(id, _)| id.clone()),
                contact_created: slot.contact.as_ref().is_some_and(|(_, created)| *created),
                company_created: slot.company.as_ref().is_some_and(|(_, created)| *created),
                associated: slot.associated,
                note_id: slot.note_id.clone(),
                skipped_fields: slot.mapped.skipped.clone(),
            }),
        };
        results.push((slot.item, result));
    }
    results
}
