-- The identity provider's userName, kept as sent when it is neither the user's email address nor
-- their employee ID (an Okta login such as "jdoe" beside an employeeNumber): SCIM answers with it
-- and finds the user by it (`api::scim::users`). Unique ignoring case within an organisation, as
-- RFC 7643 makes userName; blank for everyone whose userName is their email or employee ID.
ALTER TABLE users ADD COLUMN scim_user_name TEXT;
CREATE UNIQUE INDEX users_scim_user_name ON users (org_id, LOWER(scim_user_name))
    WHERE scim_user_name IS NOT NULL;
