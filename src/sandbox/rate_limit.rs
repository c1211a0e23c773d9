//! Rolling-window rate limits: the burst limit per app per portal (or per
//! private-app token), the search limit per portal, and the private app's
//! daily limit.

use std::collections::{HashMap, VecDeque};

/// The state of one burst bucket after a request was admitted.
#[derive(Debug, Clone, Copy)]
pub(crate) struct BurstStatus {
    pub max: u32,
    pub remaining: u32,
    pub interval_ms: u64,
}

/// Request times per bucket, oldest first.
#[derive(Debug, Default)]
pub(crate) struct RateLimiter {
    windows: HashMap<String, VecDeque<i64>>,
    daily: HashMap<String, (i64, u32)>,
}

impl RateLimiter {
    /// Admits one request into `key`'s rolling window of `interval_ms`, or
    /// returns `None` when `limit` requests already fall inside it. A
    /// rejected request does not use up the window.
    pub(crate) fn admit(
        &mut self,
        key: &str,
        limit: u32,
        interval_ms: u64,
        now_ms: i64,
    ) -> Option<BurstStatus> {
        let window = self.windows.entry(key.to_string()).or_default();
        let oldest_kept = now_ms - interval_ms as i64;
        while window.front().is_some_and(|time| *time <= oldest_kept) {
            window.pop_front();
        }
        if window.len() >= limit as usize {
            return None;
        }
        window.push_back(now_ms);
        let remaining = limit.saturating_sub(window.len() as u32);
        Some(BurstStatus {
            max: limit,
            remaining,
            interval_ms,
        })
    }

    /// Counts one request against `key`'s daily limit and returns the calls
    /// left, or `None` when the limit is used up.
    ///
    /// NOTE: days are UTC days; HubSpot resets at midnight in the portal's
    /// time zone.
    pub(crate) fn admit_daily(&mut self, key: &str, limit: u32, now_ms: i64) -> Option<u32> {
        let day = now_ms.div_euclid(86_400_000);
        let entry = self.daily.entry(key.to_string()).or_insert((day, 0));
        if entry.0 != day {
            *entry = (day, 0);
        }
        if entry.1 >= limit {
            return None;
        }
        entry.1 += 1;
        Some(limit - entry.1)
    }
}
