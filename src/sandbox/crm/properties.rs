//! The property catalogue per object type and the property endpoints.

use std::sync::OnceLock;

use actix_web::{HttpRequest, HttpResponse, web};
use serde_json::{Value, json};

use super::ObjectType;
use super::options::{
    INDUSTRIES, LEAD_STATUSES, LIFECYCLE_STAGES, MEETING_OUTCOMES, MEETING_SOURCES, OWNERS,
};
use crate::sandbox::auth;
use crate::sandbox::errors::ApiError;

/// HubSpot's property `type`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum PropertyType {
    String,
    Number,
    Enumeration,
    Datetime,
}

impl PropertyType {
    fn as_str(self) -> &'static str {
        match self {
            PropertyType::String => "string",
            PropertyType::Number => "number",
            PropertyType::Enumeration => "enumeration",
            PropertyType::Datetime => "datetime",
        }
    }
}

/// One property definition.
#[derive(Debug, Clone)]
pub(crate) struct PropertyDef {
    pub name: &'static str,
    pub label: String,
    pub kind: PropertyType,
    pub field_type: &'static str,
    pub group: &'static str,
    /// Option values with their labels, for enumerations.
    pub options: Vec<(String, String)>,
    pub unique: bool,
    pub read_only: bool,
}

impl PropertyDef {
    fn new(
        name: &'static str,
        label: &str,
        kind: PropertyType,
        field_type: &'static str,
        group: &'static str,
    ) -> Self {
        Self {
            name,
            label: label.into(),
            kind,
            field_type,
            group,
            options: Vec::new(),
            unique: false,
            read_only: false,
        }
    }

    fn read_only(mut self) -> Self {
        self.read_only = true;
        self
    }

    fn unique(mut self) -> Self {
        self.unique = true;
        self
    }

    fn with_options(mut self, options: Vec<(String, String)>) -> Self {
        self.options = options;
        self
    }

    /// Checks whether `value` is one of the enumeration's option values.
    pub(crate) fn has_option(&self, value: &str) -> bool {
        self.options.iter().any(|(option, _)| option == value)
    }

    /// The definition as `GET /crm/v3/properties/...` returns it.
    fn to_json(&self, object: ObjectType, display_order: usize) -> Value {
        let options: Vec<Value> = self
            .options
            .iter()
            .enumerate()
            .map(|(index, (value, label))| {
                json!({ "label": label, "value": value, "displayOrder": index, "hidden": false, "description": "" })
            })
            .collect();
        json!({
            "name": self.name,
            "label": self.label,
            "type": self.kind.as_str(),
            "fieldType": self.field_type,
            "description": "",
            "groupName": self.group,
            "options": options,
            "displayOrder": display_order,
            "calculated": false,
            "externalOptions": false,
            "hasUniqueValue": self.unique,
            "hidden": false,
            "hubspotDefined": true,
            "formField": !self.read_only,
            "modificationMetadata": {
                "archivable": false,
                "readOnlyDefinition": true,
                "readOnlyValue": self.read_only
            },
            "createdAt": "2020-01-01T00:00:00Z",
            "updatedAt": "2020-01-01T00:00:00Z",
            "archived": false,
            "objectType": object.type_id(),
        })
    }
}

fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter()
        .map(|(value, label)| (value.to_string(), label.to_string()))
        .collect()
}

/// `COMPUTER_SOFTWARE` becomes `Computer Software`.
fn industry_label(value: &str) -> String {
    value
        .split('_')
        .map(|word| {
            let lower = word.to_lowercase();
            let mut characters = lower.chars();
            match characters.next() {
                Some(first) => first.to_uppercase().chain(characters).collect(),
                None => String::new(),
            }
        })
        .collect::<Vec<String>>()
        .join(" ")
}

fn common(object: ObjectType) -> Vec<PropertyDef> {
    use PropertyType::*;
    vec![
        PropertyDef::new("hs_object_id", "Record ID", Number, "number", "objectinfo").read_only(),
        PropertyDef::new(
            object.created_property(),
            "Create Date",
            Datetime,
            "date",
            "objectinfo",
        )
        .read_only(),
        PropertyDef::new(
            object.modified_property(),
            "Last Modified Date",
            Datetime,
            "date",
            "objectinfo",
        )
        .read_only(),
        PropertyDef::new(
            "hubspot_owner_id",
            "Owner",
            Enumeration,
            "select",
            "objectinfo",
        )
        .with_options(pairs(OWNERS)),
    ]
}

fn contact_properties() -> Vec<PropertyDef> {
    use PropertyType::*;
    let group = "contactinformation";
    let text =
        |name: &'static str, label: &str| PropertyDef::new(name, label, String, "text", group);
    let mut list = common(ObjectType::Contacts);
    list.extend([
        text("email", "Email").unique(),
        text("firstname", "First Name"),
        text("lastname", "Last Name"),
        text("jobtitle", "Job Title"),
        text("company", "Company Name"),
        text("website", "Website URL"),
        text("phone", "Phone Number"),
        text("mobilephone", "Mobile Phone Number"),
        text("city", "City"),
        text("state", "State/Region"),
        text("zip", "Postal Code"),
        text("country", "Country/Region"),
        text("hs_linkedin_url", "LinkedIn URL"),
        PropertyDef::new("hs_lead_status", "Lead Status", Enumeration, "radio", group)
            .with_options(pairs(LEAD_STATUSES)),
        PropertyDef::new(
            "lifecyclestage",
            "Lifecycle Stage",
            Enumeration,
            "radio",
            group,
        )
        .with_options(pairs(LIFECYCLE_STAGES)),
    ]);
    list
}

fn company_properties() -> Vec<PropertyDef> {
    use PropertyType::*;
    let group = "companyinformation";
    let text =
        |name: &'static str, label: &str| PropertyDef::new(name, label, String, "text", group);
    let industries = INDUSTRIES
        .iter()
        .map(|value| (value.to_string(), industry_label(value)))
        .collect();
    let mut list = common(ObjectType::Companies);
    list.extend([
        text("name", "Company name"),
        text("domain", "Company Domain Name"),
        text("hs_additional_domains", "Additional Domains"),
        text("website", "Website URL"),
        text("city", "City"),
        text("state", "State/Region"),
        text("zip", "Postal Code"),
        text("country", "Country/Region"),
        text("phone", "Phone Number"),
        text("linkedin_company_page", "LinkedIn Company Page"),
        PropertyDef::new("description", "Description", String, "textarea", group),
        PropertyDef::new("industry", "Industry", Enumeration, "select", group)
            .with_options(industries),
        PropertyDef::new(
            "numberofemployees",
            "Number of Employees",
            Number,
            "number",
            group,
        ),
        PropertyDef::new("annualrevenue", "Annual Revenue", Number, "number", group),
        PropertyDef::new(
            "lifecyclestage",
            "Lifecycle Stage",
            Enumeration,
            "radio",
            group,
        )
        .with_options(pairs(LIFECYCLE_STAGES)),
    ]);
    list
}

fn note_properties() -> Vec<PropertyDef> {
    use PropertyType::*;
    let group = "engagement";
    let mut list = common(ObjectType::Notes);
    list.extend([
        PropertyDef::new("hs_timestamp", "Activity date", Datetime, "date", group),
        PropertyDef::new("hs_note_body", "Note body", String, "html", group),
        PropertyDef::new("hs_attachment_ids", "Attachment IDs", String, "text", group),
    ]);
    list
}

fn meeting_properties() -> Vec<PropertyDef> {
    use PropertyType::*;
    let group = "meeting";
    let text =
        |name: &'static str, label: &str| PropertyDef::new(name, label, String, "text", group);
    let date =
        |name: &'static str, label: &str| PropertyDef::new(name, label, Datetime, "date", group);
    let mut list = common(ObjectType::Meetings);
    list.extend([
        date("hs_timestamp", "Activity date"),
        text("hs_meeting_title", "Meeting name"),
        PropertyDef::new(
            "hs_meeting_body",
            "Meeting description",
            String,
            "html",
            group,
        ),
        PropertyDef::new(
            "hs_internal_meeting_notes",
            "Internal meeting notes",
            String,
            "html",
            group,
        ),
        text("hs_meeting_external_url", "External URL"),
        text("hs_meeting_location", "Location"),
        date("hs_meeting_start_time", "Meeting start time"),
        date("hs_meeting_end_time", "Meeting end time"),
        PropertyDef::new(
            "hs_meeting_outcome",
            "Meeting outcome",
            Enumeration,
            "select",
            group,
        )
        .with_options(pairs(MEETING_OUTCOMES)),
        // NOTE: assumed read-only, because HubSpot sets the source itself.
        PropertyDef::new(
            "hs_meeting_source",
            "Meeting source",
            Enumeration,
            "select",
            group,
        )
        .with_options(pairs(MEETING_SOURCES))
        .read_only(),
        text("hs_attachment_ids", "Attachment IDs"),
    ]);
    list
}

/// Returns the property catalogue of `object`.
pub(crate) fn catalogue(object: ObjectType) -> &'static [PropertyDef] {
    static CONTACTS: OnceLock<Vec<PropertyDef>> = OnceLock::new();
    static COMPANIES: OnceLock<Vec<PropertyDef>> = OnceLock::new();
    static NOTES: OnceLock<Vec<PropertyDef>> = OnceLock::new();
    static MEETINGS: OnceLock<Vec<PropertyDef>> = OnceLock::new();
    match object {
        ObjectType::Contacts => CONTACTS.get_or_init(contact_properties),
        ObjectType::Companies => COMPANIES.get_or_init(company_properties),
        ObjectType::Notes => NOTES.get_or_init(note_properties),
        ObjectType::Meetings => MEETINGS.get_or_init(meeting_properties),
    }
}

/// Looks up the definition of `name` on `object`.
pub(crate) fn find(object: ObjectType, name: &str) -> Option<&'static PropertyDef> {
    catalogue(object)
        .iter()
        .find(|property| property.name == name)
}

fn parse_object(text: &str) -> Result<ObjectType, ApiError> {
    ObjectType::parse(text).ok_or_else(|| {
        ApiError::new(
            actix_web::http::StatusCode::NOT_FOUND,
            "OBJECT_NOT_FOUND",
            format!("Unable to infer object type from: {text}"),
        )
    })
}

/// `GET /crm/v3/properties/{objectType}`.
pub(crate) async fn list_properties(
    request: HttpRequest,
    object: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let object = parse_object(&object)?;
    auth::require_any(&request, &[object.read_scope(), object.schema_scope()])?;
    let results: Vec<Value> = catalogue(object)
        .iter()
        .enumerate()
        .map(|(index, property)| property.to_json(object, index))
        .collect();
    Ok(HttpResponse::Ok().json(json!({ "results": results })))
}

/// `GET /crm/v3/properties/{objectType}/{propertyName}`.
pub(crate) async fn get_property(
    request: HttpRequest,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    let (object, name) = path.into_inner();
    let object = parse_object(&object)?;
    auth::require_any(&request, &[object.read_scope(), object.schema_scope()])?;
    let list = catalogue(object);
    let Some(index) = list.iter().position(|property| property.name == name) else {
        let message = format!(
            "Unable to find property with name {name} for object type {}",
            object.type_id()
        );
        return Err(ApiError::new(
            actix_web::http::StatusCode::NOT_FOUND,
            "OBJECT_NOT_FOUND",
            message,
        ));
    };
    Ok(HttpResponse::Ok().json(list[index].to_json(object, index)))
}
