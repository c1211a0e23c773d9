//! Meetings scheduler: links, booking info, computed availability and
//! bookings.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{TestSandbox, error_body, start};

const LINKS: &str = "/scheduler/v3/meetings/meeting-links";
pub(crate) const THIRTY_MINUTES_MS: i64 = 1_800_000;

async fn booking_info(sandbox: &TestSandbox, token: &str, encoded_slug: &str) -> Value {
    let response = sandbox
        .get(
            token,
            &format!("{LINKS}/book/{encoded_slug}?timezone=Europe/Madrid"),
        )
        .await;
    assert_eq!(
        response.status(),
        StatusCode::OK,
        "booking info for {encoded_slug}"
    );
    response.json().await.expect("JSON")
}

/// Offered starts of `duration_ms` for a link over this month and the next.
pub(crate) async fn slots(
    sandbox: &TestSandbox,
    token: &str,
    encoded_slug: &str,
    duration_ms: i64,
) -> Vec<i64> {
    let mut starts = Vec::new();
    for month in 0..2 {
        let path = format!(
            "{LINKS}/book/availability-page/{encoded_slug}?timezone=America/New_York&monthOffset={month}"
        );
        let response = sandbox.get(token, &path).await;
        assert_eq!(response.status(), StatusCode::OK);
        let body: Value = response.json().await.expect("JSON");
        let by_duration =
            &body["linkAvailability"]["linkAvailabilityByDuration"][duration_ms.to_string()];
        assert_eq!(by_duration["meetingDurationMillis"], duration_ms);
        for slot in by_duration["availabilities"]
            .as_array()
            .expect("availabilities")
        {
            let start = slot["startMillisUtc"].as_i64().expect("start");
            assert_eq!(
                slot["endMillisUtc"].as_i64().expect("end"),
                start + duration_ms
            );
            starts.push(start);
        }
    }
    starts
}

/// Picks a slot from the middle of the list, far from the minimum-notice
/// edge, so the slot is still offered a moment later when it is booked.
pub(crate) fn pick(starts: &[i64]) -> i64 {
    assert!(!starts.is_empty(), "the link offers slots");
    starts[starts.len() / 2]
}

pub(crate) fn booking(slug: &str, email: &str, start: i64, duration: i64) -> Value {
    json!({
        "slug": slug,
        "firstName": "Maria",
        "lastName": "Lopez",
        "email": email,
        "startTime": start,
        "duration": duration,
        "timezone": "Europe/Madrid",
        "locale": "es",
        "likelyAvailableUserIds": [],
        "formFields": [],
        "legalConsentResponses": [],
    })
}

pub(crate) async fn book(sandbox: &TestSandbox, token: &str, body: Value) -> reqwest::Response {
    sandbox.post(token, &format!("{LINKS}/book"), body).await
}

#[tokio::test]
async fn list_links_pages_and_filters() {
    let sandbox = start().await;
    let token = sandbox.token().await;
    let all: Value = sandbox.get(&token, LINKS).await.json().await.expect("JSON");
    assert_eq!(all["total"], 5);
    let page: Value = sandbox
        .get(&token, &format!("{LINKS}?limit=2"))
        .await
        .json()
        .await
        .expect("JSON");
    assert_eq!(page["results"].as_array().expect("results").len(), 2);
    let after = page["paging"]["next"]["after"].as_str().expect("cursor");
    let next: Value = sandbox
        .get(&token, &format!("{LINKS}?limit=2&after={after}"))
        .await
        .json()
        .await
        .expect("JSON");
    assert_ne!(next["results"][0]["id"], page["results"][0]["id"]);
    let round_robin: Value = sandbox
        .get(&token, &format!("{LINKS}?type=ROUND_ROBIN_CALENDAR"))
        .await
        .json()
        .await
        .expect("JSON");
    assert_eq!(round_robin["total"], 1);
    assert_eq!(round_robin["results"][0]["slug"], "sales-team/product-demo");
    assert_eq!(
        round_robin["results"][0]["userIdsOfLinkMembers"]
            .as_array()
            .expect("members")
            .len(),
        3
    );
    let dated: Value = sandbox
        .get(&token, "/scheduler/2026-03/meetings/meeting-links")
        .await
        .json()
        .await
        .expect("JSON");
    assert_eq!(dated["total"], 5);
    let bad_type = sandbox.get(&token, &format!("{LINKS}?type=TEAM")).await;
    assert_eq!(bad_type.status(), StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn round_robin_slug_with_slash() {
    let sandbox = start().await;
    let token = sandbox.token().await;
    let info = booking_info(&sandbox, &token, "sales-team%2Fproduct-demo").await;
    assert_eq!(info["linkType"], "ROUND_ROBIN_CALENDAR");
    assert_eq!(
        info["isOffline"], false,
        "one offline member does not make the link offline"
    );
    assert_eq!(
        info["customParams"]["durations"],
        json!([1_800_000, 3_600_000])
    );
    let members = info["allUsersBusyTimes"].as_array().expect("members");
    assert_eq!(members.len(), 3);
    let offline: Vec<&Value> = members
        .iter()
        .filter(|member| member["isOffline"] == true)
        .collect();
    assert_eq!(offline.len(), 1);
    assert_eq!(offline[0]["busyTimes"], json!([]));
    assert!(
        members
            .iter()
            .any(|member| !member["busyTimes"].as_array().expect("busy").is_empty())
    );
    let team_size = info["customParams"]["formFields"]
        .as_array()
        .expect("fields")
        .iter()
        .find(|field| field["name"] == "team_size")
        .expect("custom field")
        .clone();
    assert_eq!(team_size["isRequired"], true);
    assert_eq!(team_size["fieldType"], "select");
    assert!(!team_size["options"].as_array().expect("options").is_empty());

    let dated = sandbox.get(&token, "/scheduler/2026-03/meetings/meeting-links/book/sales-team%2Fproduct-demo?timezone=Asia/Tokyo").await;
    assert_eq!(dated.status(), StatusCode::OK);
    let raw = sandbox
        .get(
            &token,
            &format!("{LINKS}/book/sales-team/product-demo?timezone=UTC"),
        )
        .await;
    assert_eq!(
        raw.status(),
        StatusCode::OK,
        "an unencoded slash names the same link"
    );
    assert!(
        !slots(
            &sandbox,
            &token,
            "sales-team%2Fproduct-demo",
            THIRTY_MINUTES_MS
        )
        .await
        .is_empty()
    );
}

#[tokio::test]
async fn booking_info_errors() {
    let sandbox = start().await;
    let token = sandbox.token().await;
    let unknown = sandbox
        .get(&token, &format!("{LINKS}/book/nobody?timezone=UTC"))
        .await;
    assert_eq!(unknown.status(), StatusCode::NOT_FOUND);
    assert_eq!(error_body(unknown).await["message"], "slug does not exist");
    let no_timezone = sandbox.get(&token, &format!("{LINKS}/book/ana-ruiz")).await;
    assert_eq!(no_timezone.status(), StatusCode::BAD_REQUEST);
    let bad_timezone = sandbox
        .get(
            &token,
            &format!("{LINKS}/book/ana-ruiz?timezone=Mars/Olympus"),
        )
        .await;
    assert_eq!(bad_timezone.status(), StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn offline_and_closed_links() {
    let sandbox = start().await;
    let token = sandbox.token().await;
    let yuki = booking_info(&sandbox, &token, "yuki-tanaka").await;
    assert_eq!(yuki["isOffline"], true);
    assert!(
        !slots(&sandbox, &token, "yuki-tanaka", THIRTY_MINUTES_MS)
            .await
            .is_empty(),
        "offline members are bookable"
    );

    let workshop = booking_info(&sandbox, &token, "sales-team%2Fonboarding-workshop").await;
    assert_eq!(workshop["linkType"], "GROUP_CALENDAR");
    assert!(
        slots(
            &sandbox,
            &token,
            "sales-team%2Fonboarding-workshop",
            3_600_000
        )
        .await
        .is_empty()
    );
}

#[tokio::test]
async fn availability_respects_link_settings() {
    use chrono::{Datelike, TimeZone, Timelike};
    let sandbox = start().await;
    let token = sandbox.token().await;
    let info = booking_info(&sandbox, &token, "ana-ruiz").await;
    let busy: Vec<(i64, i64)> = info["allUsersBusyTimes"][0]["busyTimes"]
        .as_array()
        .expect("busy")
        .iter()
        .map(|block| {
            (
                block["start"].as_i64().expect("start"),
                block["end"].as_i64().expect("end"),
            )
        })
        .collect();
    let now = chrono::Utc::now().timestamp_millis();
    let starts = slots(&sandbox, &token, "ana-ruiz", 900_000).await;
    assert!(!starts.is_empty());
    for start in &starts {
        let local = chrono_tz::Europe::Madrid
            .timestamp_millis_opt(*start)
            .single()
            .expect("a valid instant");
        assert!(
            local.weekday().num_days_from_monday() < 5,
            "weekdays only: {local}"
        );
        assert!(
            local.hour() >= 9
                && (local.hour() < 16 || (local.hour() == 16 && local.minute() <= 45)),
            "working hours: {local}"
        );
        assert_eq!(local.minute() % 15, 0, "15-minute increment: {local}");
        assert!(
            *start >= now + 3_600_000 - 1_000,
            "one hour of minimum notice"
        );
        assert!(*start <= now + 14 * 86_400_000, "two weeks advertised");
        assert!(busy.iter().all(|(busy_start, busy_end)| start + 900_000 <= *busy_start || *start >= *busy_end), "busy time");
    }
}

#[tokio::test]
async fn booking_a_slot_twice() {
    let sandbox = start().await;
    let token = sandbox.token().await;
    let start_ms = pick(&slots(&sandbox, &token, "ana-ruiz", THIRTY_MINUTES_MS).await);
    let response = book(
        &sandbox,
        &token,
        booking(
            "ana-ruiz",
            "maria.lopez@acme-widgets.com",
            start_ms,
            THIRTY_MINUTES_MS,
        ),
    )
    .await;
    assert_eq!(response.status(), StatusCode::OK);
    let body: Value = response.json().await.expect("JSON");
    assert_eq!(body["isOffline"], false);
    assert!(
        !body["calendarEventId"]
            .as_str()
            .expect("event id")
            .is_empty()
    );
    assert_eq!(body["duration"], THIRTY_MINUTES_MS);
    assert_eq!(body["bookingTimezone"], "Europe/Madrid");
    let contact_id = body["contactId"].as_str().expect("contact id");
    let contact = sandbox
        .get(&token, &format!("/crm/v3/objects/contacts/{contact_id}"))
        .await;
    assert_eq!(contact.status(), StatusCode::OK);
    let contact: Value = contact.json().await.expect("JSON");
    assert_eq!(
        contact["properties"]["email"],
        "maria.lopez@acme-widgets.com"
    );

    let again = book(
        &sandbox,
        &token,
        booking(
            "ana-ruiz",
            "someone.else@acme-widgets.com",
            start_ms,
            THIRTY_MINUTES_MS,
        ),
    )
    .await;
    assert_eq!(again.status(), StatusCode::BAD_REQUEST);
    let error = error_body(again).await;
    assert_eq!(
        error["subCategory"],
        "MeetingsBookingSchedulingError.MEETING_TIME_NOT_AVAILABLE"
    );
    assert!(
        !slots(&sandbox, &token, "ana-ruiz", THIRTY_MINUTES_MS)
            .await
            .contains(&start_ms)
    );

    let meetings = sandbox.control_get("/_sandbox/meetings").await;
    assert_eq!(meetings["meetings"].as_array().expect("meetings").len(), 1);
    assert_eq!(meetings["meetings"][0]["contactId"], contact_id);
}

#[tokio::test]
async fn concurrent_bookings_one_wins() {
    let sandbox = start().await;
    let token = sandbox.token().await;
    let start_ms = pick(&slots(&sandbox, &token, "james-carter", 2_700_000).await);
    let consent = json!([{ "communicationTypeId": "8410201", "consented": true }]);
    let requests = (0..4).map(|index| {
        let mut body = booking(
            "james-carter",
            &format!("racer{index}@acme-widgets.com"),
            start_ms,
            2_700_000,
        );
        body["legalConsentResponses"] = consent.clone();
        book(&sandbox, &token, body)
    });
    let statuses: Vec<StatusCode> = futures_util::future::join_all(requests)
        .await
        .iter()
        .map(|response| response.status())
        .collect();
    assert_eq!(
        statuses
            .iter()
            .filter(|status| **status == StatusCode::OK)
            .count(),
        1,
        "{statuses:?}"
    );
}

#[tokio::test]
async fn minutes_instead_of_milliseconds() {
    let sandbox = start().await;
    let token = sandbox.token().await;
    let start_ms = pick(&slots(&sandbox, &token, "ana-ruiz", THIRTY_MINUTES_MS).await);
    let response = book(
        &sandbox,
        &token,
        booking("ana-ruiz", "m@acme-widgets.com", start_ms, 30),
    )
    .await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    let body = error_body(response).await;
    assert_eq!(body["category"], "VALIDATION_ERROR");
    assert_eq!(
        body["subCategory"],
        "MeetingsBookingSchedulingError.MEETING_DURATION_NOT_VALID"
    );
    assert_eq!(body["message"], "Duration is not accepted by link");
}

#[tokio::test]
async fn start_time_forms_and_validity() {
    let sandbox = start().await;
    let token = sandbox.token().await;
    let starts = slots(&sandbox, &token, "ana-ruiz", THIRTY_MINUTES_MS).await;
    let middle = starts.len() / 2;
    let iso = chrono::DateTime::from_timestamp_millis(starts[middle])
        .expect("instant")
        .to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    let mut body = booking("ana-ruiz", "iso@acme-widgets.com", 0, THIRTY_MINUTES_MS);
    body["startTime"] = json!(iso);
    let response = sandbox
        .post(
            &token,
            &format!("{LINKS}/book?timezone=Europe/Madrid"),
            body,
        )
        .await;
    assert_eq!(
        response.status(),
        StatusCode::OK,
        "ISO start time and an ignored timezone query"
    );
    let booked: Value = response.json().await.expect("JSON");
    assert_eq!(booked["start"], iso);

    let off_grid = book(
        &sandbox,
        &token,
        booking(
            "ana-ruiz",
            "grid@acme-widgets.com",
            starts[middle + 1] + 60_000,
            THIRTY_MINUTES_MS,
        ),
    )
    .await;
    let body = error_body(off_grid).await;
    assert_eq!(
        body["subCategory"],
        "MeetingsBookingSchedulingError.MEETING_START_TIME_NOT_VALID"
    );
    assert_eq!(
        body["message"],
        "Start time must be contained in availability settings"
    );
    let past = book(
        &sandbox,
        &token,
        booking(
            "ana-ruiz",
            "past@acme-widgets.com",
            1_500_000_000_000,
            THIRTY_MINUTES_MS,
        ),
    )
    .await;
    assert_eq!(
        error_body(past).await["subCategory"],
        "MeetingsBookingSchedulingError.MEETING_START_TIME_NOT_VALID"
    );
}

#[tokio::test]
async fn offline_booking_shape() {
    let sandbox = start().await;
    let token = sandbox.token().await;
    let start_ms = pick(&slots(&sandbox, &token, "yuki-tanaka", THIRTY_MINUTES_MS).await);
    let response = book(
        &sandbox,
        &token,
        booking(
            "yuki-tanaka",
            "offline@acme-widgets.com",
            start_ms,
            THIRTY_MINUTES_MS,
        ),
    )
    .await;
    assert_eq!(response.status(), StatusCode::OK);
    let body: Value = response.json().await.expect("JSON");
    assert_eq!(body["isOffline"], true);
    assert_eq!(body["calendarEventId"], "");
    assert!(body["contactId"].as_str().is_some_and(|id| !id.is_empty()));
}

#[tokio::test]
async fn booking_validates_form_and_consent() {
    let sandbox = start().await;
    let token = sandbox.token().await;
    let demo_start = pick(
        &slots(
            &sandbox,
            &token,
            "sales-team%2Fproduct-demo",
            THIRTY_MINUTES_MS,
        )
        .await,
    );
    let without_field = book(
        &sandbox,
        &token,
        booking(
            "sales-team/product-demo",
            "f@acme-widgets.com",
            demo_start,
            THIRTY_MINUTES_MS,
        ),
    )
    .await;
    assert_eq!(without_field.status(), StatusCode::BAD_REQUEST);
    assert_eq!(
        error_body(without_field).await["message"],
        "required form field team_size does not have a corresponding value"
    );
    let mut bad_option = booking(
        "sales-team/product-demo",
        "f@acme-widgets.com",
        demo_start,
        THIRTY_MINUTES_MS,
    );
    bad_option["formFields"] = json!([{ "name": "team_size", "value": "lots" }]);
    assert_eq!(
        book(&sandbox, &token, bad_option).await.status(),
        StatusCode::BAD_REQUEST
    );
    let mut with_field = booking(
        "sales-team/product-demo",
        "f@acme-widgets.com",
        demo_start,
        THIRTY_MINUTES_MS,
    );
    with_field["formFields"] = json!([{ "name": "team_size", "value": "11-50" }]);
    with_field["likelyAvailableUserIds"] = json!(["51200990"]);
    let response = book(&sandbox, &token, with_field).await;
    assert_eq!(response.status(), StatusCode::OK);
    let body: Value = response.json().await.expect("JSON");
    assert_eq!(body["formFields"][0]["name"], "team_size");

    let james_start = pick(&slots(&sandbox, &token, "james-carter", 2_700_000).await);
    let without_consent = book(
        &sandbox,
        &token,
        booking("james-carter", "c@acme-widgets.com", james_start, 2_700_000),
    )
    .await;
    assert_eq!(without_consent.status(), StatusCode::BAD_REQUEST);
    let mut refused = booking("james-carter", "c@acme-widgets.com", james_start, 2_700_000);
    refused["legalConsentResponses"] =
        json!([{ "communicationTypeId": "8410201", "consented": false }]);
    assert_eq!(
        book(&sandbox, &token, refused).await.status(),
        StatusCode::BAD_REQUEST
    );
    let mut consented = booking("james-carter", "c@acme-widgets.com", james_start, 2_700_000);
    consented["legalConsentResponses"] =
        json!([{ "communicationTypeId": "8410201", "consented": true }]);
    assert_eq!(
        book(&sandbox, &token, consented).await.status(),
        StatusCode::OK
    );
}

#[tokio::test]
async fn booking_rejects_bad_booker() {
    let sandbox = start().await;
    let token = sandbox.token().await;
    let start_ms = pick(
        &slots(
            &sandbox,
            &token,
            "sales-team%2Fproduct-demo",
            THIRTY_MINUTES_MS,
        )
        .await,
    );
    let base = || {
        let mut body = booking(
            "sales-team/product-demo",
            "ok@acme-widgets.com",
            start_ms,
            THIRTY_MINUTES_MS,
        );
        body["formFields"] = json!([{ "name": "team_size", "value": "1-10" }]);
        body
    };
    let mut throwaway = base();
    throwaway["email"] = json!("test@example.com");
    let body = error_body(book(&sandbox, &token, throwaway).await).await;
    assert_eq!(
        body["subCategory"],
        "MeetingsBookingSchedulingError.INVALID_EMAIL"
    );
    let mut malformed = base();
    malformed["email"] = json!("not-an-email");
    assert_eq!(
        error_body(book(&sandbox, &token, malformed).await).await["errors"][0]["code"],
        "INVALID_EMAIL"
    );
    let mut no_last_name = base();
    no_last_name["lastName"] = json!(" ");
    assert_eq!(
        book(&sandbox, &token, no_last_name).await.status(),
        StatusCode::BAD_REQUEST
    );
    let mut guests = base();
    guests["guestEmails"] = json!(["guest@acme-widgets.com"]);
    let body = error_body(book(&sandbox, &token, guests).await).await;
    assert_eq!(
        body["subCategory"],
        "MeetingsBookingSchedulingError.INVALID_EMAIL_GUESTS"
    );
    let mut missing = base();
    missing
        .as_object_mut()
        .expect("object")
        .remove("likelyAvailableUserIds");
    assert_eq!(
        book(&sandbox, &token, missing).await.status(),
        StatusCode::BAD_REQUEST,
        "required field"
    );
    let mut unknown = base();
    unknown["slug"] = json!("nobody");
    assert_eq!(
        book(&sandbox, &token, unknown).await.status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        book(&sandbox, &token, base()).await.status(),
        StatusCode::OK
    );
}

#[tokio::test]
async fn booking_updates_existing_contact() {
    let sandbox = start().await;
    let token = sandbox.token().await;
    let existing = sandbox
        .create_contact(
            &token,
            json!({ "email": "repeat@acme-widgets.com", "jobtitle": "COO" }),
        )
        .await;
    let start_ms = pick(&slots(&sandbox, &token, "ana-ruiz", 900_000).await);
    let mut body = booking("ana-ruiz", "Repeat@acme-widgets.com", start_ms, 900_000);
    body["guestEmails"] = json!(["colleague@acme-widgets.com"]);
    let response = book(&sandbox, &token, body).await;
    assert_eq!(response.status(), StatusCode::OK);
    let booked: Value = response.json().await.expect("JSON");
    assert_eq!(booked["contactId"], existing["id"]);
    assert_eq!(booked["guestEmails"][0], "colleague@acme-widgets.com");
}
