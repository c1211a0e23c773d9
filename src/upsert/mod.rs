//! The shared upsert path: contact by email, company by domain, association,
//! visit note. Booking, manual, bulk and workflow pushes all go through it.

mod batch;
mod company;
mod contact;
pub mod context;
pub mod crm;
pub mod enums;
mod hubspot_adapter;
pub mod mapping;
pub mod note;
pub mod numbers;
mod single;
mod validation;

pub use batch::{BatchItem, push_batch};
pub use context::{PushError, PushOutcome, UpsertContext};
pub use single::push_visitor;
