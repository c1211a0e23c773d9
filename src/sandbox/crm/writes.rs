//! Record writes shared by the single, batch and booking paths: property
//! validation, contact email uniqueness, create-time associations and the
//! portal's automatic company creation.

use std::collections::HashSet;
use std::time::Duration;

use serde::Deserialize;
use serde_json::{Map, Value};

use super::ObjectType;
use super::store::{Properties, Record};
use super::validate::{WriteKind, validate_properties};
use crate::sandbox::associations::{self, CreateAssociation, types};
use crate::sandbox::errors::ApiError;
use crate::sandbox::ids;
use crate::sandbox::state::{SharedSandbox, World};

/// Email domains of free mail providers, for which the portal creates no
/// company automatically.
const FREE_MAIL_DOMAINS: &[&str] = &[
    "gmail.com",
    "googlemail.com",
    "yahoo.com",
    "hotmail.com",
    "outlook.com",
    "live.com",
    "msn.com",
    "icloud.com",
    "me.com",
    "aol.com",
    "proton.me",
    "protonmail.com",
    "gmx.com",
    "gmx.de",
    "yandex.com",
    "mail.com",
];

/// Body of a record create (`SimplePublicObjectInputForCreate`).
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(crate) struct CreateInput {
    pub properties: Map<String, Value>,
    #[serde(default)]
    pub associations: Vec<CreateAssociation>,
    pub object_write_trace_id: Option<String>,
}

/// The time of a write and the search lag that applies to it.
#[derive(Debug, Clone, Copy)]
pub(crate) struct WriteClock {
    pub now_ms: i64,
    pub lag_ms: u64,
}

impl WriteClock {
    pub(crate) fn now(sandbox: &SharedSandbox) -> Self {
        Self {
            now_ms: ids::now_ms(),
            lag_ms: sandbox.settings().search_lag_ms,
        }
    }
}

/// Builds the 409 for a contact email that another contact already has.
pub(crate) fn email_conflict(existing_id: u64) -> ApiError {
    ApiError::conflict(format!(
        "Contact already exists. Existing ID: {existing_id}"
    ))
}

fn check_email_free(
    world: &World,
    object: ObjectType,
    values: &Properties,
    own_id: Option<u64>,
    batch_emails: &HashSet<String>,
) -> Result<(), ApiError> {
    if object != ObjectType::Contacts {
        return Ok(());
    }
    let Some(email) = values.get("email").filter(|email| !email.is_empty()) else {
        return Ok(());
    };
    if batch_emails.contains(email) {
        return Err(ApiError::validation(format!(
            "Duplicate email {email} in batch input"
        )));
    }
    match world.crm.find_contact_by_email(email) {
        Some(existing) if Some(existing) != own_id => Err(email_conflict(existing)),
        _ => Ok(()),
    }
}

/// A create that passed every check and can be written.
#[derive(Debug)]
pub(crate) struct PreparedCreate {
    object: ObjectType,
    values: Properties,
    links: Vec<associations::AssociationTarget>,
}

impl PreparedCreate {
    /// Returns the contact email this create claims, if any.
    pub(crate) fn email(&self) -> Option<&String> {
        self.values.get("email").filter(|email| !email.is_empty())
    }
}

/// Checks one create against the stored data and the emails claimed by
/// earlier inputs of the same batch, without writing anything.
pub(crate) fn prepare_create(
    world: &World,
    object: ObjectType,
    input: &CreateInput,
    batch_emails: &HashSet<String>,
) -> Result<PreparedCreate, ApiError> {
    let values = validate_properties(
        object,
        &input.properties,
        WriteKind::Create,
        world.portal_id,
    )?;
    check_email_free(world, object, &values, None, batch_emails)?;
    let links = associations::resolve_create_associations(&world.crm, object, &input.associations)?;
    Ok(PreparedCreate {
        object,
        values,
        links,
    })
}

/// Writes a prepared create with its associations.
pub(crate) fn commit_create(
    world: &mut World,
    prepared: PreparedCreate,
    clock: WriteClock,
) -> Record {
    let object = prepared.object;
    let record = world
        .crm
        .create(object, prepared.values, clock.now_ms, clock.lag_ms);
    for (target, type_id) in prepared.links {
        world
            .associations
            .associate((object, record.id), target, type_id);
    }
    record
}

/// Validates and stores one new record with its associations. Nothing is
/// written when any check fails.
pub(crate) fn create_record_in(
    world: &mut World,
    object: ObjectType,
    input: &CreateInput,
    clock: WriteClock,
) -> Result<Record, ApiError> {
    let prepared = prepare_create(world, object, input, &HashSet::new())?;
    Ok(commit_create(world, prepared, clock))
}

/// An update that passed every check and can be written.
#[derive(Debug)]
pub(crate) struct PreparedUpdate {
    object: ObjectType,
    id: u64,
    values: Properties,
}

impl PreparedUpdate {
    pub(crate) fn email(&self) -> Option<&String> {
        self.values.get("email").filter(|email| !email.is_empty())
    }
}

/// Checks one update of a live record without writing anything.
pub(crate) fn prepare_update(
    world: &World,
    object: ObjectType,
    id: u64,
    input: &Map<String, Value>,
    batch_emails: &HashSet<String>,
) -> Result<PreparedUpdate, ApiError> {
    let values = validate_properties(object, input, WriteKind::Update, world.portal_id)?;
    if world.crm.get(object, id).is_none() {
        return Err(ApiError::not_found());
    }
    check_email_free(world, object, &values, Some(id), batch_emails)?;
    Ok(PreparedUpdate { object, id, values })
}

/// Writes a prepared update.
pub(crate) fn commit_update(
    world: &mut World,
    prepared: PreparedUpdate,
    clock: WriteClock,
) -> Record {
    world
        .crm
        .update(
            prepared.object,
            prepared.id,
            prepared.values,
            clock.now_ms,
            clock.lag_ms,
        )
        .expect("a prepared update names a live record and the world lock is held")
}

/// Validates and applies an update to a live record.
pub(crate) fn update_record_in(
    world: &mut World,
    object: ObjectType,
    id: u64,
    input: &Map<String, Value>,
    clock: WriteClock,
) -> Result<Record, ApiError> {
    let prepared = prepare_update(world, object, id, input, &HashSet::new())?;
    Ok(commit_update(world, prepared, clock))
}

/// Creates the booker's contact or updates the one with that email; returns
/// the record and whether it was created.
pub fn create_or_update_contact_by_email(
    world: &mut World,
    email: &str,
    first_name: &str,
    last_name: &str,
    clock: WriteClock,
) -> Result<(Record, bool), ApiError> {
    let mut properties = Map::new();
    properties.insert("firstname".into(), Value::String(first_name.into()));
    properties.insert("lastname".into(), Value::String(last_name.into()));
    if let Some(id) = world.crm.find_contact_by_email(email) {
        return update_record_in(world, ObjectType::Contacts, id, &properties, clock)
            .map(|record| (record, false));
    }
    properties.insert("email".into(), Value::String(email.into()));
    let input = CreateInput {
        properties,
        associations: Vec::new(),
        object_write_trace_id: None,
    };
    create_record_in(world, ObjectType::Contacts, &input, clock).map(|record| (record, true))
}

/// After a contact is created: when the portal creates companies from
/// email domains, makes (or finds) the company for the contact's domain and
/// associates it, after the configured delay.
pub(crate) fn schedule_auto_company(sandbox: &SharedSandbox, portal_id: u64, contact: &Record) {
    let settings = sandbox.settings();
    if !settings.auto_create_company {
        return;
    }
    let Some(domain) = contact
        .properties
        .get("email")
        .and_then(|email| email.rsplit_once('@'))
        .map(|(_, domain)| domain.to_lowercase())
    else {
        return;
    };
    if FREE_MAIL_DOMAINS.contains(&domain.as_str()) {
        return;
    }
    let sandbox = sandbox.clone();
    let contact_id = contact.id;
    let delay = Duration::from_millis(settings.auto_create_company_delay_ms);
    tokio::spawn(async move {
        tokio::time::sleep(delay).await;
        let clock = WriteClock::now(&sandbox);
        let mut world = sandbox.world(portal_id);
        let company_id = match find_company_by_domain(&world, &domain) {
            Some(id) => id,
            None => {
                let mut values = Properties::new();
                values.insert("domain".into(), domain.clone());
                values.insert("name".into(), company_name_from(&domain));
                world
                    .crm
                    .create(ObjectType::Companies, values, clock.now_ms, clock.lag_ms)
                    .id
            }
        };
        world.associations.associate(
            (ObjectType::Contacts, contact_id),
            (ObjectType::Companies, company_id),
            types::CONTACT_TO_COMPANY,
        );
        tracing::debug!(
            contact_id,
            company_id,
            "sandbox auto-created company association"
        );
    });
}

fn find_company_by_domain(world: &World, domain: &str) -> Option<u64> {
    world
        .crm
        .all(ObjectType::Companies)
        .filter(|record| !record.archived)
        .find(|record| {
            record
                .properties
                .get("domain")
                .is_some_and(|stored| stored.eq_ignore_ascii_case(domain))
        })
        .map(|record| record.id)
}

/// `acme-widgets.com` becomes `Acme-widgets`.
fn company_name_from(domain: &str) -> String {
    let label = domain.split('.').next().unwrap_or(domain);
    let mut characters = label.chars();
    match characters.next() {
        Some(first) => first.to_uppercase().chain(characters).collect(),
        None => domain.to_string(),
    }
}
