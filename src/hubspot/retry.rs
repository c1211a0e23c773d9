//! When a failed call is repeated, and after how long.
//!
//! Before retry N, a `429` with policy `TEN_SECONDLY_ROLLING` waits 10 s × N
//! and a `429` for the secondly limit waits 1 s × N. A `5xx` waits
//! 200 ms × N, and a daily `429` is not retried. A `Retry-After` header,
//! when present, replaces the computed wait. A `429` or `423` means HubSpot
//! did not carry the request out, so any call may repeat. After a `5xx` or a
//! timeout only idempotent calls repeat, because a write may already have
//! landed.

use std::time::Duration;

use super::classify::Failure;

/// Retries after the first attempt, at most.
pub(crate) const MAX_RETRIES: u32 = 2;

/// Maximum single wait. A longer `Retry-After` ends the call instead.
const MAX_WAIT: Duration = Duration::from_secs(30);

/// The wait before retry number `retry` (1-based), or `None` to stop.
pub(crate) fn retry_delay(failure: &Failure, retry: u32, idempotent: bool) -> Option<Duration> {
    if retry > MAX_RETRIES {
        return None;
    }
    let delay = match failure {
        Failure::RateLimited {
            policy,
            secondly,
            retry_after,
        } => {
            if policy.as_deref() == Some("DAILY") {
                return None;
            }
            match (retry_after, secondly) {
                (Some(wait), _) => *wait,
                (None, true) => Duration::from_secs(1) * retry,
                (None, false) => Duration::from_secs(10) * retry,
            }
        }
        Failure::Locked => Duration::from_secs(2) * retry,
        Failure::NotSent => Duration::from_millis(200) * retry,
        Failure::Timeout {
            request_sent: false,
        } => Duration::from_millis(200) * retry,
        Failure::ServerError { retry_after } if idempotent => {
            retry_after.unwrap_or(Duration::from_millis(200) * retry)
        }
        Failure::Timeout { request_sent: true } if idempotent => Duration::from_millis(200) * retry,
        _ => return None,
    };
    (delay <= MAX_WAIT).then_some(delay)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rate_limited(policy: &str, secondly: bool) -> Failure {
        Failure::RateLimited {
            policy: Some(policy.into()),
            secondly,
            retry_after: None,
        }
    }

    #[test]
    fn ten_secondly_waits_ten_seconds_per_retry() {
        let failure = rate_limited("TEN_SECONDLY_ROLLING", false);
        assert_eq!(
            retry_delay(&failure, 1, false),
            Some(Duration::from_secs(10))
        );
        assert_eq!(
            retry_delay(&failure, 2, false),
            Some(Duration::from_secs(20))
        );
        assert_eq!(retry_delay(&failure, 3, false), None);
    }

    #[test]
    fn secondly_waits_one_second_per_retry() {
        let failure = rate_limited("SECONDLY", true);
        assert_eq!(retry_delay(&failure, 2, true), Some(Duration::from_secs(2)));
    }

    #[test]
    fn daily_limit_is_not_retried() {
        assert_eq!(retry_delay(&rate_limited("DAILY", false), 1, true), None);
    }

    #[test]
    fn server_error_retries_only_idempotent() {
        let failure = Failure::ServerError { retry_after: None };
        assert_eq!(
            retry_delay(&failure, 1, true),
            Some(Duration::from_millis(200))
        );
        assert_eq!(retry_delay(&failure, 1, false), None);
    }

    #[test]
    fn long_retry_after_stops_retrying() {
        let failure = Failure::ServerError {
            retry_after: Some(Duration::from_secs(3600)),
        };
        assert_eq!(retry_delay(&failure, 1, true), None);
    }

    #[test]
    fn sent_write_timeout_is_not_retried() {
        let failure = Failure::Timeout { request_sent: true };
        assert_eq!(retry_delay(&failure, 1, false), None);
        assert!(
            retry_delay(
                &Failure::Timeout {
                    request_sent: false
                },
                1,
                false
            )
            .is_some()
        );
    }
}
