//! Validation of a `book` frame, field by field, before anything is stored.

use chrono::{DateTime, Utc};

use crate::domain::Email;
use crate::widget_session::handler::is_client_token;
use crate::widget_session::protocol::{BookFrame, BookingForm, ErrorFrame};

/// Maximum length of a first or last name, in characters.
const MAX_NAME_CHARS: usize = 100;
/// Maximum length of a reply to a form question, in characters.
const MAX_ANSWER_CHARS: usize = 1_000;

/// A `book` frame whose fields passed the checks that need no HubSpot data.
#[derive(Debug, Clone)]
pub struct CheckedBooking {
    pub idempotency_key: String,
    pub slug: String,
    pub start: DateTime<Utc>,
    pub duration_ms: i64,
    pub first_name: String,
    pub last_name: String,
    /// Lower-cased, as HubSpot stores it.
    pub email: String,
}

/// Checks the fields of `frame` that do not depend on the meeting link.
pub fn check_fields(frame: &BookFrame) -> Result<CheckedBooking, ErrorFrame> {
    if !is_client_token(&frame.idempotency_key) {
        return Err(ErrorFrame::invalid_field(
            "idempotency_key",
            "idempotency_key must be 8 to 64 characters of A-Z, a-z, 0-9, - and _",
        ));
    }
    let first_name = check_name("first_name", &frame.first_name)?;
    let last_name = check_name("last_name", &frame.last_name)?;
    let email = check_email(&frame.email)?;
    let start = DateTime::parse_from_rfc3339(&frame.start)
        .map_err(|_| {
            ErrorFrame::invalid_field(
                "start",
                "start must be an RFC 3339 instant with a zone offset, such as 2026-12-07T09:00:00Z",
            )
        })?
        .with_timezone(&Utc);
    if frame.duration_ms <= 0 {
        return Err(ErrorFrame::invalid_field("duration_ms", "duration_ms must be a positive number of milliseconds"));
    }
    if frame.meeting_type_id.trim().is_empty() {
        return Err(ErrorFrame::invalid_field("meeting_type_id", "meeting_type_id is required"));
    }
    Ok(CheckedBooking {
        idempotency_key: frame.idempotency_key.clone(),
        slug: frame.meeting_type_id.clone(),
        start,
        duration_ms: frame.duration_ms,
        first_name,
        last_name,
        email,
    })
}

fn check_name(field: &str, value: &str) -> Result<String, ErrorFrame> {
    let trimmed = value.trim();
    if trimmed.is_empty() {
        return Err(ErrorFrame::invalid_field(field, format!("{field} is required")));
    }
    if trimmed.chars().count() > MAX_NAME_CHARS {
        return Err(ErrorFrame::invalid_field(
            field,
            format!("{field} must be at most {MAX_NAME_CHARS} characters"),
        ));
    }
    if trimmed.chars().any(char::is_control) {
        return Err(ErrorFrame::invalid_field(field, format!("{field} must not contain control characters")));
    }
    Ok(trimmed.to_string())
}

/// Checks an email address and returns it lower-cased, as HubSpot stores it.
pub fn check_email(value: &str) -> Result<String, ErrorFrame> {
    Email::parse(value)
        .map(|email| email.as_str().to_string())
        .map_err(|rule| ErrorFrame::invalid_field("email", format!("email {rule}")))
}

/// Checks the answers to the link's own questions and its consents against
/// `form`, returning the answers to send to HubSpot.
pub fn check_answers(frame: &BookFrame, form: &BookingForm) -> Result<Vec<(String, String)>, ErrorFrame> {
    let mut accepted = Vec::new();
    for answer in &frame.answers {
        let field_path = format!("answers.{}", answer.name);
        let Some(field) = form.fields.iter().find(|field| field.name == answer.name) else {
            return Err(ErrorFrame::invalid_field(field_path, format!("`{}` is not a question of this meeting type", answer.name)));
        };
        if answer.value.chars().count() > MAX_ANSWER_CHARS {
            return Err(ErrorFrame::invalid_field(field_path, format!("{} must be at most {MAX_ANSWER_CHARS} characters", field.label)));
        }
        let value = answer.value.trim();
        if !field.options.is_empty() && !value.is_empty() {
            let chosen: Vec<&str> = value.split(';').collect();
            if let Some(bad) = chosen.iter().find(|choice| !field.options.iter().any(|option| option.value == **choice)) {
                return Err(ErrorFrame::invalid_field(field_path, format!("`{bad}` is not one of the choices of {}", field.label)));
            }
        }
        if !value.is_empty() {
            accepted.push((answer.name.clone(), value.to_string()));
        }
    }
    for field in form.fields.iter().filter(|field| field.required) {
        if !accepted.iter().any(|(name, _)| *name == field.name) {
            return Err(ErrorFrame::invalid_field(format!("answers.{}", field.name), format!("{} is required", field.label)));
        }
    }
    if let Some(consent) = &form.consent {
        if consent.processing_required && frame.processing_consent != Some(true) {
            return Err(ErrorFrame::invalid_field("processing_consent", "consent to processing is required to book"));
        }
        for checkbox in consent.communication.iter().filter(|checkbox| checkbox.required) {
            let given = frame
                .consents
                .iter()
                .any(|answer| answer.communication_type_id == checkbox.communication_type_id && answer.consented);
            if !given {
                return Err(ErrorFrame::invalid_field(
                    format!("consents.{}", checkbox.communication_type_id),
                    format!("{} is required", checkbox.label),
                ));
            }
        }
    }
    Ok(accepted)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::widget_session::protocol::{ConsentView, FormFieldView, FormOptionView};

    fn frame() -> BookFrame {
        serde_json::from_value(serde_json::json!({
            "idempotency_key": "key-valid-01", "meeting_type_id": "ana-ruiz",
            "start": "2026-12-07T09:00:00Z", "duration_ms": 1800000,
            "first_name": " Maria ", "last_name": "Lopez", "email": "Maria@Acme.example"
        }))
        .expect("valid book frame")
    }

    fn form() -> BookingForm {
        BookingForm {
            fields: vec![FormFieldView {
                name: "team_size".into(),
                label: "Team size".into(),
                field_type: "select".into(),
                required: true,
                options: vec![FormOptionView { value: "1-10".into(), label: "1 to 10".into() }],
            }],
            consent: Some(ConsentView {
                processing_required: true,
                processing_text: String::new(),
                processing_label: String::new(),
                communication: Vec::new(),
                privacy_text: String::new(),
            }),
        }
    }

    #[test]
    fn valid_fields_are_normalised() {
        let checked = check_fields(&frame()).expect("valid");
        assert_eq!(checked.first_name, "Maria");
        assert_eq!(checked.email, "maria@acme.example");
        assert_eq!(checked.start.to_rfc3339(), "2026-12-07T09:00:00+00:00");
    }

    #[test]
    fn naive_start_is_rejected() {
        let mut book = frame();
        book.start = "2026-12-07T09:00:00".into();
        assert_eq!(check_fields(&book).expect_err("no offset").field.as_deref(), Some("start"));
    }

    #[test]
    fn empty_last_name_is_rejected() {
        let mut book = frame();
        book.last_name = "  ".into();
        assert_eq!(check_fields(&book).expect_err("empty").field.as_deref(), Some("last_name"));
    }

    #[test]
    fn short_idempotency_key_is_rejected() {
        let mut book = frame();
        book.idempotency_key = "abc".into();
        assert_eq!(check_fields(&book).expect_err("short").field.as_deref(), Some("idempotency_key"));
    }

    #[test]
    fn missing_required_answer_is_named() {
        let mut book = frame();
        book.processing_consent = Some(true);
        let error = check_answers(&book, &form()).expect_err("required question");
        assert_eq!(error.field.as_deref(), Some("answers.team_size"));
    }

    #[test]
    fn unknown_choice_is_rejected() {
        let mut book = frame();
        book.processing_consent = Some(true);
        book.answers = vec![crate::widget_session::protocol::Answer { name: "team_size".into(), value: "500+".into() }];
        let error = check_answers(&book, &form()).expect_err("not an option");
        assert_eq!(error.field.as_deref(), Some("answers.team_size"));
    }

    #[test]
    fn missing_processing_consent_is_named() {
        let mut book = frame();
        book.answers = vec![crate::widget_session::protocol::Answer { name: "team_size".into(), value: "1-10".into() }];
        let error = check_answers(&book, &form()).expect_err("consent required");
        assert_eq!(error.field.as_deref(), Some("processing_consent"));
        book.processing_consent = Some(true);
        assert_eq!(check_answers(&book, &form()).expect("valid"), vec![("team_size".to_string(), "1-10".to_string())]);
    }
}
