-- Welcome emails and first sign-in: the outbox's delivery state (attempts, backoff, a claim that
-- lets several server processes share the work, permanent failures), single-use set-password
-- links (only the SHA-256 of a link's token is stored) and profile photos.

ALTER TABLE outbox_emails ADD COLUMN attempts BIGINT NOT NULL DEFAULT 0;
ALTER TABLE outbox_emails ADD COLUMN next_attempt_at BIGINT NOT NULL DEFAULT 0;
-- A worker that claims a row owns it until this time; a crashed worker's rows come back after it.
ALTER TABLE outbox_emails ADD COLUMN claimed_until BIGINT;
ALTER TABLE outbox_emails ADD COLUMN failed_at BIGINT;
ALTER TABLE outbox_emails ADD COLUMN last_error TEXT;
-- When Send Delayed Welcome Emails released a held email.
ALTER TABLE outbox_emails ADD COLUMN released_at BIGINT;
CREATE INDEX outbox_emails_due ON outbox_emails (next_attempt_at, id)
    WHERE held = FALSE AND sent_at IS NULL AND failed_at IS NULL;
CREATE INDEX outbox_emails_user ON outbox_emails (user_id, id);

CREATE TABLE password_links (
    token_hash TEXT PRIMARY KEY,
    org_id     BIGINT NOT NULL REFERENCES organisations(id),
    user_id    BIGINT NOT NULL REFERENCES users(id),
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    used_at    BIGINT
);
CREATE INDEX password_links_user ON password_links (user_id);

CREATE TABLE user_photos (
    user_id      BIGINT PRIMARY KEY REFERENCES users(id),
    org_id       BIGINT NOT NULL REFERENCES organisations(id),
    content_type TEXT NOT NULL,
    bytes        BLOB NOT NULL,
    updated_at   BIGINT NOT NULL
);
