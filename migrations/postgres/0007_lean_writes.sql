-- Every index and key of users earns its cost. A bulk create writes 100,000 rows at a time, and on
-- PostgreSQL each foreign key checks its parent row (and locks it, FOR KEY SHARE) once per new
-- row: the three below cost about as much as all of the table's indexes together.
--
-- Kept, with what each serves:
--   users_pkey                     every look-up by id.
--   users_email_key (UNIQUE)       one account per email address in an organisation: integrity,
--                                  and sign-in, the spreadsheets and SCIM find people by it.
--   users_employee_id (UNIQUE)     one person per Employee ID: integrity, and the spreadsheets
--                                  name team leaders by it.
--   users_name                     Manage Team's default order, one page at a time.
--   users_leader                   a team leader's team, walked one index look-up per person.
--   users_external_id (partial)    SCIM finds a provisioned person by the IdP's id; only they
--                                  have one, so rows without it are not in the index.
--
-- Dropped:
--   users_org_id_fkey     organisations are never deleted, and every row is written with the
--                         organisation of the session or API key that writes it.
--   users_role_id_fkey    a role is deleted only when nobody holds it: the deletion locks the
--                         role's row FOR UPDATE before counting its holders, and every write that
--                         assigns a role reads that row FOR SHARE, so neither can miss the other.
--   users_leader_id_fkey  users are never deleted (SCIM's DELETE deactivates), and the rules
--                         check every team leader before any write names one.
--   users_role            filtering Manage Team by role reads the organisation's users; the
--                         Roles tab counts holders with one grouped scan.
--   users_status          three values, each about a third of the users: a scan is as quick.
--   users_last_sign_in    only Deactivate Users filters by it, over the organisation's users.
ALTER TABLE users DROP CONSTRAINT users_org_id_fkey;
ALTER TABLE users DROP CONSTRAINT users_role_id_fkey;
ALTER TABLE users DROP CONSTRAINT users_leader_id_fkey;
DROP INDEX users_role;
DROP INDEX users_status;
DROP INDEX users_last_sign_in;
DROP INDEX users_external_id;
CREATE INDEX users_external_id ON users (org_id, external_id) WHERE external_id IS NOT NULL;

-- Room on each page for a changed row's new version, so that an update of columns no index
-- holds (a Home Town, a channel, a bio) stays on its page and writes no index (a HOT update).
ALTER TABLE users SET (fillfactor = 85);

-- Only held welcome emails are counted by organisation (Send Delayed Welcome Emails); the
-- worker finds the due ones through outbox_emails_due.
DROP INDEX outbox_emails_pending;
CREATE INDEX outbox_emails_held ON outbox_emails (org_id) WHERE held = TRUE AND sent_at IS NULL AND failed_at IS NULL;

-- The audit trail is written by the statement that does what it records, for the organisation and
-- the people that statement names; organisations and users are never deleted. Its keys checked
-- (and locked) those rows once per line: 200,000 look-ups for a 100,000-user bulk update.
ALTER TABLE audit_events DROP CONSTRAINT audit_events_org_id_fkey;
ALTER TABLE audit_events DROP CONSTRAINT audit_events_actor_id_fkey;
ALTER TABLE audit_events DROP CONSTRAINT audit_events_subject_id_fkey;
