//! Recovery of a booking whose HubSpot call timed out.
//!
//! The request may have landed, so it is not repeated blindly. A booking
//! makes HubSpot create or update the booker's contact and log a meeting
//! engagement on it, so the check reads the contact by email and looks for
//! a meeting at the booked start. Only when no such meeting exists is the
//! booking sent once more.
//!
//! NOTE: a booking that lands on a host whose calendar is not connected
//! logs no meeting, so the check cannot see it. The resend then lands a
//! second meeting or, when no other host is free, fails as a taken slot.
//! Bookings prefer connected hosts (`likelyAvailableUserIds`), which makes
//! this rare but not impossible.

use crate::hubspot::meetings::{BookingRequest, BookingResponse};
use crate::hubspot::{CrmObject, HubSpotError};
use crate::startup::AppState;
use crate::storage::bookings::Booking;

/// Meeting properties read to recognise the booked meeting.
const MEETING_PROPERTIES: [&str; 3] = ["hs_meeting_start_time", "hs_meeting_end_time", "hs_meeting_title"];

/// Returns the booking's outcome after a timeout: `Some` when it landed
/// (found, or booked by the one retry), `None` when it stays unknown.
pub async fn after_timeout(
    state: &AppState,
    booking: &Booking,
    request: &BookingRequest,
) -> Result<Option<BookingResponse>, HubSpotError> {
    let workspace_id = &booking.workspace_id;
    tracing::warn!(booking_id = %booking.id, "booking timed out after it was sent; checking HubSpot");
    match find_landed_meeting(state, booking).await {
        Ok(Some(found)) => {
            tracing::info!(booking_id = %booking.id, "timed-out booking had landed");
            return Ok(Some(found));
        }
        Ok(None) => {}
        Err(error) => {
            tracing::warn!(booking_id = %booking.id, error = %error, "could not check a timed-out booking");
            return Ok(None);
        }
    }
    match state.hubspot.book(workspace_id, request).await {
        Ok(response) => Ok(Some(response)),
        Err(HubSpotError::Timeout { .. }) => Ok(None),
        Err(error) => Err(error),
    }
}

async fn find_landed_meeting(state: &AppState, booking: &Booking) -> Result<Option<BookingResponse>, HubSpotError> {
    let workspace_id = &booking.workspace_id;
    let Some(contact) = state.hubspot.get_contact_by_email(workspace_id, &booking.email, &["email"]).await? else {
        return Ok(None);
    };
    let associated = state
        .hubspot
        .read_associations(workspace_id, CrmObject::Contacts, &contact.id, CrmObject::Meetings)
        .await?;
    if associated.is_empty() {
        return Ok(None);
    }
    let ids: Vec<String> = associated.iter().map(|record| record.to_object_id.clone()).collect();
    let meetings = state.hubspot.batch_read(workspace_id, CrmObject::Meetings, &ids, &MEETING_PROPERTIES).await?;
    let found = meetings.into_iter().find(|meeting| {
        meeting
            .properties
            .get("hs_meeting_start_time")
            .and_then(|value| parse_instant_ms(value))
            == Some(booking.start_at)
    });
    Ok(found.map(|meeting| {
        let start = chrono::DateTime::from_timestamp_millis(booking.start_at).unwrap_or_default();
        // NOTE: the calendar event id cannot be read after a timeout, so the
        // meeting's CRM id is stored in its place. It marks the booking as
        // on a calendar, because only such bookings log a meeting.
        BookingResponse {
            calendar_event_id: meeting.id.clone(),
            contact_id: contact.id.clone(),
            start,
            end: start + chrono::Duration::milliseconds(booking.duration_ms),
            duration: booking.duration_ms,
            booking_timezone: booking.time_zone.clone(),
            subject: meeting.properties.get("hs_meeting_title").cloned().unwrap_or_default(),
            is_offline: false,
            guest_emails: Vec::new(),
            form_fields: Vec::new(),
            legal_consent_responses: Vec::new(),
            locale: None,
            location: None,
            web_conference_meeting_id: None,
            web_conference_url: None,
        }
    }))
}

/// Reads an instant given as epoch milliseconds or ISO 8601.
fn parse_instant_ms(value: &str) -> Option<i64> {
    value.parse::<i64>().ok().or_else(|| {
        chrono::DateTime::parse_from_rfc3339(value).ok().map(|instant| instant.timestamp_millis())
    })
}
