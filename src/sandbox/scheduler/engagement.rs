//! The meeting engagement a booking logs in the CRM when it lands on a
//! member whose calendar is connected.

use super::model::{Link, User};
use crate::sandbox::associations::types::MEETING_TO_CONTACT;
use crate::sandbox::crm::{ObjectType, Properties, WriteClock};
use crate::sandbox::ids;
use crate::sandbox::state::World;

/// `hs_meeting_outcome` of a freshly booked meeting.
const OUTCOME_SCHEDULED: &str = "SCHEDULED";
/// `hs_meeting_source` of a meeting booked through the public API.
const SOURCE_INTEGRATION: &str = "INTEGRATION";

/// The facts of a booked meeting that its engagement stores.
pub(crate) struct BookedMeeting<'a> {
    pub link: &'a Link,
    pub member: &'a User,
    pub contact_id: u64,
    pub title: String,
    pub start_ms: i64,
    pub end_ms: i64,
}

/// Creates the meeting record, owned by the member it landed on, and
/// associates it with the booker's contact both ways (types 200 and 199).
/// Returns the record id. The caller holds the world lock, so the record
/// and the booking appear together.
pub(crate) fn log_meeting(
    world: &mut World,
    meeting: &BookedMeeting<'_>,
    clock: WriteClock,
) -> u64 {
    let mut values = Properties::new();
    values.insert("hs_meeting_title".into(), meeting.title.clone());
    values.insert(
        "hs_meeting_start_time".into(),
        ids::iso_ms(meeting.start_ms),
    );
    values.insert("hs_meeting_end_time".into(), ids::iso_ms(meeting.end_ms));
    values.insert("hs_timestamp".into(), ids::iso_ms(meeting.start_ms));
    values.insert("hs_meeting_outcome".into(), OUTCOME_SCHEDULED.into());
    values.insert("hs_meeting_source".into(), SOURCE_INTEGRATION.into());
    values.insert("hubspot_owner_id".into(), meeting.member.owner_id.clone());
    values.insert("hs_meeting_location".into(), meeting.link.location.clone());
    let record = world
        .crm
        .create(ObjectType::Meetings, values, clock.now_ms, clock.lag_ms);
    world.associations.associate(
        (ObjectType::Meetings, record.id),
        (ObjectType::Contacts, meeting.contact_id),
        MEETING_TO_CONTACT,
    );
    record.id
}
