//! Validation of the widget's `identify` frame into the visitor input that
//! the visitor store takes, with the same field rules as the admin API.

use super::protocol::{ErrorFrame, IdentifyFrame};
use crate::domain::{CompanyRequest, VisitorInput, VisitorRequest};

/// Validates `frame`. The error names the invalid field (`email`,
/// `company.domain`) and the rule.
pub fn identify_input(frame: IdentifyFrame) -> Result<VisitorInput, ErrorFrame> {
    if frame.email.trim().is_empty() {
        return Err(ErrorFrame::invalid_field("email", "email is missing; identify needs the visitor's email address"));
    }
    let request = VisitorRequest {
        email: Some(frame.email),
        first_name: frame.first_name,
        last_name: frame.last_name,
        company: frame.company.map(|company| CompanyRequest {
            name: company.name,
            domain: company.domain,
            ..CompanyRequest::default()
        }),
        ..VisitorRequest::default()
    };
    request
        .validate()
        .map_err(|error| ErrorFrame::invalid_field(error.field.clone(), format!("{} {}", error.field, error.message)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::widget_session::protocol::IdentifyCompany;

    fn frame(email: &str) -> IdentifyFrame {
        IdentifyFrame { email: email.into(), first_name: None, last_name: None, company: None }
    }

    #[test]
    fn invalid_fields_are_named() {
        let missing = identify_input(frame("  ")).expect_err("blank email");
        assert_eq!(missing.field.as_deref(), Some("email"));
        let invalid = identify_input(frame("maria")).expect_err("invalid email");
        assert_eq!(invalid.field.as_deref(), Some("email"));
        let mut with_domain = frame("maria@acme.example");
        with_domain.company = Some(IdentifyCompany { name: None, domain: Some("acme".into()) });
        let domain = identify_input(with_domain).expect_err("invalid domain");
        assert_eq!(domain.field.as_deref(), Some("company.domain"));
    }

    #[test]
    fn valid_frame_keeps_fields() {
        let mut valid = frame(" Maria@Acme.example ");
        valid.first_name = Some("Maria".into());
        let input = identify_input(valid).expect("valid frame");
        assert_eq!(input.email.expect("email").as_str(), "maria@acme.example");
        assert_eq!(input.first_name.as_deref(), Some("Maria"));
    }
}
