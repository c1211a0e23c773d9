//! The CRM operations the upsert path needs, as a trait over the HubSpot
//! client. The trait keeps the upsert path's own vocabulary and lets it be
//! built and checked apart from the client's transport details.

use std::collections::{BTreeMap, HashMap};
use std::future::Future;

pub use crate::hubspot::{CrmObject, PropertyDefinition, PropertyOption};

/// Property values of a CRM record; HubSpot sends and takes every value as
/// a string.
pub type Properties = BTreeMap<String, String>;

/// HubSpot-defined association type ids.
pub mod association_type {
    /// Note to contact.
    pub const NOTE_TO_CONTACT: i64 = 202;
    /// Note to company.
    pub const NOTE_TO_COMPANY: i64 = 190;
    /// Contact to company, primary.
    pub const CONTACT_TO_COMPANY_PRIMARY: i64 = 1;
}

/// A record as read or written.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CrmRecord {
    pub id: String,
    pub properties: BTreeMap<String, Option<String>>,
    /// `createdAt` as sent by HubSpot (ISO 8601).
    pub created_at: Option<String>,
    /// The `objectWriteTraceId` of the batch input that made this record.
    pub trace_id: Option<String>,
}

impl CrmRecord {
    /// Returns the value of property `name`, when set and not empty.
    pub fn property(&self, name: &str) -> Option<&str> {
        self.properties
            .get(name)?
            .as_deref()
            .filter(|value| !value.is_empty())
    }
}

/// A result of a batch upsert of contacts by email.
#[derive(Debug, Clone, PartialEq)]
pub struct UpsertedRecord {
    pub id: String,
    /// True when HubSpot created the record.
    pub new: bool,
    pub properties: BTreeMap<String, Option<String>>,
}

/// A record to create, with associations made at creation.
#[derive(Debug, Clone, PartialEq)]
pub struct NewRecord {
    pub properties: Properties,
    /// `(to record id, HubSpot-defined association type id)`.
    pub associations: Vec<(String, i64)>,
    /// Unique per input of one batch, so results can be matched to inputs.
    pub trace_id: Option<String>,
}

/// A record associated with another, with the association type ids.
#[derive(Debug, Clone, PartialEq)]
pub struct Associated {
    pub id: String,
    pub type_ids: Vec<i64>,
}

/// One rejected property value of a validation error.
#[derive(Debug, Clone, PartialEq)]
pub struct PropertyError {
    pub property: Option<String>,
    pub code: Option<String>,
    pub message: String,
}

/// A failed CRM call, classified by what the caller must do.
#[derive(Debug, Clone, thiserror::Error)]
pub enum CrmError {
    /// HubSpot is not connected, or its refresh token no longer works.
    #[error("HubSpot is not connected: reconnect in Integrations")]
    ReconnectRequired,
    /// The connection lacks a scope.
    #[error(
        "the HubSpot connection lacks required scopes ({0}): reconnect in Integrations and grant them"
    )]
    MissingScopes(String),
    /// Wait before the next call.
    #[error("HubSpot rate limit reached")]
    RateLimited { retry_after_ms: Option<u64> },
    /// The contact already exists.
    #[error("the record already exists in HubSpot")]
    Conflict { existing_id: Option<String> },
    /// HubSpot rejected property values.
    #[error("HubSpot rejected the values: {}", describe_property_errors(.errors))]
    Validation { errors: Vec<PropertyError> },
    /// The record does not exist.
    #[error("the record was not found in HubSpot")]
    NotFound,
    /// No response in time; `request_sent` tells whether the write may have
    /// landed.
    #[error("HubSpot did not answer in time")]
    Timeout { request_sent: bool },
    /// HubSpot is down or overloaded; retry later.
    #[error("HubSpot is unavailable")]
    Unavailable,
    /// Anything else.
    #[error("HubSpot call failed: {0}")]
    Unexpected(String),
}

fn describe_property_errors(errors: &[PropertyError]) -> String {
    let parts: Vec<String> = errors
        .iter()
        .map(|error| match &error.property {
            Some(property) => format!("{property}: {}", error.message),
            None => error.message.clone(),
        })
        .collect();
    parts.join("; ")
}

/// The CRM calls of the upsert path. `workspace_id` selects the portal and
/// its tokens. Implementations never delete or archive CRM data.
pub trait CrmApi: Send + Sync {
    /// Returns the portal id of the workspace's current connection.
    fn portal_id(&self, workspace_id: &str) -> impl Future<Output = Result<i64, CrmError>> + Send;

    /// Reads a contact by email (a direct read, not a search).
    fn get_contact_by_email(
        &self,
        workspace_id: &str,
        email: &str,
        properties: &[&str],
    ) -> impl Future<Output = Result<Option<CrmRecord>, CrmError>> + Send;

    /// Reads a record by id; `None` when it does not exist.
    fn get_record(
        &self,
        workspace_id: &str,
        object: CrmObject,
        id: &str,
        properties: &[&str],
    ) -> impl Future<Output = Result<Option<CrmRecord>, CrmError>> + Send;

    /// Creates one record.
    fn create_record(
        &self,
        workspace_id: &str,
        object: CrmObject,
        record: NewRecord,
    ) -> impl Future<Output = Result<CrmRecord, CrmError>> + Send;

    /// Updates one record by id with the given properties only.
    fn update_record(
        &self,
        workspace_id: &str,
        object: CrmObject,
        id: &str,
        properties: Properties,
    ) -> impl Future<Output = Result<CrmRecord, CrmError>> + Send;

    /// Reads records by id; unknown ids are left out.
    fn batch_read(
        &self,
        workspace_id: &str,
        object: CrmObject,
        ids: Vec<String>,
        properties: &[&str],
    ) -> impl Future<Output = Result<Vec<CrmRecord>, CrmError>> + Send;

    /// Creates or updates contacts by email, at most 100 per call.
    fn batch_upsert_contacts_by_email(
        &self,
        workspace_id: &str,
        inputs: Vec<(String, Properties)>,
    ) -> impl Future<Output = Result<Vec<UpsertedRecord>, CrmError>> + Send;

    /// Creates records, at most 100 per call.
    fn batch_create(
        &self,
        workspace_id: &str,
        object: CrmObject,
        records: Vec<NewRecord>,
    ) -> impl Future<Output = Result<Vec<CrmRecord>, CrmError>> + Send;

    /// Updates records by id, at most 100 per call.
    fn batch_update(
        &self,
        workspace_id: &str,
        object: CrmObject,
        updates: Vec<(String, Properties)>,
    ) -> impl Future<Output = Result<Vec<CrmRecord>, CrmError>> + Send;

    /// Finds companies whose `domain` is one of `domains` (one search).
    fn search_companies_by_domains(
        &self,
        workspace_id: &str,
        domains: &[String],
        properties: &[&str],
    ) -> impl Future<Output = Result<Vec<CrmRecord>, CrmError>> + Send;

    /// Associates two records with the unlabeled default association.
    fn associate_default(
        &self,
        workspace_id: &str,
        from: (CrmObject, &str),
        to: (CrmObject, &str),
    ) -> impl Future<Output = Result<(), CrmError>> + Send;

    /// Associates pairs `(from id, to id)` with the default association.
    fn batch_associate_default(
        &self,
        workspace_id: &str,
        from: CrmObject,
        to: CrmObject,
        pairs: Vec<(String, String)>,
    ) -> impl Future<Output = Result<(), CrmError>> + Send;

    /// Reads the records of type `to` associated with one record.
    fn read_associations(
        &self,
        workspace_id: &str,
        from: (CrmObject, &str),
        to: CrmObject,
    ) -> impl Future<Output = Result<Vec<Associated>, CrmError>> + Send;

    /// Reads associations of several records, keyed by their ids.
    fn batch_read_associations(
        &self,
        workspace_id: &str,
        from: CrmObject,
        to: CrmObject,
        ids: Vec<String>,
    ) -> impl Future<Output = Result<HashMap<String, Vec<Associated>>, CrmError>> + Send;

    /// Reads a property definition; `None` when the property does not exist.
    fn get_property(
        &self,
        workspace_id: &str,
        object: CrmObject,
        name: &str,
    ) -> impl Future<Output = Result<Option<PropertyDefinition>, CrmError>> + Send;
}
