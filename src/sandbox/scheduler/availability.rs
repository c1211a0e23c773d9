//! Computed availability: each member's weekly working hours in the
//! member's time zone, the link's minimum notice, start-time increment,
//! buffer and booking window, minus calendar busy times and booked
//! meetings. Offline members have no busy times.

use std::collections::BTreeSet;

use chrono::{Datelike, Duration, NaiveDate, NaiveTime, TimeZone, Utc};
use chrono_tz::Tz;

use super::Scheduler;
use super::model::{Link, LinkType, User};
use super::seed::weekday_of;
use crate::sandbox::ids;

const WEEK_MS: i64 = 7 * 24 * 3_600_000;

/// Whether booked meetings block slots. Ignoring them lets the booking
/// check distinguish a taken slot from one that was never offered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Bookings {
    Count,
    Ignore,
}

/// Returns the bookable range `[earliest start, latest end]` of a link at `now_ms`.
pub(crate) fn booking_window(link: &Link, now_ms: i64) -> (i64, i64) {
    let mut earliest = now_ms + link.minimum_notice_ms;
    let mut latest = now_ms + link.weeks_to_advertise * WEEK_MS;
    if let Some(start) = link.custom_start_ms {
        earliest = earliest.max(start);
    }
    if let Some(end) = link.custom_end_ms {
        latest = latest.min(end);
    }
    (earliest, latest)
}

fn local_instant(time_zone: Tz, date: NaiveDate, minute: u32) -> Option<i64> {
    let time = NaiveTime::from_hms_opt(minute / 60, minute % 60, 0)?;
    let local = time_zone
        .from_local_datetime(&date.and_time(time))
        .earliest()?;
    Some(local.with_timezone(&Utc).timestamp_millis())
}

/// Starts inside `[from_ms, to_ms)` where a `duration_ms` meeting fits the
/// member's working hours on the link's increment grid.
fn working_starts(
    link: &Link,
    user: &User,
    duration_ms: i64,
    from_ms: i64,
    to_ms: i64,
) -> Vec<i64> {
    let step = link.step_ms(duration_ms).max(60_000);
    let first_day = ids::to_datetime(from_ms)
        .with_timezone(&user.time_zone)
        .date_naive()
        - Duration::days(1);
    let last_day = ids::to_datetime(to_ms)
        .with_timezone(&user.time_zone)
        .date_naive()
        + Duration::days(1);
    let mut starts = Vec::new();
    let mut day = first_day;
    while day <= last_day {
        for (weekday, start_minute, end_minute) in &user.working_hours {
            if *weekday != weekday_of(day) {
                continue;
            }
            let (Some(open), Some(close)) = (
                local_instant(user.time_zone, day, *start_minute),
                local_instant(user.time_zone, day, *end_minute),
            ) else {
                continue;
            };
            let mut start = open;
            while start + duration_ms <= close {
                if start >= from_ms && start < to_ms {
                    starts.push(start);
                }
                start += step;
            }
        }
        day = day.succ_opt().unwrap_or(day + Duration::days(1));
    }
    starts
}

fn is_busy(
    scheduler: &Scheduler,
    link: &Link,
    user: &User,
    start: i64,
    duration_ms: i64,
    bookings: Bookings,
) -> bool {
    let (blocked_from, blocked_to) = (start - link.buffer_ms, start + duration_ms + link.buffer_ms);
    let overlaps =
        |(busy_start, busy_end): (i64, i64)| busy_start < blocked_to && busy_end > blocked_from;
    let calendar_busy = !user.offline && user.busy.iter().copied().any(overlaps);
    let booked = bookings == Bookings::Count
        && scheduler
            .bookings
            .iter()
            .filter(|booking| booking.user_id == user.user_id)
            .any(|booking| overlaps((booking.start_ms, booking.end_ms)));
    calendar_busy || booked
}

/// Start times a member offers for `duration_ms` inside `[from_ms, to_ms)`.
fn member_slots(
    scheduler: &Scheduler,
    link: &Link,
    user: &User,
    duration_ms: i64,
    range: (i64, i64),
    now_ms: i64,
    bookings: Bookings,
) -> BTreeSet<i64> {
    let (earliest, latest) = booking_window(link, now_ms);
    let from = range.0.max(earliest);
    let to = range.1.min(latest);
    if from >= to {
        return BTreeSet::new();
    }
    working_starts(link, user, duration_ms, from, to)
        .into_iter()
        .filter(|start| start + duration_ms <= latest)
        .filter(|start| !is_busy(scheduler, link, user, *start, duration_ms, bookings))
        .collect()
}

/// Start times the link offers for `duration_ms` inside `range`: any free
/// member for round robin, all members for a group calendar.
pub(crate) fn link_slots(
    scheduler: &Scheduler,
    link: &Link,
    duration_ms: i64,
    range: (i64, i64),
    now_ms: i64,
    bookings: Bookings,
) -> BTreeSet<i64> {
    let mut per_member = scheduler
        .members(link)
        .map(|user| member_slots(scheduler, link, user, duration_ms, range, now_ms, bookings));
    let Some(first) = per_member.next() else {
        return BTreeSet::new();
    };
    match link.link_type {
        LinkType::Group => per_member.fold(first, |all, next| {
            all.intersection(&next).copied().collect()
        }),
        LinkType::Personal | LinkType::RoundRobin => {
            per_member.fold(first, |all, next| all.union(&next).copied().collect())
        }
    }
}

/// Members free for a meeting of `duration_ms` at `start_ms`.
pub(crate) fn free_members<'a>(
    scheduler: &'a Scheduler,
    link: &Link,
    duration_ms: i64,
    start_ms: i64,
    now_ms: i64,
) -> Vec<&'a User> {
    scheduler
        .members(link)
        .filter(|user| {
            member_slots(
                scheduler,
                link,
                user,
                duration_ms,
                (start_ms, start_ms + 1),
                now_ms,
                Bookings::Count,
            )
            .contains(&start_ms)
        })
        .collect()
}

/// Returns the calendar month `month_offset` months from now in `time_zone`, as
/// epoch ms `[start, end)`.
pub(crate) fn month_range(time_zone: Tz, now_ms: i64, month_offset: i32) -> (i64, i64) {
    let today = ids::to_datetime(now_ms)
        .with_timezone(&time_zone)
        .date_naive();
    let month_index = today.year() * 12 + today.month0() as i32 + month_offset;
    let first = |index: i32| {
        let date =
            NaiveDate::from_ymd_opt(index.div_euclid(12), index.rem_euclid(12) as u32 + 1, 1)
                .expect("the first of a month exists");
        local_instant(time_zone, date, 0)
            .or_else(|| local_instant(time_zone, date, 60))
            .expect("midnight or 01:00 exists on the first of a month")
    };
    (first(month_index), first(month_index + 1))
}
