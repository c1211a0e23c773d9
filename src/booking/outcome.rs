//! The HubSpot booking request, and the handling of HubSpot's response.

use chrono::DateTime;
use chrono_tz::Tz;

use super::slot_unavailable;
use crate::catalogue::LinkDetails;
use crate::catalogue::slots::format_utc;
use crate::hubspot::HubSpotError;
use crate::hubspot::meetings::{BookingRequest, BookingResponse, ConsentResponse, FormFieldAnswer};
use crate::startup::AppState;
use crate::storage::bookings::{Booking, BookingConfirmation, BookingStatus};
use crate::storage::widget_sessions::WidgetSession;
use crate::widget_session::hub::SlotsTaken;
use crate::widget_session::protocol::{BookFrame, BookingConfirmed, ErrorFrame, ServerFrame};

/// HubSpot sub-categories that mean the slot is no longer bookable.
const SLOT_GONE: [&str; 2] = [
    "MeetingsBookingSchedulingError.MEETING_TIME_NOT_AVAILABLE",
    "MeetingsBookingSchedulingError.MEETING_START_TIME_NOT_VALID",
];

/// Builds the booking request in HubSpot's units: `duration` in milliseconds,
/// `startTime` as an ISO 8601 instant, the slug as-is.
pub fn hubspot_request(
    booking: &Booking,
    frame: &BookFrame,
    answers: &[(String, String)],
    details: &LinkDetails,
) -> BookingRequest {
    let start = DateTime::from_timestamp_millis(booking.start_at).unwrap_or_default();
    BookingRequest {
        slug: booking.slug.clone(),
        first_name: booking.first_name.clone(),
        last_name: booking.last_name.clone(),
        email: booking.email.clone(),
        start_time: start,
        duration: booking.duration_ms,
        timezone: Some(booking.time_zone.clone()),
        locale: Some(booking.locale.to_lowercase()),
        likely_available_user_ids: details.online_host_ids(),
        form_fields: answers
            .iter()
            .map(|(name, value)| FormFieldAnswer { name: name.clone(), value: value.clone() })
            .collect(),
        legal_consent_responses: frame
            .consents
            .iter()
            .map(|consent| ConsentResponse {
                communication_type_id: consent.communication_type_id.clone(),
                consented: consent.consented,
            })
            .collect(),
        guest_emails: Vec::new(),
    }
}

/// Stores the outcome of the HubSpot call and returns the frames for the
/// visitor.
pub async fn settle(
    state: &AppState,
    session: &WidgetSession,
    booking: &Booking,
    details: &LinkDetails,
    zone: Tz,
    request: &BookingRequest,
    result: Result<BookingResponse, HubSpotError>,
) -> anyhow::Result<Vec<ServerFrame>> {
    let workspace_id = &booking.workspace_id;
    let now = state.clock.now_ms();
    let error_frame = |mut error: ErrorFrame| {
        error.idempotency_key = Some(booking.idempotency_key.clone());
        vec![ServerFrame::Error(error)]
    };
    let result = match result {
        Err(HubSpotError::Timeout { request_sent: true }) => {
            super::reconcile::after_timeout(state, booking, request).await
        }
        other => other.map(Some),
    };
    match result {
        Ok(Some(response)) => confirm(state, session, booking, &response).await,
        Ok(None) => {
            let message = "HubSpot did not answer in time and the booking could not be verified; \
                           check your email for a confirmation before booking again.";
            state.db.finish_booking_unconfirmed(&booking.id, BookingStatus::Unknown, message, now).await?;
            tracing::warn!(booking_id = %booking.id, "booking outcome unknown after a timeout");
            Ok(error_frame(ErrorFrame::new("booking_failed", message)))
        }
        Err(error) if is_slot_gone(&error) => {
            state.db.finish_booking_unconfirmed(&booking.id, BookingStatus::Failed, "slot taken", now).await?;
            tracing::info!(booking_id = %booking.id, "slot taken before booking");
            state.slots_hub.publish(SlotsTaken {
                workspace_id: workspace_id.clone(),
                slug: booking.slug.clone(),
                removed: vec![format_utc(request.start_time)],
            });
            Ok(slot_unavailable(state, workspace_id, &booking.slug, booking.duration_ms, zone, &booking.idempotency_key).await)
        }
        Err(error) => {
            let frame = rejection_frame(&error, details);
            state.db.finish_booking_unconfirmed(&booking.id, BookingStatus::Failed, &frame.message, now).await?;
            tracing::warn!(booking_id = %booking.id, error = %error, "HubSpot rejected the booking");
            Ok(error_frame(frame))
        }
    }
}

async fn confirm(
    state: &AppState,
    session: &WidgetSession,
    booking: &Booking,
    response: &BookingResponse,
) -> anyhow::Result<Vec<ServerFrame>> {
    let workspace_id = &booking.workspace_id;
    let confirmation = BookingConfirmation {
        portal_id: state.hubspot.current_portal_id(workspace_id).await.ok().flatten(),
        contact_id: Some(response.contact_id.clone()).filter(|id| !id.is_empty()),
        calendar_event_id: Some(response.calendar_event_id.clone()).filter(|id| !id.is_empty()),
        is_offline: !response.is_on_calendar(),
        subject: Some(response.subject.clone()),
    };
    let visitor_id = super::visitor::record_booker(state, session, booking).await?;
    let push = super::visitor::booker_push(booking, &visitor_id);
    let push_job_id = state.db.confirm_booking(&booking.id, &confirmation, &push, state.clock.now_ms()).await?;
    tracing::info!(
        booking_id = %booking.id,
        workspace_id,
        visitor_id,
        push_job_id,
        on_calendar = !confirmation.is_offline,
        "meeting booked"
    );
    super::visitor::after_confirmation(state, booking, &visitor_id).await;

    state.catalogue.invalidate(workspace_id, &booking.slug).await;
    let start = DateTime::from_timestamp_millis(booking.start_at).unwrap_or_default();
    state.slots_hub.publish(SlotsTaken {
        workspace_id: workspace_id.clone(),
        slug: booking.slug.clone(),
        removed: vec![format_utc(start)],
    });
    let stored = state
        .db
        .booking(workspace_id, &booking.id)
        .await?
        .ok_or_else(|| anyhow::anyhow!("confirmed booking row vanished"))?;
    Ok(vec![ServerFrame::BookingConfirmed(confirmation_frame(&stored))])
}

fn is_slot_gone(error: &HubSpotError) -> bool {
    match error {
        HubSpotError::Validation { sub_category: Some(sub), .. } => SLOT_GONE.contains(&sub.as_str()),
        _ => false,
    }
}

/// Builds the error frame for a booking HubSpot rejected for a reason
/// other than a taken slot.
fn rejection_frame(error: &HubSpotError, details: &LinkDetails) -> ErrorFrame {
    match error {
        HubSpotError::ReconnectRequired | HubSpotError::MissingScopes { .. } => ErrorFrame::new(
            "booking_unavailable",
            "Booking is unavailable right now because the site's HubSpot account needs to be reconnected.",
        ),
        HubSpotError::NotFound => ErrorFrame::new("meeting_type_offline", "This meeting type is no longer offered."),
        other => {
            let text = other.to_string();
            if text.contains("INVALID_EMAIL") && !text.contains("GUESTS") {
                return ErrorFrame::invalid_field("email", "HubSpot does not accept this email address; use your work email.");
            }
            if let Some(field) = details.form.fields.iter().find(|field| text.contains(&format!("form field {}", field.name))) {
                return ErrorFrame::invalid_field(format!("answers.{}", field.name), format!("{} is required", field.label));
            }
            ErrorFrame::new("booking_failed", "HubSpot could not book this meeting; try again or pick another time.")
        }
    }
}

/// Builds the `booking_confirmed` frame of a stored booking.
pub fn confirmation_frame(booking: &Booking) -> BookingConfirmed {
    let start = DateTime::from_timestamp_millis(booking.start_at).unwrap_or_default();
    let end = DateTime::from_timestamp_millis(booking.start_at + booking.duration_ms).unwrap_or_default();
    let (local_date, local_time) = super::local_parts(booking.start_at, &booking.time_zone);
    BookingConfirmed {
        idempotency_key: booking.idempotency_key.clone(),
        booking_id: booking.id.clone(),
        meeting_type_id: booking.slug.clone(),
        meeting_name: booking.meeting_name.clone(),
        start: format_utc(start),
        end: format_utc(end),
        time_zone: booking.time_zone.clone(),
        local_date,
        local_time,
        on_calendar: !booking.is_offline,
    }
}
