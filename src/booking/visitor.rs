//! The booker as a visitor: stored, pushed to HubSpot through the shared
//! upsert path, and offered to workflows.

use crate::domain::Email;
use crate::startup::AppState;
use crate::storage::bookings::Booking;
use crate::push_queue::{NewPush, PushReason};
use crate::storage::push_jobs::NewPushJob;
use crate::storage::widget_sessions::WidgetSession;

/// Finds or creates the booker's visitor by email and ties the widget
/// session to it. Returns the visitor id.
pub async fn record_booker(
    state: &AppState,
    session: &WidgetSession,
    booking: &Booking,
) -> anyhow::Result<String> {
    let email = Email::parse(&booking.email).map_err(|message| anyhow::anyhow!("stored booking email: {message}"))?;
    let visitor_id = state
        .db
        .upsert_visitor_from_booking(
            &booking.workspace_id,
            &booking.site_id,
            &email,
            &booking.first_name,
            &booking.last_name,
            None,
            state.clock.now_ms(),
        )
        .await?;
    let mut session = session.clone();
    session.visitor_id = Some(visitor_id.clone());
    state.db.touch_widget_session(&session, state.clock.now_ms()).await?;
    Ok(visitor_id)
}

/// Builds the booker's push row, recorded with the confirmation.
pub fn booker_push(booking: &Booking, visitor_id: &str) -> NewPushJob {
    let push = NewPush {
        workspace_id: booking.workspace_id.clone(),
        visitor_id: visitor_id.to_string(),
        reason: PushReason::Booking,
        booking_id: Some(booking.id.clone()),
        bulk_job_id: None,
    };
    push.to_row()
}

/// Wakes the push workers for the booker's push and runs the workflows.
/// Failures are logged: the booking is stored and confirmed either way.
pub async fn after_confirmation(state: &AppState, booking: &Booking, visitor_id: &str) {
    state.push_queue.wake();
    if let Err(error) = crate::workflows::evaluate_visitor(state, &booking.workspace_id, visitor_id, "booking").await {
        tracing::error!(booking_id = %booking.id, visitor_id, error = %error, "workflow evaluation after a booking failed");
    }
}
