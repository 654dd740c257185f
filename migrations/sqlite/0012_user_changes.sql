-- What each change of one user changed, by version (issue 18: a stale bulk-update file merges
-- field by field instead of conflicting). One row per version a single-user write made (the user
-- form, REST, SCIM): `changes` is `{"field": [before, after], …}` in the spreadsheet's words, as
-- the audit trail writes it; who made it is a person (`by_user`) or an API key (`by_key`, an
-- identity provider or a script). A version with no row here (a bulk update, a deactivation) is
-- a change whose fields are unknown: a file older than it conflicts as before.
CREATE TABLE user_changes (
    org_id  BIGINT NOT NULL REFERENCES organisations(id),
    user_id BIGINT NOT NULL,
    version BIGINT NOT NULL,
    changes TEXT NOT NULL,
    by_user BIGINT,
    by_key  BIGINT,
    at      BIGINT NOT NULL,
    PRIMARY KEY (user_id, version)
);
CREATE INDEX user_changes_by_org ON user_changes (org_id, at);
