//! What happens after a failed push: retry later, wait for a person, or
//! give up.

use crate::upsert::PushError;
use crate::upsert::crm::CrmError;

/// Delay before a push blocked by another push of the same company or
/// visitor is tried again, in milliseconds. Such a wait is not an attempt.
pub const BUSY_DELAY_MS: i64 = 300;

/// Message stored on a visitor when HubSpot must be reconnected.
pub const RECONNECT_MESSAGE: &str = "HubSpot is not connected: reconnect in Integrations";

/// The next step for a push that did not finish.
#[derive(Debug, Clone, PartialEq)]
pub enum Decision {
    /// Try again at `at_ms`; the failed run counts as an attempt.
    Retry { at_ms: i64, message: String },
    /// Try again at `at_ms` without counting an attempt.
    Defer { at_ms: i64 },
    /// A person must reconnect HubSpot; resume after they do.
    Wait { message: String },
    /// Give up; `action` says what a person can do.
    Fail {
        message: String,
        action: &'static str,
    },
}

/// Retry limits, from the settings.
#[derive(Debug, Clone, Copy)]
pub struct RetryPolicy {
    pub max_attempts: i64,
    pub base_delay_ms: i64,
}

impl RetryPolicy {
    /// Decides after attempt number `attempts` (counting from 1) failed.
    pub fn decide(&self, error: &PushError, attempts: i64, now_ms: i64) -> Decision {
        let crm_error = match error {
            PushError::CompanyBusy => {
                return Decision::Defer {
                    at_ms: now_ms + BUSY_DELAY_MS,
                };
            }
            PushError::NothingToPush => {
                return Decision::Fail {
                    message: error.to_string(),
                    action: "fix_input",
                };
            }
            PushError::Database(_) => None,
            PushError::Crm(crm_error) => Some(crm_error),
        };
        match crm_error {
            Some(CrmError::ReconnectRequired) => Decision::Wait {
                message: RECONNECT_MESSAGE.to_string(),
            },
            Some(CrmError::MissingScopes(scopes)) => Decision::Wait {
                message: format!("{RECONNECT_MESSAGE} and grant the missing scopes ({scopes})"),
            },
            Some(CrmError::Validation { .. }) => Decision::Fail {
                message: format!("{error}; correct the visitor and push again"),
                action: "fix_input",
            },
            Some(CrmError::RateLimited { retry_after_ms }) => {
                let wait = retry_after_ms.unwrap_or(0) as i64;
                self.retry_or_fail(error, attempts, now_ms, wait)
            }
            _ => self.retry_or_fail(error, attempts, now_ms, 0),
        }
    }

    fn retry_or_fail(
        &self,
        error: &PushError,
        attempts: i64,
        now_ms: i64,
        min_wait_ms: i64,
    ) -> Decision {
        if attempts >= self.max_attempts {
            return Decision::Fail {
                message: format!("{error}; gave up after {attempts} attempts, push again to retry"),
                action: "retry",
            };
        }
        let doublings = (attempts - 1).clamp(0, 20) as u32;
        let delay = self
            .base_delay_ms
            .saturating_mul(1_i64 << doublings)
            .max(min_wait_ms);
        Decision::Retry {
            at_ms: now_ms + delay,
            message: format!(
                "{error}; attempt {attempts} of {}, retrying",
                self.max_attempts
            ),
        }
    }
}

/// Whether a failure is retried at once, once per run: a timeout, or an
/// access token that expired while the push ran.
pub fn retry_at_once(error: &PushError) -> bool {
    matches!(error, PushError::Crm(CrmError::Timeout { .. }))
}

#[cfg(test)]
mod tests {
    use super::*;

    const POLICY: RetryPolicy = RetryPolicy {
        max_attempts: 4,
        base_delay_ms: 1_000,
    };

    #[test]
    fn passing_errors_back_off() {
        let error = PushError::Crm(CrmError::Unavailable);
        let delays: Vec<i64> = (1..=3)
            .map(|attempt| match POLICY.decide(&error, attempt, 0) {
                Decision::Retry { at_ms, .. } => at_ms,
                other => panic!("expected a retry, got {other:?}"),
            })
            .collect();
        assert_eq!(delays, vec![1_000, 2_000, 4_000]);
        assert!(matches!(
            POLICY.decide(&error, 4, 0),
            Decision::Fail {
                action: "retry",
                ..
            }
        ));
    }

    #[test]
    fn reconnect_errors_wait() {
        let decision = POLICY.decide(&PushError::Crm(CrmError::ReconnectRequired), 1, 0);
        assert_eq!(
            decision,
            Decision::Wait {
                message: RECONNECT_MESSAGE.to_string()
            }
        );
        let scopes = POLICY.decide(
            &PushError::Crm(CrmError::MissingScopes(
                "crm.objects.companies.write".into(),
            )),
            1,
            0,
        );
        assert!(matches!(scopes, Decision::Wait { .. }));
    }

    #[test]
    fn rate_limit_waits_at_least_retry_after() {
        let error = PushError::Crm(CrmError::RateLimited {
            retry_after_ms: Some(10_000),
        });
        assert!(matches!(
            POLICY.decide(&error, 1, 0),
            Decision::Retry { at_ms: 10_000, .. }
        ));
    }

    #[test]
    fn busy_company_defers_without_attempt() {
        assert_eq!(
            POLICY.decide(&PushError::CompanyBusy, 1, 0),
            Decision::Defer {
                at_ms: BUSY_DELAY_MS
            }
        );
    }
}
