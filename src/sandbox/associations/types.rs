//! HubSpot-defined association types between the stored object types.

use crate::sandbox::crm::ObjectType;

/// One directional association type.
#[derive(Debug, Clone, Copy)]
pub(crate) struct AssociationType {
    pub from: ObjectType,
    pub to: ObjectType,
    pub type_id: u32,
    /// Type id of the same association read from the other side.
    pub reverse_id: u32,
    pub label: Option<&'static str>,
}

/// Type id of the primary contact-to-company association.
pub(crate) const CONTACT_TO_COMPANY_PRIMARY: u32 = 1;
/// Type id of the primary company-to-contact association.
pub(crate) const COMPANY_TO_CONTACT_PRIMARY: u32 = 2;
/// Type id of the meeting-to-contact association. Its reverse is 199.
pub(crate) const MEETING_TO_CONTACT: u32 = 200;
/// Type id of the unlabeled contact-to-company association.
pub(crate) const CONTACT_TO_COMPANY: u32 = 279;

const TYPES: &[AssociationType] = {
    use ObjectType::*;
    &[
        AssociationType {
            from: Contacts,
            to: Companies,
            type_id: 279,
            reverse_id: 280,
            label: None,
        },
        AssociationType {
            from: Companies,
            to: Contacts,
            type_id: 280,
            reverse_id: 279,
            label: None,
        },
        AssociationType {
            from: Contacts,
            to: Companies,
            type_id: 1,
            reverse_id: 2,
            label: Some("Primary"),
        },
        AssociationType {
            from: Companies,
            to: Contacts,
            type_id: 2,
            reverse_id: 1,
            label: Some("Primary"),
        },
        AssociationType {
            from: Notes,
            to: Contacts,
            type_id: 202,
            reverse_id: 201,
            label: None,
        },
        AssociationType {
            from: Contacts,
            to: Notes,
            type_id: 201,
            reverse_id: 202,
            label: None,
        },
        AssociationType {
            from: Notes,
            to: Companies,
            type_id: 190,
            reverse_id: 189,
            label: None,
        },
        AssociationType {
            from: Companies,
            to: Notes,
            type_id: 189,
            reverse_id: 190,
            label: None,
        },
        AssociationType {
            from: Meetings,
            to: Contacts,
            type_id: 200,
            reverse_id: 199,
            label: None,
        },
        AssociationType {
            from: Contacts,
            to: Meetings,
            type_id: 199,
            reverse_id: 200,
            label: None,
        },
        AssociationType {
            from: Meetings,
            to: Companies,
            type_id: 188,
            reverse_id: 187,
            label: None,
        },
        AssociationType {
            from: Companies,
            to: Meetings,
            type_id: 187,
            reverse_id: 188,
            label: None,
        },
    ]
};

/// Looks up the HubSpot-defined type `type_id` from `from` to `to`.
pub(crate) fn find(from: ObjectType, to: ObjectType, type_id: u32) -> Option<AssociationType> {
    TYPES
        .iter()
        .copied()
        .find(|kind| kind.from == from && kind.to == to && kind.type_id == type_id)
}

/// Returns the target object type of HubSpot-defined type `type_id` from `from`.
pub(crate) fn target_of(from: ObjectType, type_id: u32) -> Option<ObjectType> {
    TYPES
        .iter()
        .find(|kind| kind.from == from && kind.type_id == type_id)
        .map(|kind| kind.to)
}

/// Returns the unlabeled (default) type from `from` to `to`.
pub(crate) fn default_type(from: ObjectType, to: ObjectType) -> Option<AssociationType> {
    TYPES
        .iter()
        .copied()
        .find(|kind| kind.from == from && kind.to == to && kind.label.is_none())
}

/// Returns the label of a type id, `None` for unlabeled types.
pub(crate) fn label_of(from: ObjectType, to: ObjectType, type_id: u32) -> Option<&'static str> {
    find(from, to, type_id).and_then(|kind| kind.label)
}

/// Returns the `type` string of `associations=` record reads, for example
/// `contact_to_company` for the primary and `contact_to_company_unlabeled`.
pub(crate) fn legacy_name(from: ObjectType, to: ObjectType, type_id: u32) -> String {
    let singular = |object: ObjectType| match object {
        ObjectType::Contacts => "contact",
        ObjectType::Companies => "company",
        ObjectType::Notes => "note",
        ObjectType::Meetings => "meeting",
    };
    let base = format!("{}_to_{}", singular(from), singular(to));
    match label_of(from, to, type_id) {
        Some(_) => base,
        None if matches!(
            (from, to),
            (ObjectType::Contacts, ObjectType::Companies)
                | (ObjectType::Companies, ObjectType::Contacts)
        ) =>
        {
            format!("{base}_unlabeled")
        }
        None => base,
    }
}
