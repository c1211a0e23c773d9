//! Stored associations, kept in both directions.

use std::collections::BTreeSet;

use super::types::{
    self, COMPANY_TO_CONTACT_PRIMARY, CONTACT_TO_COMPANY, CONTACT_TO_COMPANY_PRIMARY,
};
use crate::sandbox::crm::ObjectType;

/// One directional edge: from record, to record, type id.
type Edge = (ObjectType, u64, ObjectType, u64, u32);

/// Every association in the portal.
#[derive(Debug, Default)]
pub(crate) struct AssociationStore {
    edges: BTreeSet<Edge>,
}

impl AssociationStore {
    /// Adds the association of `type_id` and its reverse. The first company
    /// associated with a contact also becomes its primary (types 1 and 2);
    /// an explicit primary moves the contact's primary to this company.
    /// Adding an existing association changes nothing.
    pub(crate) fn associate(
        &mut self,
        from: (ObjectType, u64),
        to: (ObjectType, u64),
        type_id: u32,
    ) {
        let Some(kind) = types::find(from.0, to.0, type_id) else {
            return;
        };
        let (contact, company) = match (from.0, to.0) {
            (ObjectType::Contacts, ObjectType::Companies) => (Some(from.1), Some(to.1)),
            (ObjectType::Companies, ObjectType::Contacts) => (Some(to.1), Some(from.1)),
            _ => (None, None),
        };
        if let (Some(contact), Some(company)) = (contact, company) {
            let wants_primary = kind.label.is_some();
            let has_primary = self.primary_company(contact).is_some();
            if wants_primary {
                self.clear_primary(contact);
            }
            self.insert_pair(
                ObjectType::Contacts,
                contact,
                ObjectType::Companies,
                company,
                CONTACT_TO_COMPANY,
            );
            if wants_primary || !has_primary {
                self.insert_pair(
                    ObjectType::Contacts,
                    contact,
                    ObjectType::Companies,
                    company,
                    CONTACT_TO_COMPANY_PRIMARY,
                );
            }
            return;
        }
        self.insert_pair(from.0, from.1, to.0, to.1, type_id);
    }

    fn insert_pair(
        &mut self,
        from: ObjectType,
        from_id: u64,
        to: ObjectType,
        to_id: u64,
        type_id: u32,
    ) {
        let reverse = types::find(from, to, type_id).map_or(type_id, |kind| kind.reverse_id);
        self.edges.insert((from, from_id, to, to_id, type_id));
        self.edges.insert((to, to_id, from, from_id, reverse));
    }

    fn primary_company(&self, contact: u64) -> Option<u64> {
        self.edges
            .iter()
            .find(|edge| {
                edge.0 == ObjectType::Contacts
                    && edge.1 == contact
                    && edge.4 == CONTACT_TO_COMPANY_PRIMARY
            })
            .map(|edge| edge.3)
    }

    fn clear_primary(&mut self, contact: u64) {
        if let Some(company) = self.primary_company(contact) {
            self.edges.remove(&(
                ObjectType::Contacts,
                contact,
                ObjectType::Companies,
                company,
                CONTACT_TO_COMPANY_PRIMARY,
            ));
            self.edges.remove(&(
                ObjectType::Companies,
                company,
                ObjectType::Contacts,
                contact,
                COMPANY_TO_CONTACT_PRIMARY,
            ));
        }
    }

    /// Removes every association between the two records, both ways.
    pub(crate) fn remove_pair(&mut self, from: (ObjectType, u64), to: (ObjectType, u64)) {
        self.edges.retain(|edge| {
            let forward = edge.0 == from.0 && edge.1 == from.1 && edge.2 == to.0 && edge.3 == to.1;
            let backward = edge.0 == to.0 && edge.1 == to.1 && edge.2 == from.0 && edge.3 == from.1;
            !(forward || backward)
        });
    }

    /// Removes the given type ids (and their reverses) between two records.
    pub(crate) fn remove_types(
        &mut self,
        from: (ObjectType, u64),
        to: (ObjectType, u64),
        type_ids: &[u32],
    ) {
        for type_id in type_ids {
            let reverse =
                types::find(from.0, to.0, *type_id).map_or(*type_id, |kind| kind.reverse_id);
            self.edges.remove(&(from.0, from.1, to.0, to.1, *type_id));
            self.edges.remove(&(to.0, to.1, from.0, from.1, reverse));
        }
    }

    /// Associated records of type `to`, each with its type ids, by id.
    pub(crate) fn list(&self, from: (ObjectType, u64), to: ObjectType) -> Vec<(u64, Vec<u32>)> {
        let mut out: Vec<(u64, Vec<u32>)> = Vec::new();
        for edge in self
            .edges
            .iter()
            .filter(|edge| edge.0 == from.0 && edge.1 == from.1 && edge.2 == to)
        {
            match out.last_mut() {
                Some((id, type_ids)) if *id == edge.3 => type_ids.push(edge.4),
                _ => out.push((edge.3, vec![edge.4])),
            }
        }
        out
    }
}
