//! Batch record calls, each split into requests of at most 100 inputs.
//!
//! A `207` response lists the inputs HubSpot rejected in `errors`. The records
//! that succeeded are returned and the rejected inputs are missing from the
//! result (and logged); only when a whole chunk failed is its first error
//! returned.

use serde::{Deserialize, Serialize};

use super::types::{CreateInput, CrmObject, Properties, Record, UpsertedRecord};
use crate::hubspot::HubSpot;
use crate::hubspot::classify::{ErrorBody, classify};
use crate::hubspot::error::HubSpotError;
use crate::hubspot::transport::ApiCall;

/// Inputs per batch request.
pub(crate) const BATCH_SIZE: usize = 100;

#[derive(Serialize)]
struct Inputs<T> {
    inputs: Vec<T>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct UpsertInput<'a> {
    id: &'a str,
    id_property: &'static str,
    properties: &'a Properties,
}

#[derive(Serialize)]
struct IdInput<'a> {
    id: &'a str,
}

#[derive(Serialize)]
struct UpdateInput<'a> {
    id: &'a str,
    properties: &'a Properties,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ReadBody<'a> {
    inputs: Vec<IdInput<'a>>,
    properties: &'a [&'a str],
    properties_with_history: [&'static str; 0],
}

/// A batch response. `errors` is filled only on `207`.
#[derive(Deserialize)]
pub(crate) struct BatchAnswer<T> {
    #[serde(default = "Vec::new")]
    pub results: Vec<T>,
    #[serde(default)]
    pub errors: Vec<BatchError>,
}

/// One entry of a batch answer's `errors` (HubSpot's `StandardError`).
#[derive(Debug, Deserialize)]
pub(crate) struct BatchError {
    /// The HTTP status as a string, for example `"400"`.
    #[serde(default)]
    pub status: String,
    #[serde(flatten)]
    pub body: ErrorBody,
}

impl BatchError {
    pub(crate) fn to_error(&self) -> HubSpotError {
        let status = self
            .status
            .parse::<u16>()
            .ok()
            .and_then(|code| reqwest::StatusCode::from_u16(code).ok())
            .unwrap_or(reqwest::StatusCode::BAD_REQUEST);
        classify(status, None, &self.body).into_error()
    }
}

/// Returns the successes, or the first error when nothing succeeded.
pub(crate) fn accept_partial<T>(
    workspace_id: &str,
    operation: &'static str,
    answer: BatchAnswer<T>,
) -> Result<Vec<T>, HubSpotError> {
    if let Some(first) = answer.errors.first() {
        if answer.results.is_empty() {
            return Err(first.to_error());
        }
        tracing::warn!(
            workspace_id,
            operation,
            failed = answer.errors.len(),
            succeeded = answer.results.len(),
            "HubSpot rejected part of a batch"
        );
    }
    Ok(answer.results)
}

impl HubSpot {
    /// Creates or updates contacts keyed by email (`idProperty: email`).
    /// Safe to repeat, so it is retried like a read.
    pub async fn batch_upsert_contacts_by_email(
        &self,
        workspace_id: &str,
        inputs: Vec<(String, Properties)>,
    ) -> Result<Vec<UpsertedRecord>, HubSpotError> {
        let mut records = Vec::with_capacity(inputs.len());
        for chunk in inputs.chunks(BATCH_SIZE) {
            let body = Inputs {
                inputs: chunk
                    .iter()
                    .map(|(email, properties)| UpsertInput {
                        id: email,
                        id_property: "email",
                        properties,
                    })
                    .collect(),
            };
            let path = ["crm", "v3", "objects", "contacts", "batch", "upsert"];
            let call = ApiCall::post("crm.batch_upsert", &path, &body).idempotent();
            let answer = self.call_json(workspace_id, &call).await?;
            records.extend(accept_partial(workspace_id, "crm.batch_upsert", answer)?);
        }
        Ok(records)
    }

    /// Reads records by id with `properties`; unknown ids are left out.
    pub async fn batch_read(
        &self,
        workspace_id: &str,
        object: CrmObject,
        ids: &[String],
        properties: &[&str],
    ) -> Result<Vec<Record>, HubSpotError> {
        let mut records = Vec::with_capacity(ids.len());
        for chunk in ids.chunks(BATCH_SIZE) {
            let body = ReadBody {
                inputs: chunk.iter().map(|id| IdInput { id }).collect(),
                properties,
                properties_with_history: [],
            };
            let path = ["crm", "v3", "objects", object.path_name(), "batch", "read"];
            let call = ApiCall::post("crm.batch_read", &path, &body).idempotent();
            let answer: BatchAnswer<Record> = self.call_json(workspace_id, &call).await?;
            records.extend(answer.results);
        }
        Ok(records)
    }

    /// Creates records. Not retried after a request was sent. One bad input
    /// fails its whole chunk: for contacts, a duplicate email gives
    /// [`HubSpotError::Conflict`] naming only the first duplicate.
    pub async fn batch_create(
        &self,
        workspace_id: &str,
        object: CrmObject,
        inputs: Vec<CreateInput>,
    ) -> Result<Vec<Record>, HubSpotError> {
        let mut records = Vec::with_capacity(inputs.len());
        for chunk in inputs.chunks(BATCH_SIZE) {
            let body = Inputs {
                inputs: chunk.to_vec(),
            };
            let path = [
                "crm",
                "v3",
                "objects",
                object.path_name(),
                "batch",
                "create",
            ];
            let call = ApiCall::post("crm.batch_create", &path, &body);
            let answer = self.call_json(workspace_id, &call).await?;
            records.extend(accept_partial(workspace_id, "crm.batch_create", answer)?);
        }
        Ok(records)
    }

    /// Updates records by record id (HubSpot rejects `email` as the key of
    /// a batch update).
    pub async fn batch_update(
        &self,
        workspace_id: &str,
        object: CrmObject,
        inputs: Vec<(String, Properties)>,
    ) -> Result<Vec<Record>, HubSpotError> {
        let mut records = Vec::with_capacity(inputs.len());
        for chunk in inputs.chunks(BATCH_SIZE) {
            let body = Inputs {
                inputs: chunk
                    .iter()
                    .map(|(id, properties)| UpdateInput { id, properties })
                    .collect(),
            };
            let path = [
                "crm",
                "v3",
                "objects",
                object.path_name(),
                "batch",
                "update",
            ];
            let call = ApiCall::post("crm.batch_update", &path, &body).idempotent();
            let answer = self.call_json(workspace_id, &call).await?;
            records.extend(accept_partial(workspace_id, "crm.batch_update", answer)?);
        }
        Ok(records)
    }
}
