//! The meetings catalogue: meeting links and their availability, read from
//! HubSpot through two moka caches.
//!
//! - `links`: the portal's meeting links, per workspace.
//! - `details`: one link's booking info and availability, per workspace and
//!   slug, fetched in UTC so that visitors in every zone share one entry.
//!
//! Both use `try_get_with`, so however many widgets miss the same key at
//! once, one HubSpot call fills it. A booking, or a "slot taken" response,
//! invalidates that link's `details` entry.

mod details;
pub mod slots;

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use futures_util::future::join_all;
use moka::future::Cache;

pub use details::{Host, LinkDetails, LinkStatus, OfflineReason};

use crate::clock::Clock;
use crate::hubspot::{HubSpot, HubSpotError};
use crate::widget_session::protocol::{ErrorFrame, MeetingTypeView, ServerFrame, SlotsView};

/// Most links the catalogue reads per workspace; a portal with more shows
/// the first ones.
const MAX_LINKS: usize = 100;

type DetailsKey = (String, String);

/// Cached meeting types and availability of every workspace.
#[derive(Clone)]
pub struct Catalogue {
    hubspot: HubSpot,
    clock: Clock,
    links: Cache<String, Arc<Vec<LinkSummary>>>,
    details: Cache<DetailsKey, Arc<LinkDetails>>,
}

impl std::fmt::Debug for Catalogue {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter
            .debug_struct("Catalogue")
            .field("links", &self.links.entry_count())
            .field("details", &self.details.entry_count())
            .finish()
    }
}

/// A meeting link as listed, before its details are read.
#[derive(Debug, Clone)]
pub struct LinkSummary {
    pub slug: String,
    pub name: String,
}

impl Catalogue {
    /// Creates a catalogue whose entries live for the given lifetimes.
    pub fn new(hubspot: HubSpot, clock: Clock, links_ttl: Duration, details_ttl: Duration) -> Self {
        Self {
            hubspot,
            clock,
            links: Cache::builder().time_to_live(links_ttl).max_capacity(10_000).build(),
            details: Cache::builder()
                .time_to_live(details_ttl)
                .max_capacity(100_000)
                .support_invalidation_closures()
                .build(),
        }
    }

    /// Returns the workspace's meeting links, one HubSpot call per cache fill.
    pub async fn links(&self, workspace_id: &str) -> Result<Arc<Vec<LinkSummary>>, Arc<HubSpotError>> {
        let hubspot = self.hubspot.clone();
        let owned_id = workspace_id.to_string();
        self.links
            .try_get_with(workspace_id.to_string(), async move {
                let links = hubspot.list_meeting_links(&owned_id).await?;
                let summaries = links
                    .into_iter()
                    .take(MAX_LINKS)
                    .map(|link| LinkSummary { name: link.name.clone().unwrap_or_else(|| link.slug.clone()), slug: link.slug })
                    .collect();
                Ok::<_, HubSpotError>(Arc::new(summaries))
            })
            .await
    }

    /// Returns one link's booking info and availability. A link HubSpot no longer
    /// serves is cached as offline; other failures are not cached.
    pub async fn details(
        &self,
        workspace_id: &str,
        slug: &str,
        name: &str,
    ) -> Result<Arc<LinkDetails>, Arc<HubSpotError>> {
        let key = (workspace_id.to_string(), slug.to_string());
        let hubspot = self.hubspot.clone();
        let (owned_workspace, owned_slug, owned_name) =
            (workspace_id.to_string(), slug.to_string(), name.to_string());
        let now = self.clock.now();
        self.details
            .try_get_with(key, async move {
                details::fetch(&hubspot, &owned_workspace, &owned_slug, &owned_name, now)
                    .await
                    .map(Arc::new)
            })
            .await
    }

    /// Drops the cached availability of one link so the next read is fresh.
    pub async fn invalidate(&self, workspace_id: &str, slug: &str) {
        self.details.invalidate(&(workspace_id.to_string(), slug.to_string())).await;
    }

    /// Drops everything cached for a workspace, after a connect or
    /// disconnect.
    pub async fn invalidate_workspace(&self, workspace_id: &str) {
        self.links.invalidate(workspace_id).await;
        let workspace_id = workspace_id.to_string();
        // Fails only when closures were not enabled on the builder, as they are.
        if let Err(error) = self.details.invalidate_entries_if(move |key, _| key.0 == workspace_id) {
            tracing::warn!(error = %error, "dropping all cached availability instead of one workspace's");
            self.details.invalidate_all();
        }
    }

    /// Lists every meeting type of the workspace as the widget shows it, offline
    /// ones included with their reason.
    pub async fn meeting_types(&self, workspace_id: &str) -> Vec<MeetingTypeView> {
        let links = match self.links(workspace_id).await {
            Ok(links) => links,
            Err(error) => {
                tracing::warn!(workspace_id, error = %error, "failed to list meeting links");
                return Vec::new();
            }
        };
        let lookups = links.iter().map(|link| async move {
            match self.details(workspace_id, &link.slug, &link.name).await {
                Ok(details) => details.view(self.clock.now()),
                Err(error) => {
                    tracing::warn!(workspace_id, error = %error, "failed to read a meeting link");
                    LinkDetails::unreachable_view(&link.slug, &link.name)
                }
            }
        });
        join_all(lookups).await
    }

    /// Returns the link's details when `slug` is one of the workspace's links.
    pub async fn find(
        &self,
        workspace_id: &str,
        slug: &str,
    ) -> Result<Option<Arc<LinkDetails>>, Arc<HubSpotError>> {
        let links = self.links(workspace_id).await?;
        let Some(link) = links.iter().find(|link| link.slug == slug) else {
            return Ok(None);
        };
        self.details(workspace_id, slug, &link.name).await.map(Some)
    }

    /// Builds the `slots` frame for one meeting type in the visitor's zone, or the
    /// error frame that explains why there is none.
    pub async fn slots_frame(
        &self,
        workspace_id: &str,
        slug: &str,
        duration_ms: Option<i64>,
        zone: Tz,
    ) -> ServerFrame {
        let details = match self.find(workspace_id, slug).await {
            Ok(Some(details)) => details,
            Ok(None) => {
                let message = format!("meeting type `{slug}` does not exist");
                return ServerFrame::Error(ErrorFrame::invalid_field("meeting_type_id", message));
            }
            Err(error) => {
                tracing::warn!(workspace_id, error = %error, "failed to read availability");
                return ServerFrame::Error(unreachable_error());
            }
        };
        match self.slots_view(&details, duration_ms, zone) {
            Ok(view) => ServerFrame::Slots(view),
            Err(error) => ServerFrame::Error(error),
        }
    }

    /// Builds the `slots` view of cached details.
    pub fn slots_view(
        &self,
        details: &LinkDetails,
        duration_ms: Option<i64>,
        zone: Tz,
    ) -> Result<SlotsView, ErrorFrame> {
        if let LinkStatus::Offline(reason) = details.status(self.clock.now()) {
            return Err(ErrorFrame::new("meeting_type_offline", reason.message()));
        }
        let duration = duration_ms.or_else(|| details.durations_ms.first().copied()).unwrap_or(0);
        let Some(starts) = details.slots.get(&duration) else {
            let message = format!(
                "duration_ms {duration} is not offered by this meeting type; choose one of {:?}",
                details.durations_ms
            );
            return Err(ErrorFrame::invalid_field("duration_ms", message));
        };
        Ok(SlotsView {
            meeting_type_id: details.slug.clone(),
            duration_ms: duration,
            time_zone: zone.name().to_string(),
            days: slots::group_by_local_day(starts, zone, self.clock.now()),
            form: details.form.clone(),
        })
    }

    /// Whether `start` is still offered for `duration_ms` in cached details.
    pub fn is_offered(details: &LinkDetails, duration_ms: i64, start: DateTime<Utc>) -> bool {
        details.slots.get(&duration_ms).is_some_and(|starts| starts.contains(&start))
    }
}

fn unreachable_error() -> ErrorFrame {
    ErrorFrame::new(
        "meeting_type_offline",
        OfflineReason::HubSpotUnavailable.message(),
    )
}
