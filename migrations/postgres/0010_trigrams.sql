-- Each user's searchable texts (`search_text`: names, email address and employee ID, lowercased;
-- and the kept SCIM userName) by trigram, so that a substring, prefix or name filter reads only
-- the users whose texts hold what it asks for (`storage::narrow`).
--
-- The texts are copied into a table of their own, written only when they change, and indexed
-- there: an update of anything else (a Home Town, a channel, a bulk update of 100,000 users) never
-- writes a trigram. A GIN index on `users` itself would be written again by every update that
-- is not HOT, whatever it changed: it made the 100,000-user bulk update 2.4–2.6 s → 3.2–3.3 s.
-- Triggers keep the copy: a statement trigger for inserts (one statement for a bulk create's
-- 100,000 rows, not 100,000 calls), a row trigger for the updates that change the texts.
--
-- pg_trgm ships with PostgreSQL's contrib and is a trusted extension (13 and later): the
-- database's owner may create it. Where it cannot be had the table is kept all the same, and the
-- filters answer by reading it.
--
-- `meta.lastModified` has no index, on purpose: every write changes `updated_at`, so an index on
-- it would end every HOT update (0007); measured, it made a 100,000-row update 70% slower.
CREATE TABLE user_search (
    user_id BIGINT PRIMARY KEY,
    text    TEXT NOT NULL
);
INSERT INTO user_search (user_id, text)
    SELECT id, search_text || ' ' || LOWER(COALESCE(scim_user_name, '')) FROM users;

CREATE FUNCTION user_search_added() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO user_search (user_id, text)
        SELECT id, search_text || ' ' || LOWER(COALESCE(scim_user_name, '')) FROM added;
    RETURN NULL;
END
$$;
CREATE TRIGGER user_search_added AFTER INSERT ON users
    REFERENCING NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION user_search_added();

CREATE FUNCTION user_search_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE user_search SET text = NEW.search_text || ' ' || LOWER(COALESCE(NEW.scim_user_name, ''))
        WHERE user_id = NEW.id;
    RETURN NULL;
END
$$;
-- A row trigger whose condition PostgreSQL tests before calling it: an update that leaves the
-- texts as they were (a bulk update of Home Towns) costs a comparison per row, and nothing else.
CREATE TRIGGER user_search_changed AFTER UPDATE OF search_text, scim_user_name ON users FOR EACH ROW
    WHEN (OLD.search_text IS DISTINCT FROM NEW.search_text OR OLD.scim_user_name IS DISTINCT FROM NEW.scim_user_name)
    EXECUTE FUNCTION user_search_changed();

CREATE FUNCTION user_search_removed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM user_search s USING removed r WHERE s.user_id = r.id;
    RETURN NULL;
END
$$;
CREATE TRIGGER user_search_removed AFTER DELETE ON users
    REFERENCING OLD TABLE AS removed FOR EACH STATEMENT EXECUTE FUNCTION user_search_removed();

DO $$
BEGIN
    CREATE EXTENSION IF NOT EXISTS pg_trgm;
    CREATE INDEX user_search_trigrams ON user_search USING gin (text gin_trgm_ops);
EXCEPTION WHEN OTHERS THEN
    RAISE WARNING 'Roster: no trigram index (%); SCIM substring filters will read every user', SQLERRM;
END
$$;
