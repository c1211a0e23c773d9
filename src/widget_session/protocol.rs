//! The JSON frames of the widget protocol (`docs/widget-protocol.md`).
//!
//! Each inbound frame parses into [`ClientFrame`], tagged by `type`; unknown
//! fields are rejected so a client bug shows up as an `invalid_frame` error.

use serde::{Deserialize, Serialize};

/// A frame sent by the widget.
#[derive(Debug, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum ClientFrame {
    Hello {
        time_zone: String,
        locale: String,
        #[serde(default)]
        resume_token: Option<String>,
        #[serde(default)]
        anonymous_id: Option<String>,
        #[serde(default)]
        page: Option<PageInfo>,
    },
    ListMeetingTypes {},
    GetSlots {
        meeting_type_id: String,
        #[serde(default)]
        duration_ms: Option<i64>,
    },
    Book(BookFrame),
    SetTimeZone {
        time_zone: String,
    },
    PageView {
        url: String,
        #[serde(default)]
        title: Option<String>,
    },
    Identify(IdentifyFrame),
}

/// The `identify` frame: the person the widget visitor is, as the site knows it.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IdentifyFrame {
    pub email: String,
    #[serde(default)]
    pub first_name: Option<String>,
    #[serde(default)]
    pub last_name: Option<String>,
    #[serde(default)]
    pub company: Option<IdentifyCompany>,
}

/// The company of an `identify` frame.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IdentifyCompany {
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub domain: Option<String>,
}

/// The page a `hello` or `page_view` frame reports.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PageInfo {
    pub url: String,
    #[serde(default)]
    pub title: Option<String>,
}

/// The `book` frame: one booking attempt.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BookFrame {
    pub idempotency_key: String,
    pub meeting_type_id: String,
    pub start: String,
    pub duration_ms: i64,
    pub first_name: String,
    pub last_name: String,
    pub email: String,
    #[serde(default)]
    pub answers: Vec<Answer>,
    #[serde(default)]
    pub consents: Vec<ConsentAnswer>,
    #[serde(default)]
    pub processing_consent: Option<bool>,
}

/// The visitor's reply to one of the meeting link's own form fields.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Answer {
    pub name: String,
    pub value: String,
}

/// The visitor's choice for one communication consent checkbox.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ConsentAnswer {
    pub communication_type_id: String,
    pub consented: bool,
}

/// A frame sent by the server.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ServerFrame {
    Welcome {
        session_id: String,
        resume_token: String,
        resumed: bool,
        time_zone: String,
        locale: String,
        booking_available: bool,
        bookings: Vec<BookingConfirmed>,
    },
    MeetingTypes {
        items: Vec<MeetingTypeView>,
    },
    Slots(SlotsView),
    SlotsChanged {
        meeting_type_id: String,
        removed: Vec<String>,
    },
    BookingConfirmed(BookingConfirmed),
    /// The answer to `identify`: the visitor is stored under its identity.
    Identified {},
    Error(ErrorFrame),
}

/// One meeting type as the widget shows it.
#[derive(Debug, Clone, Serialize)]
pub struct MeetingTypeView {
    pub id: String,
    pub name: String,
    pub durations_ms: Vec<i64>,
    pub status: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub offline_reason: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub offline_message: Option<String>,
    pub hosts: Vec<String>,
}

/// The `slots` frame.
#[derive(Debug, Clone, Serialize)]
pub struct SlotsView {
    pub meeting_type_id: String,
    pub duration_ms: i64,
    pub time_zone: String,
    pub days: Vec<SlotDay>,
    pub form: BookingForm,
}

/// Slots that start on one local date of the visitor.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct SlotDay {
    pub date: String,
    pub slots: Vec<SlotView>,
}

/// One bookable start time.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct SlotView {
    pub start: String,
    pub local_time: String,
}

/// The extra questions of a meeting link's booking form.
#[derive(Debug, Clone, Serialize, Default)]
pub struct BookingForm {
    pub fields: Vec<FormFieldView>,
    pub consent: Option<ConsentView>,
}

/// One extra question of the booking form.
#[derive(Debug, Clone, Serialize)]
pub struct FormFieldView {
    pub name: String,
    pub label: String,
    pub field_type: String,
    pub required: bool,
    pub options: Vec<FormOptionView>,
}

/// One choice of a select or radio question.
#[derive(Debug, Clone, Serialize)]
pub struct FormOptionView {
    pub value: String,
    pub label: String,
}

/// The consent texts and checkboxes of a meeting link.
#[derive(Debug, Clone, Serialize)]
pub struct ConsentView {
    pub processing_required: bool,
    pub processing_text: String,
    pub processing_label: String,
    pub communication: Vec<CommunicationConsentView>,
    pub privacy_text: String,
}

/// One communication consent checkbox.
#[derive(Debug, Clone, Serialize)]
pub struct CommunicationConsentView {
    pub communication_type_id: String,
    pub label: String,
    pub required: bool,
}

/// The `booking_confirmed` frame.
#[derive(Debug, Clone, Serialize)]
pub struct BookingConfirmed {
    pub idempotency_key: String,
    pub booking_id: String,
    pub meeting_type_id: String,
    pub meeting_name: String,
    pub start: String,
    pub end: String,
    pub time_zone: String,
    pub local_date: String,
    pub local_time: String,
    pub on_calendar: bool,
}

/// The `error` frame.
#[derive(Debug, Clone, Serialize)]
pub struct ErrorFrame {
    pub code: &'static str,
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub idempotency_key: Option<String>,
}

impl ErrorFrame {
    /// Creates an error without a field.
    pub fn new(code: &'static str, message: impl Into<String>) -> Self {
        Self { code, message: message.into(), field: None, idempotency_key: None }
    }

    /// Creates an `invalid_field` error naming `field`.
    pub fn invalid_field(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            code: "invalid_field",
            message: message.into(),
            field: Some(field.into()),
            idempotency_key: None,
        }
    }
}
