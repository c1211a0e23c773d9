//! The visit note added to the contact on every push: pages visited, the
//! booking, the quality score.

use chrono::{DateTime, SecondsFormat, Utc};

use super::crm::Properties;
use crate::storage::push_jobs::BookingForPush;
use crate::storage::visitors::{PageView, VisitorRecord};

/// Pages listed in one note, newest first.
pub const NOTE_PAGES: i64 = 20;

/// Facts the note lists.
#[derive(Debug, Clone)]
pub struct NoteFacts<'a> {
    pub visitor: &'a VisitorRecord,
    pub pages: &'a [PageView],
    pub booking: Option<&'a BookingForPush>,
    /// `booking`, `manual`, `bulk` or `workflow`.
    pub reason: &'a str,
    /// The push's id, written into the note so it can be traced back.
    pub push_id: &'a str,
    pub now_ms: i64,
}

/// Builds `hs_timestamp` and `hs_note_body`. The body is simple HTML,
/// because HubSpot shows notes as rich text; every value is escaped.
pub fn note_properties(facts: &NoteFacts<'_>) -> Properties {
    let mut body = format!(
        "<p><strong>slotchat visit</strong> ({} push)</p>",
        escape(facts.reason)
    );
    if let Some(booking) = facts.booking {
        let offline = if booking.is_offline {
            " (offline: no calendar event was created)"
        } else {
            ""
        };
        body.push_str(&format!(
            "<p>Booked {} for {} ({}){}.</p>",
            escape(&booking.meeting_name),
            instant(booking.start_at),
            escape(&booking.time_zone),
            offline
        ));
    }
    if let Some(score) = facts.visitor.quality_score {
        body.push_str(&format!("<p>Quality score: {score}/100.</p>"));
    }
    if !facts.pages.is_empty() {
        body.push_str("<p>Pages visited (newest first):</p><ul>");
        for page in facts.pages {
            let title = page
                .title
                .as_deref()
                .map(|title| format!("{}: ", escape(title)))
                .unwrap_or_default();
            body.push_str(&format!(
                "<li>{title}{} at {}</li>",
                escape(&page.url),
                instant(page.viewed_at)
            ));
        }
        body.push_str("</ul>");
    }
    body.push_str(&format!("<p>Push id: {}</p>", escape(facts.push_id)));
    Properties::from([
        ("hs_timestamp".to_string(), instant(facts.now_ms)),
        ("hs_note_body".to_string(), body),
    ])
}

fn instant(ms: i64) -> String {
    DateTime::<Utc>::from_timestamp_millis(ms)
        .unwrap_or_default()
        .to_rfc3339_opts(SecondsFormat::Millis, true)
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}
