//! `POST .../meeting-links/book`: validates a booking as HubSpot does,
//! holds the slot under the data lock, creates or updates the booker's
//! contact, logs the meeting engagement and records the meeting.

use actix_web::{HttpRequest, HttpResponse, web};
use chrono::SecondsFormat;
use chrono_tz::Tz;
use serde::Deserialize;
use serde_json::{Value, json};

use super::Scheduler;
use super::availability::free_members;
use super::checks::{
    ConsentResponse, FormAnswer, booking_error, check_consent, check_email, check_form,
    check_guests, check_slot, parse_start,
};
use super::engagement::{BookedMeeting, log_meeting};
use super::handlers::unknown_slug;
use super::model::{Booking, Link, User};
use crate::sandbox::auth;
use crate::sandbox::crm;
use crate::sandbox::errors::{ApiError, parse_json};
use crate::sandbox::ids;
use crate::sandbox::state::SharedSandbox;

/// Scopes that allow booking; a read-only scheduler token gets 403.
const WRITE_SCOPES: &[&str] = &["crm.objects.contacts.write", "meetings-write"];

/// `ExternalMeetingBooking`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct BookingRequest {
    slug: String,
    first_name: String,
    last_name: String,
    email: String,
    /// ISO 8601 string or epoch milliseconds.
    start_time: Value,
    /// Milliseconds.
    duration: i64,
    timezone: Option<String>,
    locale: Option<String>,
    likely_available_user_ids: Vec<String>,
    form_fields: Vec<FormAnswer>,
    legal_consent_responses: Vec<ConsentResponse>,
    #[serde(default)]
    guest_emails: Vec<String>,
}

/// Picks the member the meeting lands on: a free member named in
/// `likelyAvailableUserIds` first, then the organizer when the link
/// prioritizes the owner, then the member with the fewest bookings.
fn assign_member<'a>(
    scheduler: &'a Scheduler,
    link: &Link,
    request: &BookingRequest,
    start: i64,
    now: i64,
) -> Option<&'a User> {
    let free = free_members(scheduler, link, request.duration, start, now);
    if link.link_type == super::model::LinkType::Group {
        return scheduler.user(&link.organizer_user_id);
    }
    if let Some(user) = request.likely_available_user_ids.iter().find_map(|id| {
        free.iter()
            .find(|user| &user.user_id == id || &user.meetings_user_id == id)
    }) {
        return Some(*user);
    }
    let owner = free
        .iter()
        .find(|user| user.user_id == link.organizer_user_id);
    if let (true, Some(owner)) = (link.owner_prioritized, owner) {
        return Some(*owner);
    }
    free.into_iter().min_by_key(|user| {
        scheduler
            .bookings
            .iter()
            .filter(|booking| booking.user_id == user.user_id)
            .count()
    })
}

/// `POST .../meeting-links/book`. A `?timezone=` query is accepted and
/// ignored, as two public integrations send one.
pub(crate) async fn book_meeting(
    sandbox: web::Data<SharedSandbox>,
    request: HttpRequest,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let principal = auth::require_any(&request, WRITE_SCOPES)?;
    let body: BookingRequest = parse_json(&body)?;
    let booking = body;
    let now = ids::now_ms();
    let clock = crate::sandbox::crm::WriteClock::now(&sandbox);

    let mut world = sandbox.world(principal.portal_id);
    let link = world
        .scheduler
        .link_by_slug(&booking.slug)
        .cloned()
        .ok_or_else(unknown_slug)?;
    if booking.last_name.trim().is_empty() {
        return Err(ApiError::validation("lastName must not be empty"));
    }
    check_email(booking.email.trim())?;
    check_guests(&link, &booking.guest_emails)?;
    if !link.durations_ms.contains(&booking.duration) {
        return Err(booking_error(
            "MEETING_DURATION_NOT_VALID",
            "Duration is not accepted by link".into(),
        ));
    }
    let start = parse_start(&booking.start_time)?;
    let booking_timezone = match booking.timezone.as_deref() {
        Some(text) => text
            .parse::<Tz>()
            .map_err(|_| {
                ApiError::validation(format!("timezone {text} is not a valid IANA time zone"))
            })?
            .name()
            .to_string(),
        None => "UTC".to_string(),
    };
    check_form(&link, &booking.form_fields)?;
    check_consent(&link, &booking.legal_consent_responses)?;
    check_slot(&world.scheduler, &link, booking.duration, start, now)?;
    let member = assign_member(&world.scheduler, &link, &booking, start, now)
        .cloned()
        .ok_or_else(|| {
            booking_error(
                "MEETING_TIME_NOT_AVAILABLE",
                "The requested time is no longer available".into(),
            )
        })?;

    let email = booking.email.trim().to_lowercase();
    let (contact, created) = crm::create_or_update_contact_by_email(
        &mut world,
        &email,
        booking.first_name.trim(),
        booking.last_name.trim(),
        clock,
    )?;
    let is_offline = member.offline;
    let calendar_event_id = if is_offline {
        String::new()
    } else {
        ids::random_token(20).to_lowercase()
    };
    // An offline member has no calendar event, and HubSpot logs no
    // engagement for it either: only the contact is written.
    let engagement_id = (!is_offline).then(|| {
        let meeting = BookedMeeting {
            link: &link,
            member: &member,
            contact_id: contact.id,
            title: subject(&link, &booking, &member),
            start_ms: start,
            end_ms: start + booking.duration,
        };
        log_meeting(&mut world, &meeting, clock).to_string()
    });
    let record = Booking {
        id: format!("{}", 60_000_000 + world.scheduler.bookings.len() as u64 + 1),
        link_id: link.id.clone(),
        slug: link.slug.clone(),
        user_id: member.user_id.clone(),
        start_ms: start,
        end_ms: start + booking.duration,
        duration: booking.duration,
        contact_id: contact.id.to_string(),
        calendar_event_id: calendar_event_id.clone(),
        is_offline,
        engagement_id,
        email,
        first_name: booking.first_name.trim().to_string(),
        last_name: booking.last_name.trim().to_string(),
        timezone: booking_timezone.clone(),
        locale: booking.locale.clone(),
        form_fields: booking
            .form_fields
            .iter()
            .map(|answer| (answer.name.clone(), answer.value.clone()))
            .collect(),
        guest_emails: booking.guest_emails.clone(),
        created_at_ms: now,
    };
    world.scheduler.bookings.push(record);
    drop(world);
    if created {
        crate::sandbox::crm::schedule_auto_company(&sandbox, principal.portal_id, &contact);
    }
    tracing::info!(link_id = %link.id, contact_id = contact.id, is_offline, "sandbox meeting booked");
    Ok(HttpResponse::Ok().json(response_body(
        &link,
        &member,
        &booking,
        start,
        &calendar_event_id,
        &contact.id.to_string(),
        &booking_timezone,
    )))
}

/// Builds the meeting title, for example `Intro call with Ana: Maria Lopez
/// and Ana Ruiz`. The response sends it as `subject` and the engagement
/// stores it as `hs_meeting_title`.
fn subject(link: &Link, booking: &BookingRequest, member: &User) -> String {
    format!(
        "{}: {} {} and {}",
        link.name,
        booking.first_name.trim(),
        booking.last_name.trim(),
        member.full_name()
    )
}

fn response_body(
    link: &Link,
    member: &User,
    booking: &BookingRequest,
    start: i64,
    calendar_event_id: &str,
    contact_id: &str,
    timezone: &str,
) -> Value {
    let iso = |epoch_ms: i64| ids::to_datetime(epoch_ms).to_rfc3339_opts(SecondsFormat::Secs, true);
    let form_fields: Vec<Value> = booking
        .form_fields
        .iter()
        .map(|answer| {
            let field = link
                .form_fields
                .iter()
                .find(|field| field.name == answer.name);
            let value_label = field
                .and_then(|field| {
                    field
                        .options
                        .iter()
                        .find(|(value, _)| value == &answer.value)
                })
                .map(|(_, label)| label.clone());
            json!({
                "name": answer.name,
                "label": field.map_or(answer.name.clone(), |field| field.label.clone()),
                "value": answer.value,
                "isCustom": field.is_some(),
                "fieldType": field.map_or("text", |field| field.field_type),
                "valueLabel": value_label,
            })
        })
        .collect();
    let mut body = json!({
        "calendarEventId": calendar_event_id,
        "contactId": contact_id,
        "start": iso(start),
        "end": iso(start + booking.duration),
        "duration": booking.duration,
        "bookingTimezone": timezone,
        "subject": subject(link, booking, member),
        "isOffline": member.offline,
        "guestEmails": booking.guest_emails,
        "formFields": form_fields,
        "legalConsentResponses": booking.legal_consent_responses,
        "locale": booking.locale.clone().unwrap_or_else(|| link.locale.clone()),
        "location": link.location,
    });
    if !member.offline {
        body["webConferenceMeetingId"] = json!(calendar_event_id);
        body["webConferenceUrl"] = json!(format!(
            "https://video.sandbox.hubspot.local/{calendar_event_id}"
        ));
    }
    body
}
