//! Booking a meeting from the widget: validation, idempotency, the HubSpot
//! call, and what follows a confirmed booking (visitor, push, live slots).
//!
//! The order matters. The idempotency key is looked up before the slot is
//! checked, so a resent key after success returns the confirmation instead
//! of "slot taken". The pending row is written before HubSpot is called, so
//! a second request with the same key never books twice.

mod outcome;
mod reconcile;
mod visitor;
pub mod validate;

use std::time::Duration;

use chrono::DateTime;
use chrono_tz::Tz;

use crate::catalogue::{Catalogue, LinkStatus};
use crate::storage::bookings::{Booking, BookingStatus, InsertedBooking, NewBooking};
use crate::storage::widget_sessions::WidgetSession;
use crate::storage::workspaces::Site;
use crate::startup::AppState;
use crate::widget_session::protocol::{BookFrame, BookingConfirmed, ErrorFrame, ServerFrame};

pub use outcome::confirmation_frame;

/// How long a resent key waits for the first attempt still in flight.
const IN_FLIGHT_WAIT: Duration = Duration::from_secs(20);
/// Interval at which a resent key re-reads the first attempt's row.
const IN_FLIGHT_POLL: Duration = Duration::from_millis(200);

/// Handles a `book` frame and returns the frames to send back.
pub async fn book_from_widget(
    state: &AppState,
    site: &Site,
    session: &WidgetSession,
    frame: BookFrame,
) -> Vec<ServerFrame> {
    match book(state, site, session, &frame).await {
        Ok(frames) => frames,
        Err(error) => {
            let reference = crate::telemetry::new_request_id();
            tracing::error!(error = ?error, reference = %reference, site_id = %site.id, "booking failed with an internal error");
            let mut frame_error = ErrorFrame::new(
                "internal",
                format!("The booking could not be completed (reference {reference}); try again."),
            );
            frame_error.idempotency_key = Some(frame.idempotency_key.clone());
            vec![ServerFrame::Error(frame_error)]
        }
    }
}

async fn book(
    state: &AppState,
    site: &Site,
    session: &WidgetSession,
    frame: &BookFrame,
) -> anyhow::Result<Vec<ServerFrame>> {
    let with_key = |mut error: ErrorFrame| {
        error.idempotency_key = Some(frame.idempotency_key.clone());
        vec![ServerFrame::Error(error)]
    };
    let checked = match validate::check_fields(frame) {
        Ok(checked) => checked,
        Err(error) => return Ok(with_key(error)),
    };
    let workspace_id = &site.workspace_id;

    if let Some(existing) = state.db.booking_by_idempotency_key(workspace_id, &checked.idempotency_key).await? {
        return Ok(replay(state, existing).await?);
    }
    if !state.hubspot_connected(workspace_id).await {
        return Ok(with_key(ErrorFrame::new(
            "booking_unavailable",
            "Booking is unavailable right now because the site's HubSpot account is not connected.",
        )));
    }
    let zone: Tz = session.time_zone.parse().map_err(|_| anyhow::anyhow!("stored zone is invalid"))?;
    let details = match state.catalogue.find(workspace_id, &checked.slug).await {
        Ok(Some(details)) => details,
        Ok(None) => {
            return Ok(with_key(ErrorFrame::invalid_field(
                "meeting_type_id",
                format!("meeting type `{}` does not exist", checked.slug),
            )));
        }
        Err(error) => {
            tracing::warn!(workspace_id, error = %error, "availability unreadable before booking");
            return Ok(with_key(ErrorFrame::new("meeting_type_offline", "Availability could not be loaded; try again shortly.")));
        }
    };
    if let LinkStatus::Offline(reason) = details.status(state.clock.now()) {
        return Ok(with_key(ErrorFrame::new("meeting_type_offline", reason.message())));
    }
    if !details.durations_ms.contains(&checked.duration_ms) {
        return Ok(with_key(ErrorFrame::invalid_field(
            "duration_ms",
            format!("duration_ms must be one of {:?}", details.durations_ms),
        )));
    }
    let answers = match validate::check_answers(frame, &details.form) {
        Ok(answers) => answers,
        Err(error) => return Ok(with_key(error)),
    };
    if !Catalogue::is_offered(&details, checked.duration_ms, checked.start) {
        return Ok(slot_unavailable(state, workspace_id, &checked.slug, checked.duration_ms, zone, &frame.idempotency_key).await);
    }

    let new = NewBooking {
        workspace_id: workspace_id.clone(),
        site_id: site.id.clone(),
        session_id: Some(session.id.clone()),
        idempotency_key: checked.idempotency_key.clone(),
        slug: checked.slug.clone(),
        meeting_name: details.name.clone(),
        start_at: checked.start.timestamp_millis(),
        duration_ms: checked.duration_ms,
        time_zone: session.time_zone.clone(),
        locale: session.locale.clone(),
        first_name: checked.first_name.clone(),
        last_name: checked.last_name.clone(),
        email: checked.email.clone(),
        answers: serde_json::to_value(&answers)?,
    };
    let booking = match state.db.insert_pending_booking(&new, state.clock.now_ms()).await? {
        InsertedBooking::Created(booking) => booking,
        InsertedBooking::Existing(existing) => return Ok(replay(state, existing).await?),
    };
    tracing::info!(booking_id = %booking.id, workspace_id, "booking sent to HubSpot");
    let request = outcome::hubspot_request(&booking, frame, &answers, &details);
    let result = state.hubspot.book(workspace_id, &request).await;
    outcome::settle(state, session, &booking, &details, zone, &request, result).await
}

/// Returns the first attempt's outcome for a resent idempotency key,
/// waiting a little while that attempt is still in flight.
async fn replay(state: &AppState, mut booking: Booking) -> anyhow::Result<Vec<ServerFrame>> {
    let deadline = tokio::time::Instant::now() + IN_FLIGHT_WAIT;
    while booking.status == BookingStatus::Pending && tokio::time::Instant::now() < deadline {
        tokio::time::sleep(IN_FLIGHT_POLL).await;
        booking = state
            .db
            .booking(&booking.workspace_id, &booking.id)
            .await?
            .ok_or_else(|| anyhow::anyhow!("booking row vanished"))?;
    }
    let mut error = match booking.status {
        BookingStatus::Confirmed => return Ok(vec![ServerFrame::BookingConfirmed(confirmation_frame(&booking))]),
        BookingStatus::Pending => ErrorFrame::new("booking_in_progress", "This booking is still being confirmed; wait for the result."),
        BookingStatus::Failed | BookingStatus::Unknown => ErrorFrame::new(
            "booking_failed",
            booking.error.clone().unwrap_or_else(|| "The booking did not go through.".into()),
        ),
    };
    error.idempotency_key = Some(booking.idempotency_key.clone());
    Ok(vec![ServerFrame::Error(error)])
}

/// The `slot_unavailable` error followed by fresh slots.
pub(crate) async fn slot_unavailable(
    state: &AppState,
    workspace_id: &str,
    slug: &str,
    duration_ms: i64,
    zone: Tz,
    idempotency_key: &str,
) -> Vec<ServerFrame> {
    state.catalogue.invalidate(workspace_id, slug).await;
    let mut error = ErrorFrame::new("slot_unavailable", "That time was just taken; please pick another one.");
    error.field = Some("start".into());
    error.idempotency_key = Some(idempotency_key.to_string());
    let slots = state.catalogue.slots_frame(workspace_id, slug, Some(duration_ms), zone).await;
    vec![ServerFrame::Error(error), slots]
}

/// The confirmation frame's local date and time.
pub(crate) fn local_parts(start_ms: i64, zone_name: &str) -> (String, String) {
    let zone: Tz = zone_name.parse().unwrap_or(Tz::UTC);
    let start = DateTime::from_timestamp_millis(start_ms).unwrap_or_default();
    crate::catalogue::slots::local_date_and_time(start, zone)
}

impl From<&Booking> for BookingConfirmed {
    fn from(booking: &Booking) -> Self {
        confirmation_frame(booking)
    }
}
