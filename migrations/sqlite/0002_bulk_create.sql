-- Bulk imports: each committed batch (who, when, which file, counts), one entry per user it touched,
-- the outbox of welcome emails written in the same transaction, and organisation API keys for
-- automation. Only the SHA-256 of an API key is stored.
--
-- import_batch_users and outbox_emails have no foreign keys on purpose: their rows are written only
-- by the commit that creates the users and the batch they name, in the same transaction, and users
-- are never deleted. On PostgreSQL each key would cost a locking look-up per row: 2.5 s of a
-- 100,000-user commit.

CREATE TABLE api_keys (
    id           INTEGER PRIMARY KEY,
    org_id       BIGINT NOT NULL REFERENCES organisations(id),
    name         TEXT NOT NULL,
    token_hash   TEXT NOT NULL UNIQUE,
    created_at   BIGINT NOT NULL,
    last_used_at BIGINT,
    revoked_at   BIGINT
);
CREATE INDEX api_keys_org ON api_keys (org_id);

CREATE TABLE import_batches (
    id                   INTEGER PRIMARY KEY,
    org_id               BIGINT NOT NULL REFERENCES organisations(id),
    actor_id             BIGINT REFERENCES users(id),
    api_key_id           BIGINT REFERENCES api_keys(id),
    source               TEXT NOT NULL,
    mode                 TEXT NOT NULL,
    file_name            TEXT NOT NULL,
    file_sha256          TEXT NOT NULL,
    idempotency_key      TEXT,
    new_count            BIGINT NOT NULL,
    changed_count        BIGINT NOT NULL,
    unchanged_count      BIGINT NOT NULL,
    delay_welcome_emails INTEGER NOT NULL,
    created_at           BIGINT NOT NULL
);
CREATE UNIQUE INDEX import_batches_idempotency ON import_batches (org_id, idempotency_key);
CREATE INDEX import_batches_org ON import_batches (org_id, id);

CREATE TABLE import_batch_users (
    batch_id   BIGINT NOT NULL,
    org_id     BIGINT NOT NULL,
    user_id    BIGINT NOT NULL,
    row_number BIGINT NOT NULL,
    action     TEXT NOT NULL,
    detail     TEXT NOT NULL,
    PRIMARY KEY (batch_id, user_id)
);

CREATE TABLE outbox_emails (
    id         INTEGER PRIMARY KEY,
    org_id     BIGINT NOT NULL,
    user_id    BIGINT NOT NULL,
    kind       TEXT NOT NULL,
    batch_id   BIGINT,
    held       INTEGER NOT NULL,
    created_at BIGINT NOT NULL,
    sent_at    BIGINT
);
CREATE INDEX outbox_emails_pending ON outbox_emails (org_id, held, sent_at);
