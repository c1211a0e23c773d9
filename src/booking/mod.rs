//! Booking a meeting from the widget: validation, idempotency, the HubSpot call.
