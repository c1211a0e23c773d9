//! Bookings. A row is inserted as `pending` before HubSpot is called, keyed
//! by the widget's idempotency key, so a resent key finds the first attempt.

use sqlx::Row;
use sqlx::any::AnyRow;

use super::push_jobs::{NewPushJob, insert_push_job};
use super::{Db, is_unique_violation, to_json_text};

/// Status of a booking.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum BookingStatus {
    /// Stored; HubSpot has not responded yet.
    Pending,
    /// HubSpot booked it.
    Confirmed,
    /// HubSpot rejected it, for the reason in `error`.
    Failed,
    /// HubSpot's response was lost and a check could not tell whether the
    /// meeting exists, so a person must look in HubSpot.
    Unknown,
}

impl BookingStatus {
    fn as_str(self) -> &'static str {
        match self {
            BookingStatus::Pending => "pending",
            BookingStatus::Confirmed => "confirmed",
            BookingStatus::Failed => "failed",
            BookingStatus::Unknown => "unknown",
        }
    }

    fn parse(value: &str) -> Self {
        match value {
            "confirmed" => BookingStatus::Confirmed,
            "failed" => BookingStatus::Failed,
            "unknown" => BookingStatus::Unknown,
            _ => BookingStatus::Pending,
        }
    }
}

/// A stored booking.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Booking {
    pub id: String,
    pub workspace_id: String,
    pub site_id: String,
    pub session_id: Option<String>,
    pub visitor_id: Option<String>,
    pub idempotency_key: String,
    pub slug: String,
    pub meeting_name: String,
    pub start_at: i64,
    pub duration_ms: i64,
    pub time_zone: String,
    pub locale: String,
    pub first_name: String,
    pub last_name: String,
    pub email: String,
    pub status: BookingStatus,
    pub hubspot_portal_id: Option<i64>,
    pub hubspot_contact_id: Option<String>,
    pub calendar_event_id: Option<String>,
    pub is_offline: bool,
    pub subject: Option<String>,
    pub error: Option<String>,
    pub created_at: i64,
    pub updated_at: i64,
}

/// Fields of a new pending booking.
#[derive(Debug, Clone)]
pub struct NewBooking {
    pub workspace_id: String,
    pub site_id: String,
    pub session_id: Option<String>,
    pub idempotency_key: String,
    pub slug: String,
    pub meeting_name: String,
    pub start_at: i64,
    pub duration_ms: i64,
    pub time_zone: String,
    pub locale: String,
    pub first_name: String,
    pub last_name: String,
    pub email: String,
    pub answers: serde_json::Value,
}

/// HubSpot's response to a confirmed booking.
#[derive(Debug, Clone)]
pub struct BookingConfirmation {
    pub portal_id: Option<i64>,
    pub contact_id: Option<String>,
    pub calendar_event_id: Option<String>,
    pub is_offline: bool,
    pub subject: Option<String>,
}

/// Outcome of [`Db::insert_pending_booking`].
pub enum InsertedBooking {
    /// This call created the row; the caller books with HubSpot.
    Created(Booking),
    /// The idempotency key was used before; this is the first attempt's row.
    Existing(Booking),
}

const COLUMNS: &str = "id, workspace_id, site_id, session_id, visitor_id, idempotency_key, slug, \
    meeting_name, start_at, duration_ms, time_zone, locale, first_name, last_name, email, status, \
    hubspot_portal_id, hubspot_contact_id, calendar_event_id, is_offline, subject, error, \
    created_at, updated_at";

impl Db {
    /// Inserts a pending booking, or returns the row already stored under the
    /// same workspace and idempotency key.
    pub async fn insert_pending_booking(
        &self,
        new: &NewBooking,
        now_ms: i64,
    ) -> Result<InsertedBooking, sqlx::Error> {
        let id = uuid::Uuid::new_v4().to_string();
        let inserted = sqlx::query(
            "INSERT INTO bookings (id, workspace_id, site_id, session_id, idempotency_key, slug, \
             meeting_name, start_at, duration_ms, time_zone, locale, first_name, last_name, email, \
             answers, status, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, 'pending', $16, $16)",
        )
        .bind(&id)
        .bind(&new.workspace_id)
        .bind(&new.site_id)
        .bind(&new.session_id)
        .bind(&new.idempotency_key)
        .bind(&new.slug)
        .bind(&new.meeting_name)
        .bind(new.start_at)
        .bind(new.duration_ms)
        .bind(&new.time_zone)
        .bind(&new.locale)
        .bind(&new.first_name)
        .bind(&new.last_name)
        .bind(&new.email)
        .bind(to_json_text(&new.answers))
        .bind(now_ms)
        .execute(self.pool())
        .await;
        match inserted {
            Ok(_) => {
                let booking = self.booking(&new.workspace_id, &id).await?;
                Ok(InsertedBooking::Created(booking.expect("row inserted just now")))
            }
            Err(error) if is_unique_violation(&error, "bookings_workspace_idempotency") => {
                let existing = self
                    .booking_by_idempotency_key(&new.workspace_id, &new.idempotency_key)
                    .await?
                    .ok_or(error)?;
                Ok(InsertedBooking::Existing(existing))
            }
            Err(error) => Err(error),
        }
    }

    /// Finds a booking of a workspace by id.
    pub async fn booking(&self, workspace_id: &str, id: &str) -> Result<Option<Booking>, sqlx::Error> {
        let sql = format!("SELECT {COLUMNS} FROM bookings WHERE workspace_id = $1 AND id = $2");
        let row = sqlx::query(&sql).bind(workspace_id).bind(id).fetch_optional(self.pool()).await?;
        Ok(row.as_ref().map(booking_from_row))
    }

    /// Finds a booking of a workspace by its idempotency key.
    pub async fn booking_by_idempotency_key(
        &self,
        workspace_id: &str,
        key: &str,
    ) -> Result<Option<Booking>, sqlx::Error> {
        let sql =
            format!("SELECT {COLUMNS} FROM bookings WHERE workspace_id = $1 AND idempotency_key = $2");
        let row = sqlx::query(&sql).bind(workspace_id).bind(key).fetch_optional(self.pool()).await?;
        Ok(row.as_ref().map(booking_from_row))
    }

    /// Lists a workspace's bookings, newest first.
    pub async fn recent_bookings(
        &self,
        workspace_id: &str,
        limit: i64,
        before_created_at: Option<i64>,
    ) -> Result<Vec<Booking>, sqlx::Error> {
        let sql = format!(
            "SELECT {COLUMNS} FROM bookings WHERE workspace_id = $1 AND created_at < $2 \
             ORDER BY created_at DESC, id DESC LIMIT $3"
        );
        let rows = sqlx::query(&sql)
            .bind(workspace_id)
            .bind(before_created_at.unwrap_or(i64::MAX))
            .bind(limit)
            .fetch_all(self.pool())
            .await?;
        Ok(rows.iter().map(booking_from_row).collect())
    }

    /// Confirmed bookings made in one widget session, oldest first.
    pub async fn confirmed_bookings_of_session(
        &self,
        session_id: &str,
    ) -> Result<Vec<Booking>, sqlx::Error> {
        let sql = format!(
            "SELECT {COLUMNS} FROM bookings WHERE session_id = $1 AND status = 'confirmed' \
             ORDER BY created_at"
        );
        let rows = sqlx::query(&sql).bind(session_id).fetch_all(self.pool()).await?;
        Ok(rows.iter().map(booking_from_row).collect())
    }

    /// Marks a pending booking confirmed with HubSpot's response and records
    /// the booker's push in the same transaction, so a confirmed booking
    /// always has its push queued. Returns the push job id.
    pub async fn confirm_booking(
        &self,
        id: &str,
        confirmation: &BookingConfirmation,
        push: &NewPushJob,
        now_ms: i64,
    ) -> Result<String, sqlx::Error> {
        let mut transaction = self.pool().begin().await?;
        sqlx::query(
            "UPDATE bookings SET status = 'confirmed', hubspot_portal_id = $1, hubspot_contact_id = $2, \
             calendar_event_id = $3, is_offline = $4, subject = $5, visitor_id = $6, error = NULL, \
             updated_at = $7 WHERE id = $8",
        )
        .bind(confirmation.portal_id)
        .bind(&confirmation.contact_id)
        .bind(&confirmation.calendar_event_id)
        .bind(i64::from(confirmation.is_offline))
        .bind(&confirmation.subject)
        .bind(&push.visitor_id)
        .bind(now_ms)
        .bind(id)
        .execute(&mut *transaction)
        .await?;
        let push_job_id = insert_push_job(&mut transaction, push, now_ms).await?;
        transaction.commit().await?;
        Ok(push_job_id)
    }

    /// Records a booking's final failure or unknown outcome.
    pub async fn finish_booking_unconfirmed(
        &self,
        id: &str,
        status: BookingStatus,
        error: &str,
        now_ms: i64,
    ) -> Result<(), sqlx::Error> {
        sqlx::query("UPDATE bookings SET status = $1, error = $2, updated_at = $3 WHERE id = $4")
            .bind(status.as_str())
            .bind(error)
            .bind(now_ms)
            .bind(id)
            .execute(self.pool())
            .await?;
        Ok(())
    }
}

fn booking_from_row(row: &AnyRow) -> Booking {
    let status: String = row.get("status");
    let is_offline: i64 = row.get("is_offline");
    Booking {
        id: row.get("id"),
        workspace_id: row.get("workspace_id"),
        site_id: row.get("site_id"),
        session_id: row.get("session_id"),
        visitor_id: row.get("visitor_id"),
        idempotency_key: row.get("idempotency_key"),
        slug: row.get("slug"),
        meeting_name: row.get("meeting_name"),
        start_at: row.get("start_at"),
        duration_ms: row.get("duration_ms"),
        time_zone: row.get("time_zone"),
        locale: row.get("locale"),
        first_name: row.get("first_name"),
        last_name: row.get("last_name"),
        email: row.get("email"),
        status: BookingStatus::parse(&status),
        hubspot_portal_id: row.get("hubspot_portal_id"),
        hubspot_contact_id: row.get("hubspot_contact_id"),
        calendar_event_id: row.get("calendar_event_id"),
        is_offline: is_offline != 0,
        subject: row.get("subject"),
        error: row.get("error"),
        created_at: row.get("created_at"),
        updated_at: row.get("updated_at"),
    }
}
