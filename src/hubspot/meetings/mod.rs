//! Meetings scheduler calls under `/scheduler/v3/meetings/meeting-links`.
//! Slugs are percent-encoded as one path segment in GET paths (a team slug
//! such as `sales-team/demo` becomes `sales-team%2Fdemo`) and sent raw in
//! the booking body.

mod models;

pub use models::*;

use super::HubSpot;
use super::error::HubSpotError;
use super::transport::ApiCall;

const LINKS: [&str; 4] = ["scheduler", "v3", "meetings", "meeting-links"];

/// Links per page asked for when listing.
const LINK_PAGE_SIZE: u32 = 100;

/// Upper bound on pages read, so a cursor that never ends cannot loop.
const MAX_LINK_PAGES: usize = 100;

fn links_path(rest: &[&str]) -> Vec<String> {
    LINKS
        .iter()
        .chain(rest)
        .map(|segment| segment.to_string())
        .collect()
}

impl HubSpot {
    /// Lists every meeting link of the workspace's portal, all pages.
    pub async fn list_meeting_links(
        &self,
        workspace_id: &str,
    ) -> Result<Vec<MeetingLink>, HubSpotError> {
        let mut links = Vec::new();
        let mut after: Option<String> = None;
        for _ in 0..MAX_LINK_PAGES {
            let mut call = ApiCall::get("meetings.list_links", &LINKS)
                .query("limit", LINK_PAGE_SIZE.to_string());
            if let Some(cursor) = &after {
                call = call.query("after", cursor.clone());
            }
            let page: MeetingLinkPage = self.call_json(workspace_id, &call).await?;
            links.extend(page.results);
            after = page
                .paging
                .and_then(|paging| paging.next)
                .map(|next| next.after);
            if after.is_none() {
                return Ok(links);
            }
        }
        tracing::warn!(
            workspace_id,
            pages = MAX_LINK_PAGES,
            "stopped listing meeting links at the page cap"
        );
        Ok(links)
    }

    /// Reads the booking form, settings, pool and first availability page
    /// of the link `slug`, with times for `time_zone` (an IANA name).
    pub async fn booking_info(
        &self,
        workspace_id: &str,
        slug: &str,
        time_zone: &str,
    ) -> Result<BookingInfo, HubSpotError> {
        let segments = links_path(&["book", slug]);
        let call = ApiCall::get("meetings.booking_info", &segments).query("timezone", time_zone);
        self.call_json(workspace_id, &call).await
    }

    /// Reads the bookable slots of `slug`, `month_offset` months from the
    /// current month.
    pub async fn availability_page(
        &self,
        workspace_id: &str,
        slug: &str,
        time_zone: &str,
        month_offset: u32,
    ) -> Result<AvailabilityPage, HubSpotError> {
        let segments = links_path(&["book", "availability-page", slug]);
        let call = ApiCall::get("meetings.availability_page", &segments)
            .query("timezone", time_zone)
            .query("monthOffset", month_offset.to_string());
        self.call_json(workspace_id, &call).await
    }

    /// Books a meeting. Never retried after the request was sent: on
    /// [`HubSpotError::Timeout`] with `request_sent` the meeting may exist,
    /// so re-read availability before offering the slot again.
    pub async fn book(
        &self,
        workspace_id: &str,
        request: &BookingRequest,
    ) -> Result<BookingResponse, HubSpotError> {
        let segments = links_path(&["book"]);
        let call = ApiCall::post("meetings.book", &segments, request);
        self.call_json(workspace_id, &call).await
    }
}
