//! The meetings scheduler: meeting links, booking info, computed
//! availability and bookings.

mod availability;
mod booking;
mod checks;
mod engagement;
mod handlers;
mod model;
mod render;
mod seed;

use actix_web::{HttpResponse, web};
use serde_json::json;

use model::{Booking, Link, User};

/// Seeded users, links and the meetings booked on them.
#[derive(Debug)]
pub(crate) struct Scheduler {
    users: Vec<User>,
    links: Vec<Link>,
    bookings: Vec<Booking>,
}

impl Scheduler {
    /// Builds the seeded portal's scheduler, with busy times placed after `now_ms`.
    pub(crate) fn seeded(now_ms: i64) -> Self {
        Self {
            users: seed::users(now_ms),
            links: seed::links(now_ms),
            bookings: Vec::new(),
        }
    }

    fn link_by_slug(&self, slug: &str) -> Option<&Link> {
        self.links.iter().find(|link| link.slug == slug)
    }

    fn user(&self, user_id: &str) -> Option<&User> {
        self.users.iter().find(|user| user.user_id == user_id)
    }

    /// Returns the link's pool members, in pool order.
    fn members<'a, 'b>(&'a self, link: &'b Link) -> impl Iterator<Item = &'a User> + 'b
    where
        'a: 'b,
    {
        link.member_ids.iter().filter_map(|id| self.user(id))
    }

    /// Checks whether every member of the link is offline.
    fn is_offline(&self, link: &Link) -> bool {
        self.members(link).all(|user| user.offline)
    }

    /// Forgets every booked meeting.
    pub(crate) fn clear_bookings(&mut self) {
        self.bookings.clear();
    }
}

/// Registers the scheduler routes, numbered and dated.
pub(crate) fn configure(config: &mut web::ServiceConfig) {
    for prefix in [
        "/scheduler/v3/meetings/meeting-links",
        "/scheduler/2026-03/meetings/meeting-links",
    ] {
        config
            .route(prefix, web::get().to(handlers::list_meeting_links))
            .route(
                &format!("{prefix}/book"),
                web::post().to(booking::book_meeting),
            )
            .route(
                &format!("{prefix}/book/availability-page/{{slug:.*}}"),
                web::get().to(handlers::get_availability_page),
            )
            .route(
                &format!("{prefix}/book/{{slug:.*}}"),
                web::get().to(handlers::get_booking_info),
            );
    }
}

/// Query of `GET /_sandbox/meetings`.
#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct MeetingsQuery {
    /// Portal whose meetings to list; the first portal when absent.
    portal_id: Option<u64>,
}

/// `GET /_sandbox/meetings`: every meeting booked in one portal, oldest first.
pub(crate) async fn list_booked_meetings(
    sandbox: web::Data<crate::sandbox::state::SharedSandbox>,
    query: web::Query<MeetingsQuery>,
) -> Result<HttpResponse, crate::sandbox::errors::ApiError> {
    let portal_id = query.portal_id.unwrap_or(crate::sandbox::PORTAL_ID);
    if sandbox.portal(portal_id).is_none() {
        return Err(crate::sandbox::errors::ApiError::validation(format!(
            "portal_id {portal_id} is not a seeded portal"
        )));
    }
    let world = sandbox.world(portal_id);
    let meetings: Vec<serde_json::Value> = world
        .scheduler
        .bookings
        .iter()
        .map(|booking| {
            let mut value = serde_json::to_value(booking).expect("a booking serializes");
            value["start"] = json!(crate::sandbox::ids::iso_ms(booking.start_ms));
            value["end"] = json!(crate::sandbox::ids::iso_ms(booking.end_ms));
            value
        })
        .collect();
    Ok(HttpResponse::Ok().json(json!({ "meetings": meetings })))
}
