//! Stored CRM records and the lagging view that search reads.

use std::collections::{BTreeMap, HashMap};

use super::ObjectType;
use crate::sandbox::ids;

/// Property values of one record, by name.
pub(crate) type Properties = BTreeMap<String, String>;

/// A version of a record, visible to search from `visible_from_ms` on.
#[derive(Debug, Clone)]
pub(crate) struct IndexedVersion {
    pub visible_from_ms: i64,
    pub properties: Properties,
    pub updated_at_ms: i64,
    pub archived: bool,
}

/// One CRM record.
#[derive(Debug, Clone)]
pub(crate) struct Record {
    pub id: u64,
    pub properties: Properties,
    pub created_at_ms: i64,
    pub updated_at_ms: i64,
    pub archived: bool,
    /// Versions handed to the search index, oldest first. Search reads the
    /// newest one that is already visible.
    pub indexed: Vec<IndexedVersion>,
}

impl Record {
    /// Returns the version visible to search at `now_ms`, if any.
    pub(crate) fn search_view(&self, now_ms: i64) -> Option<&IndexedVersion> {
        self.indexed
            .iter()
            .rev()
            .find(|version| version.visible_from_ms <= now_ms)
    }

    fn index(&mut self, now_ms: i64, lag_ms: u64) {
        // Versions older than the newest visible one can never be read again.
        if let Some(newest_visible) = self
            .indexed
            .iter()
            .rposition(|version| version.visible_from_ms <= now_ms)
        {
            self.indexed.drain(..newest_visible);
        }
        self.indexed.push(IndexedVersion {
            visible_from_ms: now_ms + lag_ms as i64,
            properties: self.properties.clone(),
            updated_at_ms: self.updated_at_ms,
            archived: self.archived,
        });
    }
}

/// Records of one object type.
#[derive(Debug, Default)]
struct Table {
    records: BTreeMap<u64, Record>,
    next_id: u64,
}

/// Every stored CRM record of one portal.
#[derive(Debug, Default)]
pub(crate) struct CrmStore {
    tables: HashMap<ObjectType, Table>,
    /// Added to each object type's first id, so that two portals never hand
    /// out the same record id.
    id_offset: u64,
}

impl CrmStore {
    /// Creates an empty store whose ids start `id_offset` above each object
    /// type's first id.
    pub(crate) fn with_id_offset(id_offset: u64) -> Self {
        Self {
            tables: HashMap::new(),
            id_offset,
        }
    }

    /// Removes every record; new ids start from the first id again.
    pub(crate) fn clear(&mut self) {
        self.tables.clear();
    }

    fn table(&mut self, object: ObjectType) -> &mut Table {
        let first_id = object.first_id() + self.id_offset;
        self.tables.entry(object).or_insert_with(|| Table {
            records: BTreeMap::new(),
            next_id: first_id,
        })
    }

    /// Returns a record that is not archived.
    pub(crate) fn get(&self, object: ObjectType, id: u64) -> Option<&Record> {
        self.get_any(object, id).filter(|record| !record.archived)
    }

    /// Returns a record, archived or not.
    pub(crate) fn get_any(&self, object: ObjectType, id: u64) -> Option<&Record> {
        self.tables.get(&object)?.records.get(&id)
    }

    /// Iterates over all records of `object`, archived ones included, by id.
    pub(crate) fn all(&self, object: ObjectType) -> impl Iterator<Item = &Record> {
        self.tables
            .get(&object)
            .into_iter()
            .flat_map(|table| table.records.values())
    }

    /// Finds the live contact whose email equals `email`, ignoring case.
    pub(crate) fn find_contact_by_email(&self, email: &str) -> Option<u64> {
        let wanted = email.trim().to_lowercase();
        self.all(ObjectType::Contacts)
            .filter(|record| !record.archived)
            .find(|record| {
                record
                    .properties
                    .get("email")
                    .is_some_and(|stored| stored.to_lowercase() == wanted)
            })
            .map(|record| record.id)
    }

    /// Stores a new record with `values` plus the system properties.
    pub(crate) fn create(
        &mut self,
        object: ObjectType,
        values: Properties,
        now_ms: i64,
        lag_ms: u64,
    ) -> Record {
        let table = self.table(object);
        let id = table.next_id;
        table.next_id += 1;
        let mut properties: Properties = values
            .into_iter()
            .filter(|(_, value)| !value.is_empty())
            .collect();
        properties.insert("hs_object_id".into(), id.to_string());
        properties.insert(object.created_property().into(), ids::iso_ms(now_ms));
        properties.insert(object.modified_property().into(), ids::iso_ms(now_ms));
        let mut record = Record {
            id,
            properties,
            created_at_ms: now_ms,
            updated_at_ms: now_ms,
            archived: false,
            indexed: Vec::new(),
        };
        record.index(now_ms, lag_ms);
        table.records.insert(id, record.clone());
        record
    }

    /// Applies `values` to a live record; an empty value clears it.
    pub(crate) fn update(
        &mut self,
        object: ObjectType,
        id: u64,
        values: Properties,
        now_ms: i64,
        lag_ms: u64,
    ) -> Option<Record> {
        let record = self
            .table(object)
            .records
            .get_mut(&id)
            .filter(|record| !record.archived)?;
        for (name, value) in values {
            if value.is_empty() {
                record.properties.remove(&name);
            } else {
                record.properties.insert(name, value);
            }
        }
        record.updated_at_ms = now_ms;
        record
            .properties
            .insert(object.modified_property().into(), ids::iso_ms(now_ms));
        record.index(now_ms, lag_ms);
        Some(record.clone())
    }

    /// Archives a live record; returns false when there was none.
    pub(crate) fn archive(
        &mut self,
        object: ObjectType,
        id: u64,
        now_ms: i64,
        lag_ms: u64,
    ) -> bool {
        let Some(record) = self
            .table(object)
            .records
            .get_mut(&id)
            .filter(|record| !record.archived)
        else {
            return false;
        };
        record.archived = true;
        record.updated_at_ms = now_ms;
        record.index(now_ms, lag_ms);
        true
    }
}
