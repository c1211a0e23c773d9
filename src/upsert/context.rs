//! What every push needs: the CRM, the database, the clock, cached
//! property definitions and the identity of the worker holding claims.

use serde::{Deserialize, Serialize};

use super::crm::{CrmApi, CrmError};
use super::enums::PropertyCache;
use crate::clock::Clock;
use crate::storage::Db;
use crate::storage::visitors::SkippedField;

/// Shared inputs of the upsert path.
pub struct UpsertContext<'a, C: CrmApi> {
    pub crm: &'a C,
    pub db: &'a Db,
    pub clock: &'a Clock,
    pub properties: &'a PropertyCache,
    /// Id of the worker, written into claims.
    pub worker_id: &'a str,
    /// How long a claim on a company key lasts, in milliseconds.
    pub claim_ms: i64,
}

/// Why a push did not finish.
#[derive(Debug, thiserror::Error)]
pub enum PushError {
    #[error(transparent)]
    Crm(#[from] CrmError),
    /// Another push is matching or creating the same company right now.
    #[error("another push is creating the same HubSpot company; retrying shortly")]
    CompanyBusy,
    /// The visitor has nothing HubSpot can store: no email, name or company.
    #[error("the visitor has no email, name or company to push")]
    NothingToPush,
    #[error("database error during the push")]
    Database(#[from] sqlx::Error),
}

/// What a push did, stored as the push job's `result` and copied onto the
/// visitor. Saved after each step that must not be repeated.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct PushOutcome {
    pub portal_id: i64,
    pub contact_id: Option<String>,
    pub company_id: Option<String>,
    #[serde(default)]
    pub contact_created: bool,
    #[serde(default)]
    pub company_created: bool,
    /// True when this push added the contact–company association.
    #[serde(default)]
    pub associated: bool,
    pub note_id: Option<String>,
    #[serde(default)]
    pub skipped_fields: Vec<SkippedField>,
}
