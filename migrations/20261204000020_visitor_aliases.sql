-- Anonymous widget ids linked to an identified visitor. When a widget
-- visitor identifies as someone already stored, its anonymous visitor is
-- merged into that visitor and removed, and this row makes later page views
-- with the same anonymous id land on the identified visitor. One visitor can
-- have several anonymous ids (one per browser).
CREATE TABLE visitor_aliases (
    workspace_id TEXT NOT NULL REFERENCES workspaces (id),
    anonymous_id TEXT NOT NULL,
    visitor_id TEXT NOT NULL REFERENCES visitors (id),
    created_at BIGINT NOT NULL,
    PRIMARY KEY (workspace_id, anonymous_id)
);
CREATE INDEX visitor_aliases_visitor ON visitor_aliases (visitor_id);
