//! Scheduler API shapes with HubSpot's field names. Durations and instants
//! given as numbers are milliseconds (durations) and epoch milliseconds
//! (instants). Optional or loosely specified fields default, so a missing
//! field HubSpot marks optional does not fail the whole response.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// A meeting link (scheduling page) from the list endpoint.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MeetingLink {
    pub id: String,
    /// Path of the public URL; may contain `/` for team links.
    pub slug: String,
    pub link: String,
    #[serde(default)]
    pub name: Option<String>,
    /// `PERSONAL_LINK`, `GROUP_CALENDAR` or `ROUND_ROBIN_CALENDAR`.
    #[serde(rename = "type")]
    pub link_type: String,
    #[serde(default)]
    pub organizer_user_id: String,
    #[serde(default)]
    pub user_ids_of_link_members: Vec<String>,
    #[serde(default)]
    pub default_link: bool,
    #[serde(default)]
    pub created_at: Option<DateTime<Utc>>,
    #[serde(default)]
    pub updated_at: Option<DateTime<Utc>>,
}

/// One page of the meeting-link list.
#[derive(Debug, Deserialize)]
pub(crate) struct MeetingLinkPage {
    #[serde(default)]
    pub results: Vec<MeetingLink>,
    #[serde(default)]
    pub paging: Option<Paging>,
}

#[derive(Debug, Deserialize)]
pub(crate) struct Paging {
    pub next: Option<NextPage>,
}

#[derive(Debug, Deserialize)]
pub(crate) struct NextPage {
    pub after: String,
}

/// Everything the booking form of one link needs.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BookingInfo {
    pub link_id: String,
    pub link_type: String,
    /// The whole link is offline: requests are taken, no calendar event.
    pub is_offline: bool,
    pub custom_params: LinkSettings,
    #[serde(default)]
    pub all_users_busy_times: Vec<UserBusyTimes>,
    #[serde(default)]
    pub link_availability: Option<LinkAvailability>,
    #[serde(default)]
    pub branding_metadata: Option<Value>,
}

/// A link's settings (`customParams`).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LinkSettings {
    /// Offered meeting lengths in milliseconds.
    pub durations: Vec<i64>,
    #[serde(default)]
    pub availability: Value,
    #[serde(default)]
    pub form_fields: Vec<FormField>,
    #[serde(default)]
    pub legal_consent_enabled: bool,
    /// Gap between meetings, in milliseconds.
    #[serde(default)]
    pub meeting_buffer_time: i64,
    #[serde(default)]
    pub owner_prioritized: bool,
    /// `MEETING_DURATION`, `FIFTEEN`, `THIRTY`, ...
    #[serde(default)]
    pub start_time_increment_minutes: Option<String>,
    #[serde(default)]
    pub weeks_to_advertise: i32,
    #[serde(default)]
    pub custom_availability_start_date: Option<i64>,
    #[serde(default)]
    pub custom_availability_end_date: Option<i64>,
    #[serde(default)]
    pub guest_settings: Option<GuestSettings>,
    #[serde(default)]
    pub legal_consent_options: Option<LegalConsentOptions>,
    #[serde(default)]
    pub display_info: Option<Value>,
    #[serde(default)]
    pub welcome_screen_info: Option<Value>,
    #[serde(default)]
    pub language: Option<String>,
    #[serde(default)]
    pub locale: Option<String>,
    #[serde(default)]
    pub location: Option<String>,
    #[serde(default)]
    pub redirect_url: Option<String>,
}

/// A field of the booking form besides first name, last name and email.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FormField {
    pub name: String,
    #[serde(default)]
    pub label: String,
    #[serde(default)]
    pub field_type: String,
    #[serde(default, rename = "type")]
    pub value_type: String,
    #[serde(default)]
    pub is_required: bool,
    #[serde(default)]
    pub is_custom: bool,
    #[serde(default)]
    pub options: Vec<FormFieldOption>,
}

/// One choice of a select or radio form field.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FormFieldOption {
    pub value: String,
    #[serde(default)]
    pub label: String,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub display_order: Option<i64>,
    #[serde(default)]
    pub hidden: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GuestSettings {
    pub can_add_guests: bool,
    #[serde(default)]
    pub max_guest_count: i32,
}

/// The consent texts and checkboxes a link shows.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LegalConsentOptions {
    /// `IMPLICIT` or `REQUIRED_CHECKBOX`.
    #[serde(default)]
    pub processing_consent_type: Option<String>,
    #[serde(default)]
    pub processing_consent_text: Option<String>,
    #[serde(default)]
    pub processing_consent_checkbox_label: Option<String>,
    #[serde(default)]
    pub processing_consent_footer_text: Option<String>,
    #[serde(default)]
    pub communication_consent_text: Option<String>,
    #[serde(default)]
    pub communication_consent_checkboxes: Vec<ConsentCheckbox>,
    #[serde(default)]
    pub privacy_policy_text: Option<String>,
    #[serde(default)]
    pub is_legitimate_interest: bool,
    #[serde(default)]
    pub legitimate_interest_subscription_types: Vec<i64>,
    #[serde(default)]
    pub legitimate_interest_legal_basis: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ConsentCheckbox {
    pub communication_type_id: String,
    #[serde(default)]
    pub label: String,
    #[serde(default)]
    pub required: bool,
}

/// One pool member with their busy blocks.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UserBusyTimes {
    pub meetings_user: MeetingsUser,
    /// The member's calendar is not connected.
    #[serde(default)]
    pub is_offline: bool,
    #[serde(default)]
    pub busy_times: Vec<BusyTime>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MeetingsUser {
    pub id: String,
    /// HubSpot user id; matches `userIdsOfLinkMembers`.
    pub user_id: String,
    #[serde(default)]
    pub is_sales_starter: bool,
    #[serde(default)]
    pub calendar_provider: Option<String>,
    #[serde(default)]
    pub user_profile: Option<UserProfile>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UserProfile {
    #[serde(default)]
    pub email: Option<String>,
    #[serde(default)]
    pub first_name: Option<String>,
    #[serde(default)]
    pub last_name: Option<String>,
    #[serde(default)]
    pub full_name: Option<String>,
}

/// A busy block, epoch milliseconds.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct BusyTime {
    pub start: i64,
    pub end: i64,
}

/// Bookable slots of one availability page.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LinkAvailability {
    /// More slots exist past this page.
    #[serde(default)]
    pub has_more: bool,
    /// Keyed by duration in milliseconds, as a string (`"1800000"`).
    #[serde(default)]
    pub link_availability_by_duration: BTreeMap<String, DurationAvailability>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DurationAvailability {
    pub meeting_duration_millis: i64,
    #[serde(default)]
    pub availabilities: Vec<Slot>,
}

/// A bookable slot, epoch milliseconds UTC.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Slot {
    pub start_millis_utc: i64,
    pub end_millis_utc: i64,
}

/// The availability-page response.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AvailabilityPage {
    pub link_availability: LinkAvailability,
    #[serde(default)]
    pub all_users_busy_times: Vec<UserBusyTimes>,
}

/// The booking request body. `slug` is sent as is, `duration` in
/// milliseconds and one of the link's `durations`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BookingRequest {
    pub slug: String,
    pub first_name: String,
    /// HubSpot rejects an empty last name.
    pub last_name: String,
    pub email: String,
    pub start_time: DateTime<Utc>,
    pub duration: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub timezone: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub locale: Option<String>,
    /// HubSpot user ids (`meetingsUser.userId`) likely free at that time.
    pub likely_available_user_ids: Vec<String>,
    pub form_fields: Vec<FormFieldAnswer>,
    pub legal_consent_responses: Vec<ConsentResponse>,
    /// Omitted when empty, because links without guests reject the field.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub guest_emails: Vec<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct FormFieldAnswer {
    pub name: String,
    pub value: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ConsentResponse {
    pub communication_type_id: String,
    pub consented: bool,
}

/// HubSpot's response to a booking. An offline booking has `is_offline` true
/// and an empty `calendar_event_id`: no calendar event was made.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BookingResponse {
    #[serde(default)]
    pub calendar_event_id: String,
    /// CRM id of the booker's contact, created or updated by HubSpot.
    pub contact_id: String,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    /// Milliseconds.
    pub duration: i64,
    #[serde(default)]
    pub booking_timezone: String,
    #[serde(default)]
    pub subject: String,
    #[serde(default)]
    pub is_offline: bool,
    #[serde(default)]
    pub guest_emails: Vec<String>,
    #[serde(default)]
    pub form_fields: Vec<Value>,
    #[serde(default)]
    pub legal_consent_responses: Vec<Value>,
    #[serde(default)]
    pub locale: Option<String>,
    #[serde(default)]
    pub location: Option<String>,
    #[serde(default)]
    pub web_conference_meeting_id: Option<String>,
    #[serde(default)]
    pub web_conference_url: Option<String>,
}

impl BookingResponse {
    /// Returns whether the meeting was put on a calendar.
    pub fn is_on_calendar(&self) -> bool {
        !self.is_offline && !self.calendar_event_id.is_empty()
    }
}
