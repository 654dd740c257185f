-- Roles, groups and deactivation: the default roles are marked built in (they cannot be renamed,
-- deactivated or deleted, because a blank Role is derived from them), and Deactivate Users filters
-- by last sign-in.

ALTER TABLE roles ADD COLUMN built_in BOOLEAN NOT NULL DEFAULT FALSE;
UPDATE roles SET built_in = TRUE WHERE name IN ('Admin', 'Team Leader', 'Team Member');

CREATE INDEX users_last_sign_in ON users (org_id, last_sign_in_at);
