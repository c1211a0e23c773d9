//! [`CrmApi`] over the HubSpot client: type conversions and the mapping of
//! [`HubSpotError`] to [`CrmError`].

use std::collections::HashMap;

use super::crm::{
    Associated, CrmApi, CrmError, CrmObject, CrmRecord, NewRecord, Properties, PropertyDefinition,
    PropertyError, UpsertedRecord,
};
use crate::hubspot::{
    AssociatedRecord, AssociationInput, CreateInput, HubSpot, HubSpotError, Record,
};

impl From<HubSpotError> for CrmError {
    fn from(error: HubSpotError) -> Self {
        match error {
            HubSpotError::ReconnectRequired => CrmError::ReconnectRequired,
            HubSpotError::MissingScopes { scopes } => CrmError::MissingScopes(scopes.join(", ")),
            HubSpotError::RateLimited { retry_after, .. } => CrmError::RateLimited {
                retry_after_ms: retry_after.map(|wait| wait.as_millis() as u64),
            },
            HubSpotError::Conflict { existing_id, .. } => CrmError::Conflict { existing_id },
            HubSpotError::Validation {
                errors, message, ..
            } => {
                let mut errors: Vec<PropertyError> = errors
                    .into_iter()
                    .map(|error| PropertyError {
                        property: error.property,
                        code: Some(error.code),
                        message: error.message,
                    })
                    .collect();
                if errors.is_empty() {
                    errors.push(PropertyError {
                        property: None,
                        code: None,
                        message,
                    });
                }
                CrmError::Validation { errors }
            }
            HubSpotError::NotFound => CrmError::NotFound,
            HubSpotError::Timeout { request_sent } => CrmError::Timeout { request_sent },
            HubSpotError::Unavailable => CrmError::Unavailable,
            HubSpotError::Unexpected(text) => CrmError::Unexpected(text),
        }
    }
}

fn record(record: Record) -> CrmRecord {
    CrmRecord {
        id: record.id,
        properties: record
            .properties
            .into_iter()
            .map(|(name, value)| (name, Some(value)))
            .collect(),
        created_at: record.created_at.map(|at| at.to_rfc3339()),
        trace_id: None,
    }
}

fn associated(records: Vec<AssociatedRecord>) -> Vec<Associated> {
    records
        .into_iter()
        .map(|record| Associated {
            id: record.to_object_id,
            type_ids: record.type_ids.into_iter().map(i64::from).collect(),
        })
        .collect()
}

fn create_input(new: NewRecord) -> CreateInput {
    let associations = new
        .associations
        .into_iter()
        .map(|(to_id, type_id)| AssociationInput {
            to_id,
            type_id: type_id as u32,
        })
        .collect();
    CreateInput {
        properties: new.properties,
        associations,
    }
}

impl CrmApi for HubSpot {
    async fn portal_id(&self, workspace_id: &str) -> Result<i64, CrmError> {
        self.current_portal_id(workspace_id)
            .await?
            .ok_or(CrmError::ReconnectRequired)
    }

    async fn get_contact_by_email(
        &self,
        workspace_id: &str,
        email: &str,
        properties: &[&str],
    ) -> Result<Option<CrmRecord>, CrmError> {
        Ok(
            HubSpot::get_contact_by_email(self, workspace_id, email, properties)
                .await?
                .map(record),
        )
    }

    async fn get_record(
        &self,
        workspace_id: &str,
        object: CrmObject,
        id: &str,
        properties: &[&str],
    ) -> Result<Option<CrmRecord>, CrmError> {
        Ok(
            HubSpot::get_record(self, workspace_id, object, id, properties, &[])
                .await?
                .map(record),
        )
    }

    async fn create_record(
        &self,
        workspace_id: &str,
        object: CrmObject,
        new: NewRecord,
    ) -> Result<CrmRecord, CrmError> {
        let input = create_input(new);
        let created = HubSpot::create_record(
            self,
            workspace_id,
            object,
            input.properties,
            input.associations,
        )
        .await?;
        Ok(record(created))
    }

    async fn update_record(
        &self,
        workspace_id: &str,
        object: CrmObject,
        id: &str,
        properties: Properties,
    ) -> Result<CrmRecord, CrmError> {
        Ok(record(
            HubSpot::update_record(self, workspace_id, object, id, properties).await?,
        ))
    }

    async fn batch_read(
        &self,
        workspace_id: &str,
        object: CrmObject,
        ids: Vec<String>,
        properties: &[&str],
    ) -> Result<Vec<CrmRecord>, CrmError> {
        let records = HubSpot::batch_read(self, workspace_id, object, &ids, properties).await?;
        Ok(records.into_iter().map(record).collect())
    }

    async fn batch_upsert_contacts_by_email(
        &self,
        workspace_id: &str,
        inputs: Vec<(String, Properties)>,
    ) -> Result<Vec<UpsertedRecord>, CrmError> {
        let upserted = HubSpot::batch_upsert_contacts_by_email(self, workspace_id, inputs).await?;
        Ok(upserted
            .into_iter()
            .map(|upserted| UpsertedRecord {
                id: upserted.id,
                new: upserted.new,
                properties: upserted
                    .properties
                    .into_iter()
                    .map(|(name, value)| (name, Some(value)))
                    .collect(),
            })
            .collect())
    }

    async fn batch_create(
        &self,
        workspace_id: &str,
        object: CrmObject,
        records: Vec<NewRecord>,
    ) -> Result<Vec<CrmRecord>, CrmError> {
        let inputs = records.into_iter().map(create_input).collect();
        Ok(HubSpot::batch_create(self, workspace_id, object, inputs)
            .await?
            .into_iter()
            .map(record)
            .collect())
    }

    async fn batch_update(
        &self,
        workspace_id: &str,
        object: CrmObject,
        updates: Vec<(String, Properties)>,
    ) -> Result<Vec<CrmRecord>, CrmError> {
        Ok(HubSpot::batch_update(self, workspace_id, object, updates)
            .await?
            .into_iter()
            .map(record)
            .collect())
    }

    async fn search_companies_by_domains(
        &self,
        workspace_id: &str,
        domains: &[String],
        properties: &[&str],
    ) -> Result<Vec<CrmRecord>, CrmError> {
        let found =
            HubSpot::search_companies_by_domains(self, workspace_id, domains, properties).await?;
        Ok(found.into_iter().map(record).collect())
    }

    async fn associate_default(
        &self,
        workspace_id: &str,
        from: (CrmObject, &str),
        to: (CrmObject, &str),
    ) -> Result<(), CrmError> {
        Ok(HubSpot::associate_default(self, workspace_id, from.0, from.1, to.0, to.1).await?)
    }

    async fn batch_associate_default(
        &self,
        workspace_id: &str,
        from: CrmObject,
        to: CrmObject,
        pairs: Vec<(String, String)>,
    ) -> Result<(), CrmError> {
        Ok(HubSpot::batch_associate_default(self, workspace_id, from, to, pairs).await?)
    }

    async fn read_associations(
        &self,
        workspace_id: &str,
        from: (CrmObject, &str),
        to: CrmObject,
    ) -> Result<Vec<Associated>, CrmError> {
        Ok(associated(
            HubSpot::read_associations(self, workspace_id, from.0, from.1, to).await?,
        ))
    }

    async fn batch_read_associations(
        &self,
        workspace_id: &str,
        from: CrmObject,
        to: CrmObject,
        ids: Vec<String>,
    ) -> Result<HashMap<String, Vec<Associated>>, CrmError> {
        let read = HubSpot::batch_read_associations(self, workspace_id, from, to, &ids).await?;
        Ok(read
            .into_iter()
            .map(|(id, records)| (id, associated(records)))
            .collect())
    }

    async fn get_property(
        &self,
        workspace_id: &str,
        object: CrmObject,
        name: &str,
    ) -> Result<Option<PropertyDefinition>, CrmError> {
        match HubSpot::get_property(self, workspace_id, object, name).await {
            Ok(definition) => Ok(Some(definition)),
            Err(HubSpotError::NotFound) => Ok(None),
            Err(error) => Err(error.into()),
        }
    }
}
