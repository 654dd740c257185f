-- Where people sent by an identity provider (SCIM) or a script (REST) without Roster's own
-- attributes land (issue 17; `roster::provisioning`). No foreign key on the default team leader,
-- as on users.leader_id: users are never deleted, and the rules judge the leader (able to manage
-- teams, active) each time it is used, so a leader who stops qualifying is simply not used.
ALTER TABLE organisations ADD COLUMN provision_leader_id BIGINT;
ALTER TABLE organisations ADD COLUMN provision_phone_channel BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE organisations ADD COLUMN provision_chat_channel BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE organisations ADD COLUMN provision_email_channel BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE organisations ADD COLUMN provision_can_manage_teams BOOLEAN NOT NULL DEFAULT FALSE;
-- Manage Team counts and filters the people who need a team leader (active, unable to manage
-- teams, no leader): a partial index keeps that count to the few it concerns.
CREATE INDEX users_needing_leader ON users (org_id)
    WHERE leader_id IS NULL AND can_manage_teams = FALSE AND status <> 'deactivated';
-- When an identity provider deleted the user (SCIM DELETE). Roster keeps the person, deactivated
-- with their history; SCIM answers 404 for them while they stay deactivated (reactivated, they
-- are visible again).
ALTER TABLE users ADD COLUMN scim_deleted_at BIGINT;
-- SCIM filters compare userName and employeeNumber ignoring case (`api::scim::narrow`): an
-- equality on the folded employee ID is an index lookup, as one on email_key is.
CREATE INDEX users_employee_id_folded ON users (org_id, LOWER(employee_id));
