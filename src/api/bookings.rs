//! `GET /api/v1/bookings`: the workspace's recent bookings with the push
//! outcome of each booker.

use std::collections::HashMap;

use actix_web::{HttpResponse, web};
use serde::{Deserialize, Serialize};

use crate::api::auth::AdminWorkspace;
use crate::error::ApiError;
use crate::startup::AppState;
use crate::storage::bookings::Booking;
use crate::storage::visitors::VisitorRecord;

const DEFAULT_LIMIT: i64 = 50;
const MAX_LIMIT: i64 = 200;

/// Query of the bookings list.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BookingsQuery {
    /// Page size, 1 to 200.
    limit: Option<i64>,
    /// `next_cursor` of the previous page.
    cursor: Option<i64>,
}

#[derive(Serialize)]
struct BookingView<'a> {
    #[serde(flatten)]
    booking: &'a Booking,
    start: String,
    end: String,
    push_status: Option<String>,
    push_error: Option<String>,
}

/// `GET /api/v1/bookings?limit=&cursor=`, newest first.
pub async fn list_bookings(
    workspace: AdminWorkspace,
    query: web::Query<BookingsQuery>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let limit = query.limit.unwrap_or(DEFAULT_LIMIT);
    if !(1..=MAX_LIMIT).contains(&limit) {
        return Err(ApiError::invalid("limit", format!("limit must be between 1 and {MAX_LIMIT}")));
    }
    let bookings = state.db.recent_bookings(&workspace.0.id, limit, query.cursor).await?;
    let visitor_ids: Vec<String> = bookings.iter().filter_map(|booking| booking.visitor_id.clone()).collect();
    let visitors: HashMap<String, VisitorRecord> = state
        .db
        .visitors_by_ids(&workspace.0.id, &visitor_ids)
        .await?
        .into_iter()
        .map(|visitor| (visitor.id.clone(), visitor))
        .collect();

    let views: Vec<BookingView> = bookings
        .iter()
        .map(|booking| {
            let visitor = booking.visitor_id.as_ref().and_then(|id| visitors.get(id));
            let start = chrono::DateTime::from_timestamp_millis(booking.start_at).unwrap_or_default();
            let end = start + chrono::Duration::milliseconds(booking.duration_ms);
            BookingView {
                booking,
                start: crate::catalogue::slots::format_utc(start),
                end: crate::catalogue::slots::format_utc(end),
                push_status: visitor.map(|visitor| visitor.push_status.clone()),
                push_error: visitor.and_then(|visitor| visitor.last_error.clone()),
            }
        })
        .collect();
    let next_cursor = (bookings.len() as i64 == limit).then(|| bookings.last().map(|b| b.created_at)).flatten();
    Ok(HttpResponse::Ok().json(serde_json::json!({ "bookings": views, "next_cursor": next_cursor })))
}
