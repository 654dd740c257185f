-- Import jobs: a bulk create or bulk update submitted by the browser, the HTTP API or the command
-- line, stored with its file so that any server process can run it, watched while it runs, and
-- told when it ends. Temporary passwords never reach this table: the file is stored with their
-- cells blank and their Argon2id hashes beside it (import_job_passwords).
--
-- A worker claims a queued job (or a running one whose lease ran out) and holds it while its
-- heartbeat renews the lease; the job's outcome is written in the same transaction as what it
-- imported, and only by the attempt that holds it (`attempts` is the fence).

CREATE TABLE import_jobs (
    id                   INTEGER PRIMARY KEY,
    -- Jobs are listed and read per organisation, and die with it.
    org_id               BIGINT NOT NULL REFERENCES organisations(id),
    mode                 TEXT NOT NULL,
    source               TEXT NOT NULL,
    -- Who to tell: the admin who submitted it (the browser), or the key (the API).
    actor_id             BIGINT REFERENCES users(id),
    api_key_id           BIGINT REFERENCES api_keys(id),
    file_name            TEXT NOT NULL,
    -- Of the file as it was uploaded (before any temporary password was taken out).
    file_sha256          TEXT NOT NULL,
    idempotency_key      TEXT,
    delay_welcome_emails INTEGER NOT NULL,
    state                TEXT NOT NULL,
    phase                TEXT NOT NULL,
    rows_total           BIGINT NOT NULL DEFAULT 0,
    rows_written         BIGINT NOT NULL DEFAULT 0,
    attempts             BIGINT NOT NULL DEFAULT 0,
    lease_until          BIGINT,
    worker               TEXT,
    created_at           BIGINT NOT NULL,
    started_at           BIGINT,
    updated_at           BIGINT NOT NULL,
    finished_at          BIGINT,
    batch_id             BIGINT,
    -- The outcome as JSON: counts, and for a rejected file every problem.
    report               TEXT,
    -- For a failed job: what happened, in words a person can act on.
    failure              TEXT
);
-- One job per idempotency key: a retry or a double click finds the first.
CREATE UNIQUE INDEX import_jobs_idempotency ON import_jobs (org_id, idempotency_key);
-- The bulk pages and the history list an organisation's jobs, newest first.
CREATE INDEX import_jobs_org ON import_jobs (org_id, id);
-- What the workers look for: the few jobs not yet ended.
CREATE INDEX import_jobs_open ON import_jobs (id) WHERE state IN ('queued', 'running');

-- The file apart from the job, written once: a job's row is updated as it runs (its claim, its
-- lease, its progress, its outcome), and SQLite rewrites a whole row, blob included, on every update.
CREATE TABLE import_job_files (
    job_id BIGINT PRIMARY KEY REFERENCES import_jobs(id),
    bytes  BLOB NOT NULL
);

CREATE TABLE import_job_passwords (
    job_id        BIGINT NOT NULL REFERENCES import_jobs(id),
    row_number    BIGINT NOT NULL,
    password_hash TEXT NOT NULL,
    PRIMARY KEY (job_id, row_number)
);

-- The batch a job made keeps the job, and through it the file it was made from.
ALTER TABLE import_batches ADD COLUMN job_id BIGINT REFERENCES import_jobs(id);
-- An email about a job (its outcome, to the admin who started it).
ALTER TABLE outbox_emails ADD COLUMN job_id BIGINT;
