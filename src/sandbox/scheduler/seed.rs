//! The seeded users and meeting links of the sandbox portal.
//!
//! Busy times are placed relative to the moment the sandbox starts, so the
//! availability they carve out is always in the booking window.

use chrono::{Datelike, Duration, NaiveTime, TimeZone, Utc, Weekday};
use chrono_tz::Tz;

use super::model::{ConsentCheckbox, FormField, LegalConsent, Link, LinkType, User};
use crate::sandbox::ids;

const MINUTE_MS: i64 = 60_000;
const HOUR_MS: i64 = 60 * MINUTE_MS;
const DAY_MS: i64 = 24 * HOUR_MS;

const WEEKDAYS: [Weekday; 5] = [
    Weekday::Mon,
    Weekday::Tue,
    Weekday::Wed,
    Weekday::Thu,
    Weekday::Fri,
];

fn weekdays(start_minute: u32, end_minute: u32) -> Vec<(Weekday, u32, u32)> {
    WEEKDAYS
        .iter()
        .map(|day| (*day, start_minute, end_minute))
        .collect()
}

/// Places one busy hour at 11:00 local on every other day of the next two weeks.
fn busy_blocks(time_zone: Tz, now_ms: i64) -> Vec<(i64, i64)> {
    let today = ids::to_datetime(now_ms)
        .with_timezone(&time_zone)
        .date_naive();
    let eleven = NaiveTime::from_hms_opt(11, 0, 0).expect("11:00 is a valid time");
    (1..=14)
        .step_by(2)
        .filter_map(|offset| {
            let date = today + Duration::days(offset);
            let start = time_zone
                .from_local_datetime(&date.and_time(eleven))
                .earliest()?;
            let start_ms = start.with_timezone(&Utc).timestamp_millis();
            Some((start_ms, start_ms + HOUR_MS))
        })
        .collect()
}

struct UserSeed {
    user_id: &'static str,
    meetings_user_id: &'static str,
    owner_id: &'static str,
    first_name: &'static str,
    last_name: &'static str,
    email: &'static str,
    time_zone: Tz,
    calendar_provider: &'static str,
    offline: bool,
    hours: (u32, u32),
}

fn build_user(seed: UserSeed, now_ms: i64) -> User {
    User {
        user_id: seed.user_id.into(),
        meetings_user_id: seed.meetings_user_id.into(),
        owner_id: seed.owner_id.into(),
        first_name: seed.first_name.into(),
        last_name: seed.last_name.into(),
        email: seed.email.into(),
        time_zone: seed.time_zone,
        calendar_provider: seed.calendar_provider,
        offline: seed.offline,
        working_hours: weekdays(seed.hours.0, seed.hours.1),
        busy: if seed.offline {
            Vec::new()
        } else {
            busy_blocks(seed.time_zone, now_ms)
        },
    }
}

/// Ana (Madrid), James (New York) and Yuki (Tokyo, calendar disconnected).
pub(crate) fn users(now_ms: i64) -> Vec<User> {
    let seeds = [
        UserSeed {
            user_id: "51200447",
            meetings_user_id: "330112",
            owner_id: "61200447",
            first_name: "Ana",
            last_name: "Ruiz",
            email: "ana.ruiz@slotchat-demo.sandbox.hubspot.local",
            time_zone: chrono_tz::Europe::Madrid,
            calendar_provider: "GOOGLE",
            offline: false,
            hours: (9 * 60, 17 * 60),
        },
        UserSeed {
            user_id: "51200990",
            meetings_user_id: "330245",
            owner_id: "61200990",
            first_name: "James",
            last_name: "Carter",
            email: "james.carter@slotchat-demo.sandbox.hubspot.local",
            time_zone: chrono_tz::America::New_York,
            calendar_provider: "OFFICE365",
            offline: false,
            hours: (9 * 60, 17 * 60),
        },
        UserSeed {
            user_id: "51201314",
            meetings_user_id: "330377",
            owner_id: "61201314",
            first_name: "Yuki",
            last_name: "Tanaka",
            email: "yuki.tanaka@slotchat-demo.sandbox.hubspot.local",
            time_zone: chrono_tz::Asia::Tokyo,
            calendar_provider: "UNKNOWN",
            offline: true,
            hours: (10 * 60, 18 * 60),
        },
    ];
    seeds
        .into_iter()
        .map(|seed| build_user(seed, now_ms))
        .collect()
}

/// Builds a link with defaults that each seed then changes.
fn base_link(id: &str, slug: &str, name: &str, organizer: &str, now_ms: i64) -> Link {
    let created = now_ms - 90 * DAY_MS;
    Link {
        id: id.into(),
        slug: slug.into(),
        name: name.into(),
        link_type: LinkType::Personal,
        organizer_user_id: organizer.into(),
        member_ids: vec![organizer.into()],
        default_link: false,
        created_at_ms: created,
        updated_at_ms: created + 7 * DAY_MS,
        durations_ms: vec![30 * MINUTE_MS],
        increment: ("FIFTEEN", Some(15)),
        minimum_notice_ms: HOUR_MS,
        buffer_ms: 0,
        weeks_to_advertise: 2,
        custom_start_ms: None,
        custom_end_ms: None,
        form_fields: Vec::new(),
        legal_consent: None,
        can_add_guests: false,
        max_guest_count: 0,
        owner_prioritized: false,
        location: String::new(),
        locale: "en-us".into(),
        headline: name.into(),
    }
}

fn team_size_field() -> FormField {
    let options = [
        ("1-10", "1 to 10"),
        ("11-50", "11 to 50"),
        ("51-200", "51 to 200"),
        ("201+", "More than 200"),
    ];
    FormField {
        name: "team_size".into(),
        label: "Team size".into(),
        field_type: "select",
        value_type: "enumeration",
        required: true,
        options: options
            .iter()
            .map(|(value, label)| (value.to_string(), label.to_string()))
            .collect(),
    }
}

/// Builds the five seeded links. `docs/sandbox.md` lists what each one covers.
pub(crate) fn links(now_ms: i64) -> Vec<Link> {
    let mut demo = base_link(
        "7412551",
        "sales-team/product-demo",
        "Product demo",
        "51200447",
        now_ms,
    );
    demo.link_type = LinkType::RoundRobin;
    demo.member_ids = vec!["51200447".into(), "51200990".into(), "51201314".into()];
    demo.durations_ms = vec![30 * MINUTE_MS, 60 * MINUTE_MS];
    demo.minimum_notice_ms = 2 * HOUR_MS;
    demo.buffer_ms = 15 * MINUTE_MS;
    demo.weeks_to_advertise = 4;
    demo.form_fields = vec![team_size_field()];
    demo.location = "Video call".into();

    let mut ana = base_link(
        "7412093",
        "ana-ruiz",
        "Intro call with Ana",
        "51200447",
        now_ms,
    );
    ana.default_link = true;
    ana.durations_ms = vec![15 * MINUTE_MS, 30 * MINUTE_MS];
    ana.can_add_guests = true;
    ana.max_guest_count = 3;
    ana.locale = "es".into();

    let mut james = base_link(
        "7412788",
        "james-carter",
        "Discovery call with James",
        "51200990",
        now_ms,
    );
    james.default_link = true;
    james.durations_ms = vec![45 * MINUTE_MS];
    james.increment = ("THIRTY", Some(30));
    james.minimum_notice_ms = 4 * HOUR_MS;
    james.buffer_ms = 10 * MINUTE_MS;
    james.weeks_to_advertise = 3;
    james.legal_consent = Some(LegalConsent {
        processing_consent_type: "REQUIRED_CHECKBOX",
        checkboxes: vec![ConsentCheckbox {
            communication_type_id: "8410201".into(),
            label: "I agree to receive sales communications from Slotchat Demo.".into(),
            required: true,
        }],
    });

    let mut yuki = base_link(
        "7413020",
        "yuki-tanaka",
        "Consultation with Yuki",
        "51201314",
        now_ms,
    );
    yuki.default_link = true;
    yuki.durations_ms = vec![30 * MINUTE_MS, 60 * MINUTE_MS];
    yuki.increment = ("THIRTY", Some(30));

    let mut workshop = base_link(
        "7413301",
        "sales-team/onboarding-workshop",
        "Onboarding workshop",
        "51200990",
        now_ms,
    );
    workshop.link_type = LinkType::Group;
    workshop.member_ids = vec!["51200447".into(), "51200990".into()];
    workshop.durations_ms = vec![60 * MINUTE_MS];
    workshop.increment = ("SIXTY", Some(60));
    workshop.weeks_to_advertise = 4;
    // The custom availability range ended yesterday, so nothing is bookable.
    workshop.custom_start_ms = Some(now_ms - 30 * DAY_MS);
    workshop.custom_end_ms = Some(now_ms - DAY_MS);

    vec![demo, ana, james, yuki, workshop]
}

/// Day of the week of a local date, for working-hours lookups.
pub(crate) fn weekday_of(date: chrono::NaiveDate) -> Weekday {
    date.weekday()
}
