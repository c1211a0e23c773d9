//! Associations v4: default (unlabeled) associations and reads.
//!
//! Default associations use the unlabeled type (279 for contact to
//! company), so they never change which company is a contact's primary.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use super::batch::{BATCH_SIZE, BatchAnswer, accept_partial};
use super::types::{AssociatedRecord, CrmObject, string_or_number};
use crate::hubspot::HubSpot;
use crate::hubspot::error::HubSpotError;
use crate::hubspot::transport::ApiCall;

/// Largest page of an association read.
const READ_PAGE_SIZE: u32 = 500;

/// Upper bound on pages read for one record.
const MAX_READ_PAGES: usize = 20;

#[derive(Serialize)]
struct Inputs<T> {
    inputs: Vec<T>,
}

#[derive(Serialize)]
struct IdRef<'a> {
    id: &'a str,
}

#[derive(Serialize)]
struct PairInput<'a> {
    from: IdRef<'a>,
    to: IdRef<'a>,
}

/// An associated record as HubSpot lists it; `typeId` here, not the
/// `associationTypeId` of requests.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct WireAssociated {
    #[serde(deserialize_with = "string_or_number")]
    to_object_id: String,
    #[serde(default)]
    association_types: Vec<WireType>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct WireType {
    type_id: u32,
}

impl From<WireAssociated> for AssociatedRecord {
    fn from(wire: WireAssociated) -> Self {
        AssociatedRecord {
            to_object_id: wire.to_object_id,
            type_ids: wire
                .association_types
                .into_iter()
                .map(|kind| kind.type_id)
                .collect(),
        }
    }
}

#[derive(Deserialize)]
struct ReadPage {
    #[serde(default)]
    results: Vec<WireAssociated>,
    #[serde(default)]
    paging: Option<Paging>,
}

#[derive(Deserialize)]
struct Paging {
    next: Option<Next>,
}

#[derive(Deserialize)]
struct Next {
    after: String,
}

#[derive(Deserialize)]
struct BatchReadResult {
    from: FromId,
    #[serde(default)]
    to: Vec<WireAssociated>,
}

#[derive(Deserialize)]
struct FromId {
    #[serde(deserialize_with = "string_or_number")]
    id: String,
}

impl HubSpot {
    /// Associates two records with the default (unlabeled) type. Repeating
    /// it for an associated pair changes nothing.
    pub async fn associate_default(
        &self,
        workspace_id: &str,
        from: CrmObject,
        from_id: &str,
        to: CrmObject,
        to_id: &str,
    ) -> Result<(), HubSpotError> {
        let path = [
            "crm",
            "v4",
            "objects",
            from.path_name(),
            from_id,
            "associations",
            "default",
            to.path_name(),
            to_id,
        ];
        self.call(workspace_id, &ApiCall::put("crm.associate_default", &path))
            .await
            .map(|_| ())
    }

    /// Associates each `(from_id, to_id)` pair with the default type.
    pub async fn batch_associate_default(
        &self,
        workspace_id: &str,
        from: CrmObject,
        to: CrmObject,
        pairs: Vec<(String, String)>,
    ) -> Result<(), HubSpotError> {
        for chunk in pairs.chunks(BATCH_SIZE) {
            let body = Inputs {
                inputs: chunk
                    .iter()
                    .map(|(from_id, to_id)| PairInput {
                        from: IdRef { id: from_id },
                        to: IdRef { id: to_id },
                    })
                    .collect(),
            };
            let path = [
                "crm",
                "v4",
                "associations",
                from.path_name(),
                to.path_name(),
                "batch",
                "associate",
                "default",
            ];
            let call = ApiCall::post("crm.batch_associate_default", &path, &body).idempotent();
            let answer: BatchAnswer<serde_json::Value> =
                self.call_json(workspace_id, &call).await?;
            if answer.results.is_empty() {
                if let Some(first) = answer.errors.first() {
                    return Err(first.to_error());
                }
            } else {
                accept_partial(workspace_id, "crm.batch_associate_default", answer)?;
            }
        }
        Ok(())
    }

    /// Lists the `to` records associated with record `id`, all pages.
    pub async fn read_associations(
        &self,
        workspace_id: &str,
        from: CrmObject,
        id: &str,
        to: CrmObject,
    ) -> Result<Vec<AssociatedRecord>, HubSpotError> {
        let path = [
            "crm",
            "v4",
            "objects",
            from.path_name(),
            id,
            "associations",
            to.path_name(),
        ];
        let mut records = Vec::new();
        let mut after: Option<String> = None;
        for _ in 0..MAX_READ_PAGES {
            let mut call = ApiCall::get("crm.read_associations", &path)
                .query("limit", READ_PAGE_SIZE.to_string());
            if let Some(cursor) = &after {
                call = call.query("after", cursor.clone());
            }
            let page: ReadPage = self.call_json(workspace_id, &call).await?;
            records.extend(page.results.into_iter().map(AssociatedRecord::from));
            after = page
                .paging
                .and_then(|paging| paging.next)
                .map(|next| next.after);
            if after.is_none() {
                break;
            }
        }
        Ok(records)
    }

    /// Lists the `to` records associated with each of `ids`. Every id is a
    /// key of the result; one without associations maps to an empty list.
    ///
    /// NOTE: only the first page (HubSpot's default size) per id is read;
    /// use [`HubSpot::read_associations`] for records with very many
    /// associations.
    pub async fn batch_read_associations(
        &self,
        workspace_id: &str,
        from: CrmObject,
        to: CrmObject,
        ids: &[String],
    ) -> Result<HashMap<String, Vec<AssociatedRecord>>, HubSpotError> {
        let mut associations: HashMap<String, Vec<AssociatedRecord>> =
            ids.iter().map(|id| (id.clone(), Vec::new())).collect();
        for chunk in ids.chunks(BATCH_SIZE) {
            let body = Inputs {
                inputs: chunk.iter().map(|id| IdRef { id }).collect(),
            };
            let path = [
                "crm",
                "v4",
                "associations",
                from.path_name(),
                to.path_name(),
                "batch",
                "read",
            ];
            let call = ApiCall::post("crm.batch_read_associations", &path, &body).idempotent();
            // Ids without associations come back as per-input errors, which
            // here just mean "none".
            let answer: BatchAnswer<BatchReadResult> = self.call_json(workspace_id, &call).await?;
            for result in answer.results {
                let entry = associations.entry(result.from.id).or_default();
                entry.extend(result.to.into_iter().map(AssociatedRecord::from));
            }
        }
        Ok(associations)
    }
}
