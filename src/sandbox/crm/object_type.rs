//! The CRM object types the sandbox stores.

use serde::Serialize;

/// A CRM object type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub(crate) enum ObjectType {
    Contacts,
    Companies,
    Notes,
    /// Meeting engagements (`0-47`), which a booking on a connected
    /// calendar logs.
    Meetings,
}

impl ObjectType {
    pub(crate) const ALL: [ObjectType; 4] = [
        ObjectType::Contacts,
        ObjectType::Companies,
        ObjectType::Notes,
        ObjectType::Meetings,
    ];

    /// Parses a path segment: a plural or singular name, or a type id.
    pub(crate) fn parse(text: &str) -> Option<ObjectType> {
        match text.to_ascii_lowercase().as_str() {
            "contacts" | "contact" | "0-1" => Some(ObjectType::Contacts),
            "companies" | "company" | "0-2" => Some(ObjectType::Companies),
            "notes" | "note" | "0-46" => Some(ObjectType::Notes),
            "meetings" | "meeting" | "0-47" => Some(ObjectType::Meetings),
            _ => None,
        }
    }

    /// Plural name used in paths.
    pub(crate) fn path_name(self) -> &'static str {
        match self {
            ObjectType::Contacts => "contacts",
            ObjectType::Companies => "companies",
            ObjectType::Notes => "notes",
            ObjectType::Meetings => "meetings",
        }
    }

    /// HubSpot's object type id, for example `0-1` for contacts.
    pub(crate) fn type_id(self) -> &'static str {
        match self {
            ObjectType::Contacts => "0-1",
            ObjectType::Companies => "0-2",
            ObjectType::Notes => "0-46",
            ObjectType::Meetings => "0-47",
        }
    }

    /// Name of the record id in route templates, as HubSpot's spec names it.
    pub(crate) fn id_parameter(self) -> &'static str {
        match self {
            ObjectType::Contacts => "contactId",
            ObjectType::Companies => "companyId",
            ObjectType::Notes => "noteId",
            ObjectType::Meetings => "meetingId",
        }
    }

    /// Upper-case singular name, as HubSpot's batch messages use it.
    pub(crate) fn upper_singular(self) -> &'static str {
        match self {
            ObjectType::Contacts => "CONTACT",
            ObjectType::Companies => "COMPANY",
            ObjectType::Notes => "NOTE",
            ObjectType::Meetings => "MEETING",
        }
    }

    /// Scope needed to read records of this type. Notes and meetings use
    /// the contact scopes, as HubSpot's spec and meetings guide list them.
    pub(crate) fn read_scope(self) -> &'static str {
        match self {
            ObjectType::Contacts | ObjectType::Notes | ObjectType::Meetings => {
                "crm.objects.contacts.read"
            }
            ObjectType::Companies => "crm.objects.companies.read",
        }
    }

    /// Scope needed to write records of this type.
    pub(crate) fn write_scope(self) -> &'static str {
        match self {
            ObjectType::Contacts | ObjectType::Notes | ObjectType::Meetings => {
                "crm.objects.contacts.write"
            }
            ObjectType::Companies => "crm.objects.companies.write",
        }
    }

    /// Scope that allows reading property definitions of this type.
    pub(crate) fn schema_scope(self) -> &'static str {
        match self {
            ObjectType::Contacts | ObjectType::Notes | ObjectType::Meetings => {
                "crm.schemas.contacts.read"
            }
            ObjectType::Companies => "crm.schemas.companies.read",
        }
    }

    /// Property that stores the creation time.
    pub(crate) fn created_property(self) -> &'static str {
        match self {
            ObjectType::Notes | ObjectType::Meetings => "hs_createdate",
            _ => "createdate",
        }
    }

    /// Property that stores the last modification time.
    pub(crate) fn modified_property(self) -> &'static str {
        match self {
            ObjectType::Contacts => "lastmodifieddate",
            _ => "hs_lastmodifieddate",
        }
    }

    /// Properties returned when a read names none.
    pub(crate) fn default_properties(self) -> &'static [&'static str] {
        match self {
            ObjectType::Contacts => &[
                "createdate",
                "email",
                "firstname",
                "hs_object_id",
                "lastmodifieddate",
                "lastname",
            ],
            ObjectType::Companies => &[
                "createdate",
                "domain",
                "hs_lastmodifieddate",
                "hs_object_id",
                "name",
            ],
            ObjectType::Notes | ObjectType::Meetings => {
                &["hs_createdate", "hs_lastmodifieddate", "hs_object_id"]
            }
        }
    }

    /// First id handed out for this type; different ranges make mix-ups
    /// between object types visible in tests.
    pub(crate) fn first_id(self) -> u64 {
        match self {
            ObjectType::Contacts => 90_201,
            ObjectType::Companies => 18_530_201,
            ObjectType::Notes => 41_000_001,
            ObjectType::Meetings => 47_000_001,
        }
    }
}
