-- Each user's searchable texts (`search_text`: names, email address and employee ID, lowercased;
-- and the kept SCIM userName) by trigram, so that a substring, prefix or name filter reads only
-- the users whose texts hold what it asks for (`Backend::push_holding`). FTS5's trigram tokenizer
-- folds case. An external-content table: the texts stay in `users`, and these triggers keep the
-- index in step with them (SQLite's documented pattern, so any sqlite3 since 3.34 can read it).
CREATE VIRTUAL TABLE users_trigrams USING fts5(
    search_text, scim_user_name, content = 'users', content_rowid = 'id', tokenize = 'trigram'
);
INSERT INTO users_trigrams (users_trigrams) VALUES ('rebuild');

CREATE TRIGGER users_trigrams_insert AFTER INSERT ON users BEGIN
    INSERT INTO users_trigrams (rowid, search_text, scim_user_name)
        VALUES (new.id, new.search_text, new.scim_user_name);
END;

CREATE TRIGGER users_trigrams_update AFTER UPDATE OF search_text, scim_user_name ON users
WHEN old.search_text IS NOT new.search_text OR old.scim_user_name IS NOT new.scim_user_name BEGIN
    INSERT INTO users_trigrams (users_trigrams, rowid, search_text, scim_user_name)
        VALUES ('delete', old.id, old.search_text, old.scim_user_name);
    INSERT INTO users_trigrams (rowid, search_text, scim_user_name)
        VALUES (new.id, new.search_text, new.scim_user_name);
END;

CREATE TRIGGER users_trigrams_delete AFTER DELETE ON users BEGIN
    INSERT INTO users_trigrams (users_trigrams, rowid, search_text, scim_user_name)
        VALUES ('delete', old.id, old.search_text, old.scim_user_name);
END;
