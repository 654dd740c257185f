-- Headers an organisation has told Roster the meaning of (issue 18; `roster::stray`): "Phone" is
-- its Phone Channel, "Notes" is ignored. Every later file of the organisation, from the browser,
-- the command line or the HTTP API, is read with them. `header_key` is the header as headers are
-- compared (lowercased, spacing collapsed, a `*` dropped); `meaning` a field's key, or "ignore".
CREATE TABLE column_names (
    org_id     BIGINT NOT NULL REFERENCES organisations(id),
    header_key TEXT NOT NULL,
    header     TEXT NOT NULL,
    meaning    TEXT NOT NULL,
    created_by BIGINT,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (org_id, header_key)
);
