//! Meeting links, their members and booked meetings.

use chrono::Weekday;
use chrono_tz::Tz;
use serde::Serialize;

/// A HubSpot user who can be in a link's pool.
#[derive(Debug, Clone)]
pub(crate) struct User {
    /// HubSpot user id (`userId`, the id in `userIdsOfLinkMembers`).
    pub user_id: String,
    /// Meetings-tool user id (`meetingsUser.id`).
    pub meetings_user_id: String,
    /// CRM owner id, the value of `hubspot_owner_id` on records this user
    /// owns. HubSpot numbers owners apart from users.
    pub owner_id: String,
    pub first_name: String,
    pub last_name: String,
    pub email: String,
    pub time_zone: Tz,
    /// `GOOGLE`, `OFFICE365`, `EXCHANGE` or `UNKNOWN`.
    pub calendar_provider: &'static str,
    /// No working calendar connection: no busy times, no calendar events.
    pub offline: bool,
    /// Weekly working hours in the user's time zone: day, start minute and
    /// end minute after local midnight.
    pub working_hours: Vec<(Weekday, u32, u32)>,
    /// Calendar busy blocks, epoch ms `[start, end)`.
    pub busy: Vec<(i64, i64)>,
}

impl User {
    pub(crate) fn full_name(&self) -> String {
        format!("{} {}", self.first_name, self.last_name)
    }
}

/// `PERSONAL_LINK`, `GROUP_CALENDAR` or `ROUND_ROBIN_CALENDAR`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum LinkType {
    Personal,
    Group,
    RoundRobin,
}

impl LinkType {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            LinkType::Personal => "PERSONAL_LINK",
            LinkType::Group => "GROUP_CALENDAR",
            LinkType::RoundRobin => "ROUND_ROBIN_CALENDAR",
        }
    }

    pub(crate) fn parse(text: &str) -> Option<LinkType> {
        match text {
            "PERSONAL_LINK" => Some(LinkType::Personal),
            "GROUP_CALENDAR" => Some(LinkType::Group),
            "ROUND_ROBIN_CALENDAR" => Some(LinkType::RoundRobin),
            _ => None,
        }
    }
}

/// A form field of a link beyond first name, last name and email.
#[derive(Debug, Clone)]
pub(crate) struct FormField {
    pub name: String,
    pub label: String,
    /// `text`, `select`, ...
    pub field_type: &'static str,
    /// `string` or `enumeration`.
    pub value_type: &'static str,
    pub required: bool,
    /// Option values with labels, for selects.
    pub options: Vec<(String, String)>,
}

/// A consent checkbox of a link's legal consent settings.
#[derive(Debug, Clone)]
pub(crate) struct ConsentCheckbox {
    pub communication_type_id: String,
    pub label: String,
    pub required: bool,
}

/// A link's legal consent settings.
#[derive(Debug, Clone)]
pub(crate) struct LegalConsent {
    /// `IMPLICIT` or `REQUIRED_CHECKBOX`.
    pub processing_consent_type: &'static str,
    pub checkboxes: Vec<ConsentCheckbox>,
}

/// A meeting link (scheduling page).
#[derive(Debug, Clone)]
pub(crate) struct Link {
    pub id: String,
    pub slug: String,
    pub name: String,
    pub link_type: LinkType,
    pub organizer_user_id: String,
    pub member_ids: Vec<String>,
    pub default_link: bool,
    pub created_at_ms: i64,
    pub updated_at_ms: i64,
    /// Offered meeting lengths, in milliseconds.
    pub durations_ms: Vec<i64>,
    /// `startTimeIncrementMinutes` name and its minutes; `None` minutes for
    /// `MEETING_DURATION`.
    pub increment: (&'static str, Option<i64>),
    pub minimum_notice_ms: i64,
    pub buffer_ms: i64,
    pub weeks_to_advertise: i64,
    pub custom_start_ms: Option<i64>,
    pub custom_end_ms: Option<i64>,
    pub form_fields: Vec<FormField>,
    pub legal_consent: Option<LegalConsent>,
    pub can_add_guests: bool,
    pub max_guest_count: usize,
    pub owner_prioritized: bool,
    pub location: String,
    pub locale: String,
    pub headline: String,
}

impl Link {
    /// Step between offered start times for `duration_ms`, in milliseconds.
    pub(crate) fn step_ms(&self, duration_ms: i64) -> i64 {
        self.increment
            .1
            .map_or(duration_ms, |minutes| minutes * 60_000)
    }
}

/// A booked meeting, as `GET /_sandbox/meetings` lists it.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Booking {
    pub id: String,
    pub link_id: String,
    pub slug: String,
    /// HubSpot user id of the member the meeting landed on.
    pub user_id: String,
    pub start_ms: i64,
    pub end_ms: i64,
    pub duration: i64,
    pub contact_id: String,
    pub calendar_event_id: String,
    pub is_offline: bool,
    /// CRM id of the meeting engagement the booking logged; `None` for an
    /// offline booking, which logs none.
    pub engagement_id: Option<String>,
    pub email: String,
    pub first_name: String,
    pub last_name: String,
    pub timezone: String,
    pub locale: Option<String>,
    pub form_fields: Vec<(String, String)>,
    pub guest_emails: Vec<String>,
    pub created_at_ms: i64,
}
