-- SCIM 2.0: an identity provider's own id for each user and group it provisions (`externalId`),
-- kept exactly as it sent it and found by it.

ALTER TABLE users ADD COLUMN external_id TEXT;
ALTER TABLE groups ADD COLUMN external_id TEXT;
CREATE INDEX users_external_id ON users (org_id, external_id);
