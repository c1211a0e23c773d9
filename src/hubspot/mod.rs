//! The HubSpot client: OAuth tokens per workspace, rate limits, meetings and CRM calls.
