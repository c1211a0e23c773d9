//! Single-record calls: create, read, update, read a contact by email, and
//! property definitions.

use serde::Serialize;

use super::types::{AssociationInput, CrmObject, Properties, PropertyDefinition, Record};
use crate::hubspot::HubSpot;
use crate::hubspot::error::HubSpotError;
use crate::hubspot::transport::ApiCall;

#[derive(Serialize)]
struct CreateBody<'a> {
    properties: &'a Properties,
    associations: &'a [AssociationInput],
}

#[derive(Serialize)]
struct UpdateBody<'a> {
    properties: &'a Properties,
}

impl HubSpot {
    /// Creates a record, already associated with the `associations` targets. Not
    /// retried after the request was sent. A contact whose email exists
    /// gives [`HubSpotError::Conflict`] with the existing id.
    pub async fn create_record(
        &self,
        workspace_id: &str,
        object: CrmObject,
        properties: Properties,
        associations: Vec<AssociationInput>,
    ) -> Result<Record, HubSpotError> {
        let body = CreateBody {
            properties: &properties,
            associations: &associations,
        };
        let call = ApiCall::post(
            "crm.create",
            &["crm", "v3", "objects", object.path_name()],
            &body,
        );
        self.call_json(workspace_id, &call).await
    }

    /// Overwrites the given properties of record `id`; an empty string
    /// clears a value, so send only what should change.
    pub async fn update_record(
        &self,
        workspace_id: &str,
        object: CrmObject,
        id: &str,
        properties: Properties,
    ) -> Result<Record, HubSpotError> {
        let body = UpdateBody {
            properties: &properties,
        };
        let call = ApiCall::patch(
            "crm.update",
            &["crm", "v3", "objects", object.path_name(), id],
            &body,
        );
        self.call_json(workspace_id, &call).await
    }

    /// Reads record `id` with `properties` and the ids of associated
    /// records of the `associations` object types; `None` when it does not
    /// exist.
    pub async fn get_record(
        &self,
        workspace_id: &str,
        object: CrmObject,
        id: &str,
        properties: &[&str],
        associations: &[&str],
    ) -> Result<Option<Record>, HubSpotError> {
        let mut call = ApiCall::get("crm.get", &["crm", "v3", "objects", object.path_name(), id]);
        if !properties.is_empty() {
            call = call.query("properties", properties.join(","));
        }
        if !associations.is_empty() {
            call = call.query("associations", associations.join(","));
        }
        not_found_as_none(self.call_json(workspace_id, &call).await)
    }

    /// Reads the contact whose primary email is `email`; `None` when there
    /// is none. Secondary emails are not matched.
    pub async fn get_contact_by_email(
        &self,
        workspace_id: &str,
        email: &str,
        properties: &[&str],
    ) -> Result<Option<Record>, HubSpotError> {
        let mut call = ApiCall::get(
            "crm.get_contact_by_email",
            &["crm", "v3", "objects", "contacts", email],
        )
        .query("idProperty", "email");
        if !properties.is_empty() {
            call = call.query("properties", properties.join(","));
        }
        not_found_as_none(self.call_json(workspace_id, &call).await)
    }

    /// Reads the definition of property `name`, with its options.
    pub async fn get_property(
        &self,
        workspace_id: &str,
        object: CrmObject,
        name: &str,
    ) -> Result<PropertyDefinition, HubSpotError> {
        let call = ApiCall::get(
            "crm.get_property",
            &["crm", "v3", "properties", object.path_name(), name],
        );
        self.call_json(workspace_id, &call).await
    }
}

fn not_found_as_none(result: Result<Record, HubSpotError>) -> Result<Option<Record>, HubSpotError> {
    match result {
        Ok(record) => Ok(Some(record)),
        Err(HubSpotError::NotFound) => Ok(None),
        Err(other) => Err(other),
    }
}
