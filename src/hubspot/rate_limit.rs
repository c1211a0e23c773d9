//! Client-side pacing per HubSpot portal, so that HubSpot rarely returns
//! `429`. A call waits for a permit instead of failing.
//!
//! HubSpot counts the burst limit (110 requests per rolling 10 s for a
//! public app) and the CRM search limit (5 per second) separately, so there
//! are two limiters. Bulk work also takes a permit from a third limiter
//! sized to 70% of the burst budget, which leaves the rest for urgent calls
//! such as bookings.
//!
//! NOTE: the limiters live in this process. Several slotchat instances that
//! share one portal each get the full budget, and HubSpot's `429` handling
//! in `retry` is what keeps them within it.

use std::num::NonZeroU32;
use std::time::Duration;

use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};

/// The HubSpot budget a call spends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Budget {
    /// Every endpoint except CRM search.
    Burst,
    /// `POST /crm/v3/objects/{object}/search`.
    Search,
}

/// The urgency of a call. Bulk calls leave headroom for urgent ones.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Priority {
    /// Someone is waiting for the result (a booking, a manual push).
    #[default]
    Urgent,
    /// Background work that may wait (bulk pushes, workflows).
    Bulk,
}

/// The per-portal limiters, keyed by portal id.
pub(crate) struct Limiters {
    burst: DefaultKeyedRateLimiter<i64>,
    search: DefaultKeyedRateLimiter<i64>,
    bulk: DefaultKeyedRateLimiter<i64>,
}

impl std::fmt::Debug for Limiters {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter.write_str("Limiters")
    }
}

impl Limiters {
    /// Limiters allowing `burst_per_10s` calls per 10 s and
    /// `search_per_sec` searches per second in any window of that length.
    pub(crate) fn new(burst_per_10s: u32, search_per_sec: u32) -> Self {
        let bulk_per_10s = (burst_per_10s * 7 / 10).max(1);
        Self {
            burst: RateLimiter::keyed(window_quota(burst_per_10s, Duration::from_secs(10))),
            search: RateLimiter::keyed(window_quota(search_per_sec, Duration::from_secs(1))),
            bulk: RateLimiter::keyed(window_quota(bulk_per_10s, Duration::from_secs(10))),
        }
    }

    /// Waits until `portal_id` may make one call from `budget`.
    pub(crate) async fn acquire(&self, portal_id: i64, budget: Budget, priority: Priority) {
        if priority == Priority::Bulk {
            self.bulk.until_key_ready(&portal_id).await;
        }
        match budget {
            Budget::Burst => self.burst.until_key_ready(&portal_id).await,
            Budget::Search => self.search.until_key_ready(&portal_id).await,
        };
    }
}

/// A quota that never lets more than `limit` calls through in any `window`.
///
/// A GCRA limiter with burst `b` that refills one permit per `p` admits up
/// to `b + window / p` calls in one window, so the burst is a fifth of the
/// limit and the refill rate makes up the rest.
fn window_quota(limit: u32, window: Duration) -> Quota {
    let limit = limit.max(1);
    let burst = (limit / 5).max(1);
    let refills = limit.saturating_sub(burst).max(1);
    let period = window / refills;
    Quota::with_period(period)
        .expect("the window divided by at most u32::MAX refills is not zero")
        .allow_burst(NonZeroU32::new(burst).expect("burst is at least 1"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quota_stays_within_limit() {
        let quota = window_quota(100, Duration::from_secs(10));
        let per_window = quota.burst_size().get() as u128
            + Duration::from_secs(10).as_nanos() / quota.replenish_interval().as_nanos();
        assert!(per_window <= 100, "{per_window} calls fit in one window");
        assert_eq!(quota.burst_size().get(), 20);
    }

    #[tokio::test]
    async fn search_limiter_paces_calls() {
        let limiters = Limiters::new(100, 4);
        let started = std::time::Instant::now();
        for _ in 0..4 {
            limiters.acquire(1, Budget::Search, Priority::Urgent).await;
        }
        // One permit at once, then one every 1/3 s.
        assert!(
            started.elapsed() >= Duration::from_millis(900),
            "{:?}",
            started.elapsed()
        );
    }
}
