//! The shared upsert path: contact by email, company by domain, association, visit note.
