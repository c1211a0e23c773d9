//! Validation of a booking request: booker, guests, form answers,
//! consent and the start time. The booking handler runs them in that order.

use serde::Deserialize;
use serde_json::{Value, json};

use super::Scheduler;
use super::availability::{Bookings, booking_window, link_slots};
use super::model::Link;
use crate::sandbox::crm::is_valid_email;
use crate::sandbox::errors::ApiError;

/// Email domains HubSpot rejects as throwaway addresses.
const THROWAWAY_DOMAINS: &[&str] = &[
    "example.com",
    "example.org",
    "example.net",
    "mailinator.com",
];

/// An answer to one form field.
#[derive(Debug, Clone, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub(super) struct FormAnswer {
    pub name: String,
    pub value: String,
}

/// A response to one consent checkbox.
#[derive(Debug, Clone, Deserialize, serde::Serialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(super) struct ConsentResponse {
    pub communication_type_id: String,
    pub consented: bool,
}

pub(super) fn booking_error(code: &str, message: String) -> ApiError {
    ApiError::booking(code, message.clone())
        .with("errors", json!([{ "message": message, "code": code }]))
}

pub(super) fn parse_start(value: &Value) -> Result<i64, ApiError> {
    let parsed = match value {
        Value::Number(number) => number.as_i64(),
        Value::String(text) => chrono::DateTime::parse_from_rfc3339(text)
            .ok()
            .map(|instant| instant.timestamp_millis()),
        _ => None,
    };
    parsed.ok_or_else(|| {
        ApiError::invalid_json(format!(
            "startTime {value} is not an ISO 8601 date-time or epoch milliseconds"
        ))
    })
}

pub(super) fn check_email(email: &str) -> Result<(), ApiError> {
    let domain = email
        .rsplit_once('@')
        .map(|(_, domain)| domain.to_lowercase())
        .unwrap_or_default();
    if !is_valid_email(email) {
        return Err(booking_error(
            "INVALID_EMAIL",
            format!("Email address {email} is invalid"),
        ));
    }
    if THROWAWAY_DOMAINS.contains(&domain.as_str()) {
        return Err(booking_error(
            "INVALID_EMAIL",
            format!("Email address {email} is not accepted; use a real address"),
        ));
    }
    Ok(())
}

pub(super) fn check_guests(link: &Link, guests: &[String]) -> Result<(), ApiError> {
    if guests.is_empty() {
        return Ok(());
    }
    if !link.can_add_guests {
        return Err(booking_error(
            "INVALID_EMAIL_GUESTS",
            "This meeting link does not allow guests".into(),
        ));
    }
    if guests.len() > link.max_guest_count {
        return Err(booking_error(
            "INVALID_EMAIL_GUESTS",
            format!("At most {} guests are allowed", link.max_guest_count),
        ));
    }
    if let Some(bad) = guests.iter().find(|guest| !is_valid_email(guest)) {
        return Err(booking_error(
            "INVALID_EMAIL_GUESTS",
            format!("Guest email {bad} is invalid"),
        ));
    }
    Ok(())
}

pub(super) fn check_form(link: &Link, answers: &[FormAnswer]) -> Result<(), ApiError> {
    for field in &link.form_fields {
        let answer = answers
            .iter()
            .find(|answer| answer.name == field.name)
            .map(|answer| answer.value.trim());
        match answer {
            None | Some("") if field.required => {
                return Err(ApiError::validation(format!(
                    "required form field {} does not have a corresponding value",
                    field.name
                )));
            }
            Some(value)
                if !value.is_empty()
                    && !field.options.is_empty()
                    && !field.options.iter().any(|(option, _)| option == value) =>
            {
                let allowed: Vec<&str> = field
                    .options
                    .iter()
                    .map(|(option, _)| option.as_str())
                    .collect();
                return Err(ApiError::validation(format!(
                    "form field {} has value {value}, which is not one of the options: [{}]",
                    field.name,
                    allowed.join(", ")
                )));
            }
            _ => {}
        }
    }
    Ok(())
}

pub(super) fn check_consent(link: &Link, responses: &[ConsentResponse]) -> Result<(), ApiError> {
    let Some(consent) = &link.legal_consent else {
        return Ok(());
    };
    if consent.processing_consent_type != "REQUIRED_CHECKBOX" {
        return Ok(());
    }
    for checkbox in consent
        .checkboxes
        .iter()
        .filter(|checkbox| checkbox.required)
    {
        let consented = responses.iter().any(|response| {
            response.communication_type_id == checkbox.communication_type_id && response.consented
        });
        if !consented {
            return Err(ApiError::validation(format!(
                "legal consent is required: legalConsentResponses must contain communicationTypeId {} with consented true",
                checkbox.communication_type_id
            )));
        }
    }
    Ok(())
}

/// Checks the start time against the link's computed availability.
pub(super) fn check_slot(
    scheduler: &Scheduler,
    link: &Link,
    duration: i64,
    start: i64,
    now: i64,
) -> Result<(), ApiError> {
    let (earliest, latest) = booking_window(link, now);
    let range = (start, start + 1);
    if start >= earliest
        && start + duration <= latest
        && link_slots(scheduler, link, duration, range, now, Bookings::Count).contains(&start)
    {
        return Ok(());
    }
    if link_slots(scheduler, link, duration, range, now, Bookings::Ignore).contains(&start) {
        return Err(booking_error(
            "MEETING_TIME_NOT_AVAILABLE",
            "The requested time is no longer available".into(),
        ));
    }
    Err(booking_error(
        "MEETING_START_TIME_NOT_VALID",
        "Start time must be contained in availability settings".into(),
    ))
}
