//! The shared upsert path: contact by email, company by domain, association,
//! visit note. Booking, manual, bulk and workflow pushes all go through it.

pub mod crm;
pub mod numbers;
