//! Read endpoints of the scheduler: link list, booking info, availability.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use chrono_tz::Tz;
use serde::Deserialize;
use serde_json::{Value, json};

use super::model::{Link, LinkType};
use super::render::{branding, busy_times, custom_params, link_availability, link_metadata};
use crate::sandbox::auth;
use crate::sandbox::errors::ApiError;
use crate::sandbox::ids;
use crate::sandbox::state::SharedSandbox;

/// Scope that reads meeting links.
pub(crate) const READ_SCOPE: &str = "scheduler.meetings.meeting-link.read";
/// Maximum links per page.
const MAX_LIMIT: usize = 100;

/// Builds the 404 for an unknown slug.
pub(crate) fn unknown_slug() -> ApiError {
    ApiError::new(
        StatusCode::NOT_FOUND,
        "OBJECT_NOT_FOUND",
        "slug does not exist",
    )
}

/// Decodes a slug from the path; `sales-team%2Fdemo` and `sales-team/demo`
/// both name the same link.
fn decode_slug(raw: &str) -> String {
    percent_decode(raw)
}

fn percent_decode(text: &str) -> String {
    url::form_urlencoded::parse(format!("s={}", text.replace('+', "%2B")).as_bytes())
        .next()
        .map(|(_, value)| value.into_owned())
        .unwrap_or_else(|| text.to_string())
}

/// Parses the required `timezone` query parameter.
fn parse_timezone(value: Option<&str>) -> Result<Tz, ApiError> {
    let text = value.filter(|text| !text.is_empty()).ok_or_else(|| {
        ApiError::validation("timezone is required; send an IANA time zone such as Europe/Madrid")
    })?;
    text.parse::<Tz>()
        .map_err(|_| ApiError::validation(format!("timezone {text} is not a valid IANA time zone")))
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct ListQuery {
    limit: Option<usize>,
    after: Option<String>,
    name: Option<String>,
    organizer_user_id: Option<String>,
    #[serde(rename = "type")]
    link_type: Option<String>,
}

fn filter_matches(link: &Link, query: &ListQuery, link_type: Option<LinkType>) -> bool {
    let name_matches = query
        .name
        .as_deref()
        .is_none_or(|name| link.name.to_lowercase().contains(&name.to_lowercase()));
    let organizer_matches = query
        .organizer_user_id
        .as_deref()
        .is_none_or(|id| link.organizer_user_id == id);
    let type_matches = link_type.is_none_or(|wanted| link.link_type == wanted);
    name_matches && organizer_matches && type_matches
}

/// `GET /scheduler/v3/meetings/meeting-links`.
pub(crate) async fn list_meeting_links(
    sandbox: web::Data<SharedSandbox>,
    request: HttpRequest,
    query: web::Query<ListQuery>,
) -> Result<HttpResponse, ApiError> {
    let principal = auth::require_any(&request, &[READ_SCOPE])?;
    let limit = query.limit.unwrap_or(10);
    if limit == 0 || limit > MAX_LIMIT {
        return Err(ApiError::validation(format!(
            "limit must be between 1 and {MAX_LIMIT}"
        )));
    }
    let offset: usize = match &query.after {
        Some(after) => after.parse().map_err(|_| {
            ApiError::validation(format!("after {after} is not a valid paging cursor"))
        })?,
        None => 0,
    };
    let link_type = match query.link_type.as_deref() {
        Some(text) => Some(LinkType::parse(text).ok_or_else(|| {
            ApiError::validation(format!(
                "type {text} is not one of PERSONAL_LINK, GROUP_CALENDAR, ROUND_ROBIN_CALENDAR"
            ))
        })?),
        None => None,
    };
    let world = sandbox.world(principal.portal_id);
    let matching: Vec<&Link> = world
        .scheduler
        .links
        .iter()
        .filter(|link| filter_matches(link, &query, link_type))
        .collect();
    let results: Vec<Value> = matching
        .iter()
        .skip(offset)
        .take(limit)
        .map(|link| link_metadata(link))
        .collect();
    let mut body = json!({ "total": matching.len(), "results": results });
    if offset + limit < matching.len() {
        let after = (offset + limit).to_string();
        let next_link = format!(
            "{}{}?limit={limit}&after={after}",
            sandbox.base_url,
            request.path()
        );
        body["paging"] = json!({ "next": { "after": after, "link": next_link } });
    }
    Ok(HttpResponse::Ok().json(body))
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct PageQuery {
    timezone: Option<String>,
    month_offset: Option<i32>,
}

/// `GET .../meeting-links/book/{slug}?timezone=`.
pub(crate) async fn get_booking_info(
    sandbox: web::Data<SharedSandbox>,
    request: HttpRequest,
    slug: web::Path<String>,
    query: web::Query<PageQuery>,
) -> Result<HttpResponse, ApiError> {
    let principal = auth::require_any(&request, &[READ_SCOPE])?;
    let slug = decode_slug(&slug);
    let time_zone = parse_timezone(query.timezone.as_deref())?;
    let world = sandbox.world(principal.portal_id);
    let scheduler = &world.scheduler;
    let link = scheduler.link_by_slug(&slug).ok_or_else(unknown_slug)?;
    let now = ids::now_ms();
    Ok(HttpResponse::Ok().json(json!({
        "linkId": link.id,
        "linkType": link.link_type.as_str(),
        "isOffline": scheduler.is_offline(link),
        "customParams": custom_params(scheduler, link),
        "allUsersBusyTimes": busy_times(scheduler, link),
        "linkAvailability": link_availability(scheduler, link, time_zone, 0, now),
        "brandingMetadata": branding(world.hub_domain),
    })))
}

/// `GET .../meeting-links/book/availability-page/{slug}?timezone=&monthOffset=`.
pub(crate) async fn get_availability_page(
    sandbox: web::Data<SharedSandbox>,
    request: HttpRequest,
    slug: web::Path<String>,
    query: web::Query<PageQuery>,
) -> Result<HttpResponse, ApiError> {
    let principal = auth::require_any(&request, &[READ_SCOPE])?;
    let slug = decode_slug(&slug);
    let time_zone = parse_timezone(query.timezone.as_deref())?;
    let month_offset = query.month_offset.unwrap_or(0);
    if !(0..=24).contains(&month_offset) {
        return Err(ApiError::validation(format!(
            "monthOffset {month_offset} is out of range (0 to 24)"
        )));
    }
    let world = sandbox.world(principal.portal_id);
    let scheduler = &world.scheduler;
    let link = scheduler.link_by_slug(&slug).ok_or_else(unknown_slug)?;
    let now = ids::now_ms();
    Ok(HttpResponse::Ok().json(json!({
        "allUsersBusyTimes": busy_times(scheduler, link),
        "linkAvailability": link_availability(scheduler, link, time_zone, month_offset, now),
    })))
}
