//! Random identifiers and time formatting shared by the sandbox modules.

use chrono::{DateTime, SecondsFormat, TimeZone, Utc};
use rand::Rng;
use rand::distributions::Alphanumeric;

/// Current time in epoch milliseconds.
pub(crate) fn now_ms() -> i64 {
    Utc::now().timestamp_millis()
}

/// Formats epoch milliseconds as HubSpot does: RFC 3339 in UTC with
/// milliseconds and a `Z`, for example `2026-06-10T08:15:31.402Z`.
pub(crate) fn iso_ms(epoch_ms: i64) -> String {
    to_datetime(epoch_ms).to_rfc3339_opts(SecondsFormat::Millis, true)
}

/// Converts epoch milliseconds to a UTC date-time, clamping values chrono
/// cannot represent to the epoch.
pub(crate) fn to_datetime(epoch_ms: i64) -> DateTime<Utc> {
    Utc.timestamp_millis_opt(epoch_ms)
        .single()
        .unwrap_or_default()
}

/// Generates a correlation id (a UUID, as HubSpot sends).
pub(crate) fn correlation_id() -> String {
    uuid::Uuid::new_v4().to_string()
}

/// Generates a random string of `len` letters and digits.
pub(crate) fn random_token(len: usize) -> String {
    rand::thread_rng()
        .sample_iter(&Alphanumeric)
        .take(len)
        .map(char::from)
        .collect()
}

/// Parses a date-time value the way HubSpot accepts it in properties and
/// search filters: epoch milliseconds or an RFC 3339 string.
pub(crate) fn parse_instant_ms(value: &str) -> Option<i64> {
    if let Ok(ms) = value.parse::<i64>() {
        return Some(ms);
    }
    DateTime::parse_from_rfc3339(value)
        .ok()
        .map(|instant| instant.timestamp_millis())
}
