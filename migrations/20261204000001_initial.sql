-- Initial schema. Written in the SQL common to SQLite and PostgreSQL so one
-- migration set serves both: ids are TEXT (UUIDs made by the service),
-- instants are BIGINT milliseconds since the Unix epoch (UTC), flags are
-- BIGINT 0 or 1, and structured values are JSON text.

CREATE TABLE workspaces (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    admin_token_hash TEXT NOT NULL UNIQUE,
    created_at BIGINT NOT NULL
);

CREATE TABLE sites (
    id TEXT PRIMARY KEY,
    workspace_id TEXT NOT NULL REFERENCES workspaces (id),
    name TEXT NOT NULL,
    site_key TEXT NOT NULL UNIQUE,
    allowed_origins TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX sites_workspace ON sites (workspace_id);

-- One HubSpot connection per workspace. Tokens are encrypted with the
-- configured encryption key. A disconnect clears the tokens and keeps the row
-- so the portal id of earlier pushes stays known.
CREATE TABLE hubspot_connections (
    workspace_id TEXT PRIMARY KEY REFERENCES workspaces (id),
    status TEXT NOT NULL,
    portal_id BIGINT,
    hub_domain TEXT,
    scopes TEXT NOT NULL DEFAULT '[]',
    access_token_enc TEXT,
    access_expires_at BIGINT,
    refresh_token_enc TEXT,
    connected_at BIGINT,
    disconnected_at BIGINT,
    last_error TEXT,
    token_version BIGINT NOT NULL DEFAULT 0,
    updated_at BIGINT NOT NULL
);

CREATE TABLE oauth_states (
    state_hash TEXT PRIMARY KEY,
    workspace_id TEXT NOT NULL REFERENCES workspaces (id),
    expires_at BIGINT NOT NULL,
    created_at BIGINT NOT NULL
);

CREATE TABLE visitors (
    id TEXT PRIMARY KEY,
    workspace_id TEXT NOT NULL REFERENCES workspaces (id),
    site_id TEXT REFERENCES sites (id),
    anonymous_id TEXT,
    email TEXT,
    external_id TEXT,
    first_name TEXT,
    last_name TEXT,
    job_title TEXT,
    phone TEXT,
    website TEXT,
    city TEXT,
    country TEXT,
    lead_status TEXT,
    linkedin_url TEXT,
    quality_score BIGINT,
    company TEXT NOT NULL DEFAULT '{}',
    data_version BIGINT NOT NULL DEFAULT 1,
    push_status TEXT NOT NULL DEFAULT 'not_pushed',
    last_pushed_at BIGINT,
    pushed_data_version BIGINT,
    hubspot_portal_id BIGINT,
    hubspot_contact_id TEXT,
    hubspot_company_id TEXT,
    last_error TEXT,
    last_error_action TEXT,
    skipped_fields TEXT NOT NULL DEFAULT '[]',
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX visitors_workspace_email ON visitors (workspace_id, email);
CREATE UNIQUE INDEX visitors_workspace_external_id ON visitors (workspace_id, external_id);
CREATE UNIQUE INDEX visitors_workspace_anonymous_id ON visitors (workspace_id, anonymous_id);
CREATE INDEX visitors_workspace_status ON visitors (workspace_id, push_status);

CREATE TABLE page_views (
    id TEXT PRIMARY KEY,
    workspace_id TEXT NOT NULL REFERENCES workspaces (id),
    visitor_id TEXT NOT NULL REFERENCES visitors (id),
    url TEXT NOT NULL,
    title TEXT,
    viewed_at BIGINT NOT NULL
);
CREATE INDEX page_views_visitor ON page_views (visitor_id, viewed_at);

CREATE TABLE widget_sessions (
    id TEXT PRIMARY KEY,
    site_id TEXT NOT NULL REFERENCES sites (id),
    workspace_id TEXT NOT NULL REFERENCES workspaces (id),
    resume_token_hash TEXT NOT NULL UNIQUE,
    visitor_id TEXT REFERENCES visitors (id),
    time_zone TEXT NOT NULL,
    locale TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    last_seen_at BIGINT NOT NULL
);

-- A booking row is written before HubSpot is called (status `pending`) so a
-- repeated idempotency key finds it and never books twice.
CREATE TABLE bookings (
    id TEXT PRIMARY KEY,
    workspace_id TEXT NOT NULL REFERENCES workspaces (id),
    site_id TEXT NOT NULL REFERENCES sites (id),
    session_id TEXT,
    visitor_id TEXT REFERENCES visitors (id),
    idempotency_key TEXT NOT NULL,
    slug TEXT NOT NULL,
    meeting_name TEXT NOT NULL,
    start_at BIGINT NOT NULL,
    duration_ms BIGINT NOT NULL,
    time_zone TEXT NOT NULL,
    locale TEXT NOT NULL,
    first_name TEXT NOT NULL,
    last_name TEXT NOT NULL,
    email TEXT NOT NULL,
    answers TEXT NOT NULL DEFAULT '[]',
    status TEXT NOT NULL,
    hubspot_portal_id BIGINT,
    hubspot_contact_id TEXT,
    calendar_event_id TEXT,
    is_offline BIGINT NOT NULL DEFAULT 0,
    subject TEXT,
    error TEXT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX bookings_workspace_idempotency ON bookings (workspace_id, idempotency_key);
CREATE INDEX bookings_workspace_created ON bookings (workspace_id, created_at);

CREATE TABLE bulk_push_jobs (
    id TEXT PRIMARY KEY,
    workspace_id TEXT NOT NULL REFERENCES workspaces (id),
    total BIGINT NOT NULL,
    created_at BIGINT NOT NULL
);

-- The push outbox. A row is inserted before HubSpot is called; workers claim
-- rows with a conditional UPDATE and a lease (`claimed_until`), so a crashed
-- worker's rows become claimable again when the lease runs out.
CREATE TABLE push_jobs (
    id TEXT PRIMARY KEY,
    workspace_id TEXT NOT NULL REFERENCES workspaces (id),
    visitor_id TEXT NOT NULL REFERENCES visitors (id),
    bulk_job_id TEXT REFERENCES bulk_push_jobs (id),
    booking_id TEXT REFERENCES bookings (id),
    reason TEXT NOT NULL,
    priority BIGINT NOT NULL,
    status TEXT NOT NULL,
    attempts BIGINT NOT NULL DEFAULT 0,
    next_attempt_at BIGINT NOT NULL,
    claimed_by TEXT,
    claimed_until BIGINT,
    last_error TEXT,
    result TEXT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX push_jobs_due ON push_jobs (status, priority, next_attempt_at);
CREATE INDEX push_jobs_visitor ON push_jobs (visitor_id);
CREATE INDEX push_jobs_bulk ON push_jobs (bulk_job_id);

CREATE TABLE workflows (
    id TEXT PRIMARY KEY,
    workspace_id TEXT NOT NULL REFERENCES workspaces (id),
    name TEXT NOT NULL,
    active BIGINT NOT NULL,
    match_mode TEXT NOT NULL,
    conditions TEXT NOT NULL,
    action TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX workflows_workspace ON workflows (workspace_id);

-- One run per workflow, visitor and visitor data version: the unique index
-- is what makes a workflow push a visitor once per change of its data.
CREATE TABLE workflow_runs (
    id TEXT PRIMARY KEY,
    workspace_id TEXT NOT NULL REFERENCES workspaces (id),
    workflow_id TEXT NOT NULL REFERENCES workflows (id),
    visitor_id TEXT NOT NULL REFERENCES visitors (id),
    data_version BIGINT NOT NULL,
    trigger_event TEXT NOT NULL,
    push_job_id TEXT REFERENCES push_jobs (id),
    outcome TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX workflow_runs_once ON workflow_runs (workflow_id, visitor_id, data_version);
