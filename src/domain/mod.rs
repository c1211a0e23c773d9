//! Domain types parsed at the edge: emails, company domains and visitor
//! input. Each parser returns a [`FieldError`] naming the field path and
//! the fix, which handlers turn into a 400.

mod company_domain;
mod email;
mod field_error;
mod text;
mod visitor_input;

pub use company_domain::{CompanyDomain, is_free_mail_domain};
pub use email::Email;
pub use field_error::FieldError;
pub use visitor_input::{
    CompanyInput, CompanyRequest, PageInput, PageRequest, VisitorInput, VisitorRequest,
};
