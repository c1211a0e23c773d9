//! The contact step: update the known contact, else the one with the
//! visitor's email, else create it. A 409 on create is a match.

use super::context::{PushError, UpsertContext};
use super::crm::{CrmApi, CrmError, CrmObject, CrmRecord, NewRecord, Properties};
use super::validation::send_dropping_rejected;
use crate::storage::visitors::SkippedField;

/// The contact a push starts from.
pub struct ContactTarget<'a> {
    pub workspace_id: &'a str,
    pub portal_id: i64,
    /// A contact id already known in this portal (from the booking, or an
    /// earlier push).
    pub known_id: Option<&'a str>,
    pub email: Option<&'a str>,
}

/// Updates or creates the contact; returns its id and whether it was
/// created, or `None` when there is nothing to identify a contact by.
pub async fn upsert_contact<C: CrmApi>(
    context: &UpsertContext<'_, C>,
    target: &ContactTarget<'_>,
    properties: Properties,
    skipped_fields: &mut Vec<SkippedField>,
) -> Result<Option<(String, bool)>, PushError> {
    let has_name = properties.contains_key("firstname") || properties.contains_key("lastname");
    if target.known_id.is_none() && target.email.is_none() && !has_name {
        return Ok(None);
    }
    if let Some(id) = target.known_id {
        match update(context, target, id, properties.clone(), skipped_fields).await {
            Ok(()) => return Ok(Some((id.to_string(), false))),
            // Merged or removed in HubSpot: find it again by email.
            Err(CrmError::NotFound) => {}
            Err(error) => return Err(error.into()),
        }
    }
    if let Some(email) = target.email {
        let found = context
            .crm
            .get_contact_by_email(target.workspace_id, email, &["email"])
            .await?;
        if let Some(record) = found {
            update(context, target, &record.id, properties, skipped_fields).await?;
            return Ok(Some((record.id, false)));
        }
    }
    create(context, target, properties, skipped_fields).await
}

async fn update<C: CrmApi>(
    context: &UpsertContext<'_, C>,
    target: &ContactTarget<'_>,
    id: &str,
    properties: Properties,
    skipped_fields: &mut Vec<SkippedField>,
) -> Result<(), CrmError> {
    let scope = (target.workspace_id, target.portal_id);
    send_dropping_rejected(
        context,
        scope,
        CrmObject::Contacts,
        properties,
        skipped_fields,
        |properties| {
            context
                .crm
                .update_record(target.workspace_id, CrmObject::Contacts, id, properties)
        },
    )
    .await
    .map(|_| ())
}

async fn create<C: CrmApi>(
    context: &UpsertContext<'_, C>,
    target: &ContactTarget<'_>,
    properties: Properties,
    skipped_fields: &mut Vec<SkippedField>,
) -> Result<Option<(String, bool)>, PushError> {
    let scope = (target.workspace_id, target.portal_id);
    let created: Result<CrmRecord, CrmError> = send_dropping_rejected(
        context,
        scope,
        CrmObject::Contacts,
        properties.clone(),
        skipped_fields,
        |properties| {
            let record = NewRecord {
                properties,
                associations: Vec::new(),
                trace_id: None,
            };
            context
                .crm
                .create_record(target.workspace_id, CrmObject::Contacts, record)
        },
    )
    .await;
    let existing_id = match created {
        Ok(record) => return Ok(Some((record.id, true))),
        Err(CrmError::Conflict {
            existing_id: Some(id),
        }) => id,
        // A conflict without an id, or a create that may have landed before
        // the timeout: look the contact up instead of creating it again.
        Err(CrmError::Conflict { existing_id: None })
        | Err(CrmError::Timeout { request_sent: true }) => {
            let email = target
                .email
                .ok_or(CrmError::Timeout { request_sent: true })?;
            match context
                .crm
                .get_contact_by_email(target.workspace_id, email, &["email"])
                .await?
            {
                Some(record) => record.id,
                None => return Err(CrmError::Timeout { request_sent: true }.into()),
            }
        }
        Err(error) => return Err(error.into()),
    };
    tracing::debug!(contact_id = %existing_id, "contact already existed; updating it");
    update(context, target, &existing_id, properties, skipped_fields).await?;
    Ok(Some((existing_id, false)))
}
