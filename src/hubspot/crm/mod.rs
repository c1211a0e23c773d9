//! CRM calls: contacts, companies and notes, their batches, search,
//! associations and property definitions. Nothing here deletes or archives
//! a record or an association.

mod associations;
mod batch;
mod records;
mod search;
mod types;

pub use search::{
    Filter, FilterGroup, MAX_SEARCH_LIMIT, Operator, SearchPage, SearchRequest, Sort, SortDirection,
};
pub use types::{
    AssociatedId, AssociatedRecord, AssociationInput, CreateInput, CrmObject, Properties,
    PropertyDefinition, PropertyOption, Record, UpsertedRecord,
};
