//! Scheduler JSON shapes: link metadata, booking info, busy times and
//! availability.

use chrono_tz::Tz;
use serde_json::{Value, json};

use super::Scheduler;
use super::availability::{Bookings, booking_window, link_slots, month_range};
use super::model::{FormField, Link, User};
use crate::sandbox::ids;

/// `ExternalLinkMetadata`.
pub(crate) fn link_metadata(link: &Link) -> Value {
    json!({
        "id": link.id,
        "slug": link.slug,
        "link": format!("https://meetings.hubspot.com/{}", link.slug),
        "name": link.name,
        "type": link.link_type.as_str(),
        "organizerUserId": link.organizer_user_id,
        "userIdsOfLinkMembers": link.member_ids,
        "defaultLink": link.default_link,
        "createdAt": ids::iso_ms(link.created_at_ms),
        "updatedAt": ids::iso_ms(link.updated_at_ms),
    })
}

fn meetings_user(user: &User) -> Value {
    json!({
        "id": user.meetings_user_id,
        "userId": user.user_id,
        "isSalesStarter": false,
        "calendarProvider": user.calendar_provider,
        "userProfile": {
            "email": user.email,
            "firstName": user.first_name,
            "lastName": user.last_name,
            "fullName": user.full_name(),
        },
    })
}

/// `allUsersBusyTimes`: calendar blocks and booked meetings of online
/// members; offline members list none.
pub(crate) fn busy_times(scheduler: &Scheduler, link: &Link) -> Value {
    let members: Vec<Value> = scheduler
        .members(link)
        .map(|user| {
            let mut blocks: Vec<(i64, i64)> = Vec::new();
            if !user.offline {
                blocks.extend(user.busy.iter().copied());
                blocks.extend(
                    scheduler
                        .bookings
                        .iter()
                        .filter(|booking| booking.user_id == user.user_id)
                        .map(|booking| (booking.start_ms, booking.end_ms)),
                );
                blocks.sort_unstable();
            }
            let busy: Vec<Value> = blocks.iter().map(|(start, end)| json!({ "start": start, "end": end })).collect();
            json!({ "meetingsUser": meetings_user(user), "isOffline": user.offline, "busyTimes": busy })
        })
        .collect();
    Value::Array(members)
}

/// `linkAvailability` for the calendar month `month_offset` from now.
pub(crate) fn link_availability(
    scheduler: &Scheduler,
    link: &Link,
    time_zone: Tz,
    month_offset: i32,
    now_ms: i64,
) -> Value {
    let (month_start, month_end) = month_range(time_zone, now_ms, month_offset);
    let (_, latest) = booking_window(link, now_ms);
    let mut by_duration = serde_json::Map::new();
    for duration in &link.durations_ms {
        let slots = link_slots(
            scheduler,
            link,
            *duration,
            (month_start, month_end),
            now_ms,
            Bookings::Count,
        );
        let availabilities: Vec<Value> = slots
            .iter()
            .map(|start| json!({ "startMillisUtc": start, "endMillisUtc": start + duration }))
            .collect();
        by_duration.insert(
            duration.to_string(),
            json!({ "meetingDurationMillis": duration, "availabilities": availabilities }),
        );
    }
    json!({ "hasMore": latest > month_end, "linkAvailabilityByDuration": by_duration })
}

fn form_field(
    name: &str,
    label: &str,
    field_type: &str,
    value_type: &str,
    required: bool,
    custom: bool,
    options: &[(String, String)],
) -> Value {
    let options: Vec<Value> = options
        .iter()
        .enumerate()
        .map(|(index, (value, label))| {
            json!({
                "value": value, "label": label, "description": "", "displayOrder": index,
                "doubleData": 0.0, "hidden": false, "readOnly": false,
            })
        })
        .collect();
    json!({
        "name": name, "label": label, "fieldType": field_type, "type": value_type,
        "isRequired": required, "isCustom": custom, "options": options,
    })
}

fn form_fields(fields: &[FormField]) -> Value {
    let mut list = vec![
        form_field(
            "firstName",
            "First name",
            "text",
            "string",
            true,
            false,
            &[],
        ),
        form_field("lastName", "Last name", "text", "string", true, false, &[]),
        form_field("email", "Email", "text", "string", true, false, &[]),
    ];
    list.extend(fields.iter().map(|field| {
        form_field(
            &field.name,
            &field.label,
            field.field_type,
            field.value_type,
            field.required,
            true,
            &field.options,
        )
    }));
    Value::Array(list)
}

/// Weekly working hours of the organizer, keyed by day name, in ms after
/// local midnight.
///
/// NOTE: HubSpot does not document the keys of `customParams.availability`;
/// this layout is the sandbox's own.
fn availability_map(scheduler: &Scheduler, link: &Link) -> Value {
    let mut map = serde_json::Map::new();
    if let Some(organizer) = scheduler.user(&link.organizer_user_id) {
        for (weekday, start, end) in &organizer.working_hours {
            let key = format!("{weekday:?}").to_uppercase();
            map.insert(
                key,
                json!({ "start": *start as i64 * 60_000, "end": *end as i64 * 60_000 }),
            );
        }
    }
    Value::Object(map)
}

fn legal_consent(link: &Link) -> Option<Value> {
    let consent = link.legal_consent.as_ref()?;
    let checkboxes: Vec<Value> = consent
        .checkboxes
        .iter()
        .map(|checkbox| json!({ "communicationTypeId": checkbox.communication_type_id, "label": checkbox.label, "required": checkbox.required }))
        .collect();
    Some(json!({
        "processingConsentType": consent.processing_consent_type,
        "processingConsentText": "Slotchat Demo needs the contact information you provide to contact you about our products and services.",
        "processingConsentCheckboxLabel": "I agree to allow Slotchat Demo to store and process my personal data.",
        "processingConsentFooterText": "You can unsubscribe from these communications at any time.",
        "communicationConsentText": "Slotchat Demo would like to send you sales communications.",
        "communicationConsentCheckboxes": checkboxes,
        "privacyPolicyText": "See our privacy policy for how we protect your data.",
        "isLegitimateInterest": false,
        "legitimateInterestSubscriptionTypes": [],
    }))
}

/// `customParams` (`ExternalMeetingsLinkSettings`).
pub(crate) fn custom_params(scheduler: &Scheduler, link: &Link) -> Value {
    let mut params = json!({
        "durations": link.durations_ms,
        "availability": availability_map(scheduler, link),
        "formFields": form_fields(&link.form_fields),
        "legalConsentEnabled": link.legal_consent.is_some(),
        "meetingBufferTime": link.buffer_ms,
        "ownerPrioritized": link.owner_prioritized,
        "startTimeIncrementMinutes": link.increment.0,
        "weeksToAdvertise": link.weeks_to_advertise,
        "guestSettings": { "canAddGuests": link.can_add_guests, "maxGuestCount": link.max_guest_count },
        "displayInfo": { "headline": link.headline, "publicDisplayAvatarOption": "PROFILE_IMAGE" },
        "welcomeScreenInfo": { "title": link.name, "description": "", "showWelcomeScreen": false, "useCompanyLogo": false },
        "language": link.locale.split('-').next().unwrap_or("en"),
        "locale": link.locale,
        "location": link.location,
    });
    if let Some(start) = link.custom_start_ms {
        params["customAvailabilityStartDate"] = json!(start);
    }
    if let Some(end) = link.custom_end_ms {
        params["customAvailabilityEndDate"] = json!(end);
    }
    if let Some(consent) = legal_consent(link) {
        params["legalConsentOptions"] = consent;
    }
    params
}

/// `brandingMetadata` of the portal with `hub_domain`.
pub(crate) fn branding(hub_domain: &str) -> Value {
    json!({
        "showMarketingAd": false,
        "showSalesAd": false,
        "logoAltText": "Slotchat Demo",
        "primaryColor": "#0b6e4f",
        "companyName": "Slotchat Demo",
        "companyDomain": hub_domain,
    })
}
