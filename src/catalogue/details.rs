//! One meeting link's booking info and availability, converted from
//! HubSpot's shapes into what the widget needs.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};

use crate::hubspot::meetings::{BookingInfo, LinkAvailability};
use crate::hubspot::{HubSpot, HubSpotError};
use crate::widget_session::protocol::{
    BookingForm, CommunicationConsentView, ConsentView, FormFieldView, FormOptionView,
    MeetingTypeView,
};

/// Form fields HubSpot lists that the booking request carries in its own
/// fields, so the widget does not show them twice.
const BUILT_IN_FIELDS: [&str; 3] = ["firstname", "lastname", "email"];

/// Reason a meeting type cannot be booked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OfflineReason {
    HostsOffline,
    NoAvailability,
    LinkUnavailable,
    HubSpotUnavailable,
}

impl OfflineReason {
    /// Returns the protocol's `offline_reason` value.
    pub fn code(self) -> &'static str {
        match self {
            OfflineReason::HostsOffline => "hosts_offline",
            OfflineReason::NoAvailability => "no_availability",
            OfflineReason::LinkUnavailable => "link_unavailable",
            OfflineReason::HubSpotUnavailable => "hubspot_unavailable",
        }
    }

    /// Returns a sentence for the visitor.
    pub fn message(self) -> &'static str {
        match self {
            OfflineReason::HostsOffline => "The host's calendar is not connected right now.",
            OfflineReason::NoAvailability => "No times are available in the booking window.",
            OfflineReason::LinkUnavailable => "This meeting type is no longer offered.",
            OfflineReason::HubSpotUnavailable => "Availability could not be loaded; try again shortly.",
        }
    }
}

/// Whether a link can be booked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkStatus {
    Available,
    Offline(OfflineReason),
}

/// A host of a meeting link.
#[derive(Debug, Clone)]
pub struct Host {
    pub user_id: String,
    pub name: String,
    pub offline: bool,
}

/// A link's settings, hosts, questions and bookable starts per duration.
#[derive(Debug, Clone)]
pub struct LinkDetails {
    pub slug: String,
    pub name: String,
    pub durations_ms: Vec<i64>,
    pub hosts: Vec<Host>,
    pub link_offline: bool,
    /// HubSpot no longer serves the link (404).
    pub unavailable: bool,
    pub form: BookingForm,
    /// Bookable start instants, keyed by duration in milliseconds.
    pub slots: BTreeMap<i64, Vec<DateTime<Utc>>>,
}

impl LinkDetails {
    /// Computes the link's status at `now`.
    pub fn status(&self, now: DateTime<Utc>) -> LinkStatus {
        if self.unavailable {
            return LinkStatus::Offline(OfflineReason::LinkUnavailable);
        }
        if self.link_offline || (!self.hosts.is_empty() && self.hosts.iter().all(|host| host.offline)) {
            return LinkStatus::Offline(OfflineReason::HostsOffline);
        }
        let any_future_slot = self.slots.values().flatten().any(|start| *start > now);
        if !any_future_slot {
            return LinkStatus::Offline(OfflineReason::NoAvailability);
        }
        LinkStatus::Available
    }

    /// Lists the HubSpot user ids of hosts whose calendars are connected, sent as
    /// `likelyAvailableUserIds`.
    pub fn online_host_ids(&self) -> Vec<String> {
        self.hosts.iter().filter(|host| !host.offline).map(|host| host.user_id.clone()).collect()
    }

    /// Builds the meeting type as the widget lists it.
    pub fn view(&self, now: DateTime<Utc>) -> MeetingTypeView {
        let (status, reason) = match self.status(now) {
            LinkStatus::Available => ("available", None),
            LinkStatus::Offline(reason) => ("offline", Some(reason)),
        };
        MeetingTypeView {
            id: self.slug.clone(),
            name: self.name.clone(),
            durations_ms: self.durations_ms.clone(),
            status,
            offline_reason: reason.map(OfflineReason::code),
            offline_message: reason.map(|reason| reason.message().to_string()),
            hosts: self.hosts.iter().map(|host| host.name.clone()).collect(),
        }
    }

    /// Builds the view of a link whose details could not be read at all.
    pub fn unreachable_view(slug: &str, name: &str) -> MeetingTypeView {
        let reason = OfflineReason::HubSpotUnavailable;
        MeetingTypeView {
            id: slug.to_string(),
            name: name.to_string(),
            durations_ms: Vec::new(),
            status: "offline",
            offline_reason: Some(reason.code()),
            offline_message: Some(reason.message().to_string()),
            hosts: Vec::new(),
        }
    }
}

/// Reads a link's booking info (with the first availability page) and, when
/// HubSpot reports more slots, the next month's page. Times are requested
/// in UTC; visitors' zones apply later.
pub async fn fetch(
    hubspot: &HubSpot,
    workspace_id: &str,
    slug: &str,
    name: &str,
    now: DateTime<Utc>,
) -> Result<LinkDetails, HubSpotError> {
    let info = match hubspot.booking_info(workspace_id, slug, "UTC").await {
        Ok(info) => info,
        Err(HubSpotError::NotFound) => return Ok(unavailable_link(slug, name)),
        Err(error) => return Err(error),
    };
    let mut details = from_booking_info(slug, name, &info);
    let first_page_has_more = info.link_availability.as_ref().is_some_and(|availability| availability.has_more);
    if first_page_has_more {
        let next = hubspot.availability_page(workspace_id, slug, "UTC", 1).await?;
        merge_availability(&mut details.slots, &next.link_availability);
    }
    for starts in details.slots.values_mut() {
        starts.retain(|start| *start > now);
        starts.sort();
        starts.dedup();
    }
    Ok(details)
}

fn unavailable_link(slug: &str, name: &str) -> LinkDetails {
    LinkDetails {
        slug: slug.to_string(),
        name: name.to_string(),
        durations_ms: Vec::new(),
        hosts: Vec::new(),
        link_offline: false,
        unavailable: true,
        form: BookingForm::default(),
        slots: BTreeMap::new(),
    }
}

fn from_booking_info(slug: &str, name: &str, info: &BookingInfo) -> LinkDetails {
    let hosts = info
        .all_users_busy_times
        .iter()
        .map(|member| {
            let full_name = member
                .meetings_user
                .user_profile
                .as_ref()
                .map(|profile| {
                    profile.full_name.clone().unwrap_or_else(|| {
                        [profile.first_name.as_deref(), profile.last_name.as_deref()]
                            .into_iter()
                            .flatten()
                            .collect::<Vec<_>>()
                            .join(" ")
                    })
                })
                .unwrap_or_default();
            Host {
                user_id: member.meetings_user.user_id.clone(),
                name: full_name,
                offline: member.is_offline,
            }
        })
        .collect();
    let mut slots = BTreeMap::new();
    for duration in &info.custom_params.durations {
        slots.insert(*duration, Vec::new());
    }
    if let Some(availability) = &info.link_availability {
        merge_availability(&mut slots, availability);
    }
    LinkDetails {
        slug: slug.to_string(),
        name: name.to_string(),
        durations_ms: info.custom_params.durations.clone(),
        hosts,
        link_offline: info.is_offline,
        unavailable: false,
        form: booking_form(info),
        slots,
    }
}

fn merge_availability(slots: &mut BTreeMap<i64, Vec<DateTime<Utc>>>, availability: &LinkAvailability) {
    for (key, by_duration) in &availability.link_availability_by_duration {
        let duration = key.parse::<i64>().unwrap_or(by_duration.meeting_duration_millis);
        let starts = slots.entry(duration).or_default();
        for slot in &by_duration.availabilities {
            if let Some(start) = DateTime::<Utc>::from_timestamp_millis(slot.start_millis_utc) {
                starts.push(start);
            }
        }
    }
}

fn booking_form(info: &BookingInfo) -> BookingForm {
    let fields = info
        .custom_params
        .form_fields
        .iter()
        .filter(|field| !BUILT_IN_FIELDS.contains(&field.name.to_ascii_lowercase().as_str()))
        .map(|field| FormFieldView {
            name: field.name.clone(),
            label: field.label.clone(),
            field_type: field.field_type.clone(),
            required: field.is_required,
            options: field
                .options
                .iter()
                .filter(|option| !option.hidden)
                .map(|option| FormOptionView { value: option.value.clone(), label: option.label.clone() })
                .collect(),
        })
        .collect();
    let consent = info
        .custom_params
        .legal_consent_options
        .as_ref()
        .filter(|_| info.custom_params.legal_consent_enabled)
        .map(|options| ConsentView {
            processing_required: options.processing_consent_type.as_deref() == Some("REQUIRED_CHECKBOX"),
            processing_text: options.processing_consent_text.clone().unwrap_or_default(),
            processing_label: options.processing_consent_checkbox_label.clone().unwrap_or_default(),
            communication: options
                .communication_consent_checkboxes
                .iter()
                .map(|checkbox| CommunicationConsentView {
                    communication_type_id: checkbox.communication_type_id.clone(),
                    label: checkbox.label.clone(),
                    required: checkbox.required,
                })
                .collect(),
            privacy_text: options.privacy_policy_text.clone().unwrap_or_default(),
        });
    BookingForm { fields, consent }
}
