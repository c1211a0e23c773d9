//! Conversion of UTC availability into the visitor's local days.
//!
//! HubSpot's availability is fetched once per link, independent of any
//! visitor, and converted here for each visitor's zone. Grouping uses the
//! zone's rules for each instant, so a day with a daylight-saving change
//! keeps its slots on the right local date.

use chrono::{DateTime, SecondsFormat, Utc};
use chrono_tz::Tz;

use crate::widget_session::protocol::{SlotDay, SlotView};

/// Groups slot start instants by the local date in `zone`, in order.
/// Starts at or before `not_before` are left out.
pub fn group_by_local_day(
    starts: &[DateTime<Utc>],
    zone: Tz,
    not_before: DateTime<Utc>,
) -> Vec<SlotDay> {
    let mut sorted: Vec<DateTime<Utc>> =
        starts.iter().copied().filter(|start| *start > not_before).collect();
    sorted.sort();
    sorted.dedup();

    let mut days: Vec<SlotDay> = Vec::new();
    for start in sorted {
        let local = start.with_timezone(&zone);
        let date = local.format("%Y-%m-%d").to_string();
        let slot = SlotView { start: format_utc(start), local_time: local.format("%H:%M").to_string() };
        match days.last_mut() {
            Some(day) if day.date == date => day.slots.push(slot),
            _ => days.push(SlotDay { date, slots: vec![slot] }),
        }
    }
    days
}

/// Formats an instant as RFC 3339 in UTC with a `Z` suffix and no fraction.
pub fn format_utc(instant: DateTime<Utc>) -> String {
    instant.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// Local date (`YYYY-MM-DD`) and wall time (`HH:MM`) of `instant` in `zone`.
pub fn local_date_and_time(instant: DateTime<Utc>, zone: Tz) -> (String, String) {
    let local = instant.with_timezone(&zone);
    (local.format("%Y-%m-%d").to_string(), local.format("%H:%M").to_string())
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    fn utc(y: i32, mo: u32, d: u32, h: u32, mi: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(y, mo, d, h, mi, 0).unwrap()
    }

    #[test]
    fn late_utc_slot_lands_on_next_local_day() {
        let zone: Tz = "Asia/Tokyo".parse().unwrap();
        let days = group_by_local_day(&[utc(2026, 12, 7, 16, 0)], zone, utc(2026, 1, 1, 0, 0));
        assert_eq!(days.len(), 1);
        assert_eq!(days[0].date, "2026-12-08");
        assert_eq!(days[0].slots[0].local_time, "01:00");
    }

    #[test]
    fn spring_forward_day_keeps_wall_times() {
        // Europe/Madrid moves from UTC+1 to UTC+2 at 01:00 UTC on 2027-03-28.
        let zone: Tz = "Europe/Madrid".parse().unwrap();
        let starts = [utc(2027, 3, 27, 8, 0), utc(2027, 3, 28, 8, 0), utc(2027, 3, 29, 8, 0)];
        let days = group_by_local_day(&starts, zone, utc(2026, 1, 1, 0, 0));
        let times: Vec<(&str, &str)> =
            days.iter().map(|d| (d.date.as_str(), d.slots[0].local_time.as_str())).collect();
        assert_eq!(
            times,
            vec![("2027-03-27", "09:00"), ("2027-03-28", "10:00"), ("2027-03-29", "10:00")]
        );
    }

    #[test]
    fn fall_back_night_keeps_both_repeated_hours() {
        // America/New_York falls back from UTC-4 to UTC-5 at 06:00 UTC on 2026-11-01.
        let zone: Tz = "America/New_York".parse().unwrap();
        let starts = [utc(2026, 11, 1, 3, 30), utc(2026, 11, 1, 5, 30), utc(2026, 11, 1, 6, 30)];
        let days = group_by_local_day(&starts, zone, utc(2026, 1, 1, 0, 0));
        assert_eq!(days.len(), 2);
        assert_eq!(days[0].date, "2026-10-31");
        assert_eq!(days[0].slots[0].local_time, "23:30");
        assert_eq!(days[1].date, "2026-11-01");
        let local: Vec<&str> = days[1].slots.iter().map(|s| s.local_time.as_str()).collect();
        assert_eq!(local, vec!["01:30", "01:30"]);
        assert_ne!(days[1].slots[0].start, days[1].slots[1].start);
    }

    #[test]
    fn past_and_duplicate_starts_are_dropped() {
        let zone: Tz = "UTC".parse().unwrap();
        let now = utc(2026, 12, 7, 9, 0);
        let starts = [utc(2026, 12, 7, 8, 0), utc(2026, 12, 7, 9, 0), utc(2026, 12, 7, 10, 0), utc(2026, 12, 7, 10, 0)];
        let days = group_by_local_day(&starts, zone, now);
        assert_eq!(days[0].slots.len(), 1);
        assert_eq!(days[0].slots[0].start, "2026-12-07T10:00:00Z");
    }
}
