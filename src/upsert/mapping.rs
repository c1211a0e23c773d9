//! Visitor fields to HubSpot property values. Only fields with a value are
//! sent, so an empty value never overwrites one HubSpot has. A value that
//! cannot be mapped is left out and reported as a skipped field.

use super::crm::{CrmApi, CrmError, CrmObject, Properties};
use super::enums::{PropertyCache, match_option};
use super::numbers::to_hubspot_number;
use crate::domain::CompanyDomain;
use crate::storage::visitors::{SkippedField, VisitorRecord};

/// Contact properties and the visitor fields they come from.
const CONTACT_FIELDS: &[(&str, &str)] = &[
    ("email", "email"),
    ("firstname", "first_name"),
    ("lastname", "last_name"),
    ("jobtitle", "job_title"),
    ("company", "company.name"),
    ("website", "company.domain"),
    ("city", "city"),
    ("country", "country"),
    ("hs_lead_status", "lead_status"),
    ("hs_linkedin_url", "linkedin_url"),
];

/// Company properties and the visitor fields they come from.
const COMPANY_FIELDS: &[(&str, &str)] = &[
    ("name", "company.name"),
    ("domain", "company.domain"),
    ("industry", "company.industry"),
    ("city", "company.city"),
    ("country", "company.country"),
    ("numberofemployees", "company.employees"),
    ("annualrevenue", "company.annual_revenue"),
    ("description", "company.description"),
    ("linkedin_company_page", "company.linkedin_url"),
];

/// Returns the visitor field a HubSpot property comes from, for
/// skipped-field reports.
pub fn field_of(object: CrmObject, property: &str) -> String {
    let table = if object == CrmObject::Companies {
        COMPANY_FIELDS
    } else {
        CONTACT_FIELDS
    };
    table
        .iter()
        .find(|(name, _)| *name == property)
        .map_or_else(|| property.to_string(), |(_, field)| (*field).to_string())
}

/// A visitor mapped to HubSpot properties.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct MappedVisitor {
    pub contact: Properties,
    /// `None` when the visitor has no company that can become one.
    pub company: Option<Properties>,
    /// The domain the company is matched by, when it has a usable one.
    pub company_domain: Option<CompanyDomain>,
    pub skipped: Vec<SkippedField>,
}

/// Maps a visitor's stored fields. Enumeration values are checked against
/// the portal's property definitions, read through `cache`.
pub async fn map_visitor<C: CrmApi>(
    crm: &C,
    cache: &PropertyCache,
    workspace_id: &str,
    portal_id: i64,
    visitor: &VisitorRecord,
) -> Result<MappedVisitor, CrmError> {
    let mut mapped = MappedVisitor::default();
    let company = &visitor.company;
    let domain = company.domain.clone().filter(|domain| {
        let free_mail = domain.is_free_mail();
        if free_mail {
            mapped.skipped.push(skipped(
                "company.domain",
                "is a free-mail domain, which never becomes a company",
            ));
        }
        !free_mail
    });

    let mut contact = Properties::new();
    put(&mut contact, "email", visitor.email.clone());
    put(&mut contact, "firstname", visitor.first_name.clone());
    put(&mut contact, "lastname", visitor.last_name.clone());
    put(&mut contact, "jobtitle", visitor.job_title.clone());
    put(&mut contact, "company", company.name.clone());
    put(
        &mut contact,
        "website",
        domain.as_ref().map(|domain| format!("https://{domain}")),
    );
    put(&mut contact, "city", visitor.city.clone());
    put(&mut contact, "country", visitor.country.clone());
    put(
        &mut contact,
        "hs_linkedin_url",
        visitor.linkedin_url.clone(),
    );
    if let Some(status) = &visitor.lead_status {
        let target = (CrmObject::Contacts, "hs_lead_status", "lead_status");
        let value = map_enum(
            crm,
            cache,
            workspace_id,
            portal_id,
            target,
            status,
            &mut mapped.skipped,
        )
        .await?;
        put(&mut contact, "hs_lead_status", value);
    }
    mapped.contact = contact;

    if company.name.is_none() && domain.is_none() {
        if !company.is_empty() && company.domain.is_none() {
            mapped.skipped.push(skipped(
                "company",
                "needs a name or a domain to become a HubSpot company",
            ));
        }
        return Ok(mapped);
    }
    let mut properties = Properties::new();
    put(&mut properties, "name", company.name.clone());
    put(
        &mut properties,
        "domain",
        domain.as_ref().map(ToString::to_string),
    );
    put(&mut properties, "city", company.city.clone());
    put(&mut properties, "country", company.country.clone());
    put(&mut properties, "description", company.description.clone());
    put(
        &mut properties,
        "linkedin_company_page",
        company.linkedin_url.clone(),
    );
    put_number(
        &mut properties,
        "numberofemployees",
        company.employees.as_deref(),
        true,
        &mut mapped.skipped,
    );
    put_number(
        &mut properties,
        "annualrevenue",
        company.annual_revenue.as_deref(),
        false,
        &mut mapped.skipped,
    );
    if let Some(industry) = &company.industry {
        let target = (CrmObject::Companies, "industry", "company.industry");
        let value = map_enum(
            crm,
            cache,
            workspace_id,
            portal_id,
            target,
            industry,
            &mut mapped.skipped,
        )
        .await?;
        put(&mut properties, "industry", value);
    }
    mapped.company = Some(properties);
    mapped.company_domain = domain;
    Ok(mapped)
}

fn put(properties: &mut Properties, name: &str, value: Option<String>) {
    if let Some(value) = value.filter(|value| !value.trim().is_empty()) {
        properties.insert(name.to_string(), value);
    }
}

fn put_number(
    properties: &mut Properties,
    name: &str,
    text: Option<&str>,
    integer: bool,
    skipped_fields: &mut Vec<SkippedField>,
) {
    let Some(text) = text else { return };
    match to_hubspot_number(text, integer) {
        Ok(digits) => {
            properties.insert(name.to_string(), digits);
        }
        Err(reason) => skipped_fields.push(skipped(&field_of(CrmObject::Companies, name), &reason)),
    }
}

async fn map_enum<C: CrmApi>(
    crm: &C,
    cache: &PropertyCache,
    workspace_id: &str,
    portal_id: i64,
    (object, property, field): (CrmObject, &str, &str),
    input: &str,
    skipped_fields: &mut Vec<SkippedField>,
) -> Result<Option<String>, CrmError> {
    let definition = cache
        .definition(crm, workspace_id, portal_id, object, property)
        .await?;
    let Some(definition) = definition.as_ref() else {
        skipped_fields.push(skipped(
            field,
            &format!("the HubSpot portal has no `{property}` property"),
        ));
        return Ok(None);
    };
    if definition.property_type != "enumeration" {
        return Ok(Some(input.to_string()));
    }
    let matched = match_option(input, &definition.options);
    if matched.is_none() {
        let reason = format!(
            "is not one of the portal's `{property}` options; use a value or label defined in HubSpot"
        );
        skipped_fields.push(skipped(field, &reason));
    }
    Ok(matched)
}

/// Builds a skipped-field report.
pub fn skipped(field: &str, reason: &str) -> SkippedField {
    SkippedField {
        field: field.to_string(),
        reason: reason.to_string(),
    }
}
