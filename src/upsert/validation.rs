//! Sending properties when HubSpot may reject some values: the rejected
//! properties are left out, reported as skipped, and the call is repeated.

use std::future::Future;

use super::context::UpsertContext;
use super::crm::{CrmApi, CrmError, CrmObject, Properties};
use super::mapping::{field_of, skipped};
use crate::storage::visitors::SkippedField;

/// Calls after leaving out rejected values, before giving up.
const MAX_VALIDATION_RETRIES: usize = 3;

/// Properties never left out: without them the record would be a
/// different record (a contact without its email, a company without its
/// domain).
const KEY_PROPERTIES: &[&str] = &["email", "domain"];

/// Runs `call` with `properties`; on a validation error names the rejected
/// properties, drops them, records them in `skipped_fields` and calls again.
pub async fn send_dropping_rejected<C, T, F, Fut>(
    context: &UpsertContext<'_, C>,
    (workspace_id, portal_id): (&str, i64),
    object: CrmObject,
    mut properties: Properties,
    skipped_fields: &mut Vec<SkippedField>,
    mut call: F,
) -> Result<T, CrmError>
where
    C: CrmApi,
    F: FnMut(Properties) -> Fut,
    Fut: Future<Output = Result<T, CrmError>>,
{
    for _ in 0..MAX_VALIDATION_RETRIES {
        let errors = match call(properties.clone()).await {
            Err(CrmError::Validation { errors }) => errors,
            other => return other,
        };
        let mut dropped = false;
        for error in &errors {
            let Some(property) = error.property.as_deref() else {
                continue;
            };
            if KEY_PROPERTIES.contains(&property) || properties.remove(property).is_none() {
                continue;
            }
            dropped = true;
            let reason = format!("HubSpot rejected the value: {}", error.message);
            skipped_fields.push(skipped(&field_of(object, property), &reason));
            context
                .properties
                .forget(workspace_id, portal_id, object, property)
                .await;
        }
        if !dropped {
            return Err(CrmError::Validation { errors });
        }
    }
    call(properties).await
}
