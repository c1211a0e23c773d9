//! Visitors: identified people (by email, external id or company domain)
//! and anonymous widget visitors, with their pages and push state.

mod activity;
mod identify;
pub(crate) mod push_state;
mod read;
mod save;

pub use push_state::{PushFailure, PushSuccess, SkippedField};
pub use read::{PageView, VisitorCursor, VisitorFilter, VisitorRecord};
pub use save::{SaveVisitorError, SavedVisitor};
pub use identify::LinkedVisitor;

/// Push statuses stored in `visitors.push_status`.
pub mod push_status {
    /// Never queued.
    pub const NOT_PUSHED: &str = "not_pushed";
    /// A push is queued or running.
    pub const QUEUED: &str = "queued";
    /// The last push reached HubSpot.
    pub const PUSHED: &str = "pushed";
    /// The last push failed and will not be retried on its own.
    pub const FAILED: &str = "failed";
    /// A person must act first (reconnect HubSpot); the push resumes after.
    pub const WAITING: &str = "waiting";

    /// Every status, for validating filters.
    pub const ALL: &[&str] = &[NOT_PUSHED, QUEUED, PUSHED, FAILED, WAITING];
}

/// Columns read by [`read::visitor_from_row`], in one place.
const VISITOR_COLUMNS: &str = "id, workspace_id, site_id, anonymous_id, email, external_id, \
     first_name, last_name, job_title, city, country, lead_status, linkedin_url, quality_score, \
     company, data_version, push_status, last_pushed_at, pushed_data_version, hubspot_portal_id, \
     hubspot_contact_id, hubspot_company_id, last_error, last_error_action, skipped_fields, \
     created_at, updated_at";
