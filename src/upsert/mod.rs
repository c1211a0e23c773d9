//! The shared upsert path: contact by email, company by domain, association,
//! visit note. Booking, manual, bulk and workflow pushes all go through it.

pub mod crm;
pub mod enums;
pub mod mapping;
pub mod note;
pub mod numbers;
mod batch;
mod company;
mod contact;
mod hubspot_adapter;
mod single;
pub mod context;
mod validation;

pub use context::{PushError, PushOutcome, UpsertContext};
pub use batch::{BatchItem, push_batch};
pub use single::push_visitor;
