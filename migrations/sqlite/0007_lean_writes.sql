-- Every index of users earns its cost (see the PostgreSQL migration of the same name for what
-- each serves). SQLite checks a foreign key with one look-up in a page it already holds, nearly
-- free, so users keep their keys here; rebuilding the table to drop them would gain nothing.
DROP INDEX users_role;
DROP INDEX users_status;
DROP INDEX users_last_sign_in;
DROP INDEX users_external_id;
CREATE INDEX users_external_id ON users (org_id, external_id) WHERE external_id IS NOT NULL;

-- Only held welcome emails are counted by organisation.
DROP INDEX outbox_emails_pending;
CREATE INDEX outbox_emails_held ON outbox_emails (org_id) WHERE held = TRUE AND sent_at IS NULL AND failed_at IS NULL;
