-- Push serialisation. A worker claims a visitor (`push_claimed_by`,
-- `push_claimed_until`) for the length of one push, so two workers or two
-- instances never push the same visitor at the same moment.
ALTER TABLE visitors ADD COLUMN push_claimed_by TEXT;
ALTER TABLE visitors ADD COLUMN push_claimed_until BIGINT;

-- HubSpot companies slotchat created or matched, per workspace and portal.
-- `company_key` is `domain:acme.com` or `visitor:<visitor id>` for a company
-- without a domain. The row is claimed while its company is looked up or
-- created, because HubSpot has no unique key for companies and its search
-- lags behind writes: without the claim, two pushes could both miss the
-- search and create two companies.
CREATE TABLE hubspot_companies (
    workspace_id TEXT NOT NULL REFERENCES workspaces (id),
    portal_id BIGINT NOT NULL,
    company_key TEXT NOT NULL,
    hubspot_company_id TEXT,
    claimed_by TEXT,
    claimed_until BIGINT,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (workspace_id, portal_id, company_key)
);

CREATE INDEX push_jobs_workspace_status ON push_jobs (workspace_id, status);
