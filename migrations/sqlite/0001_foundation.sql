-- Roster foundation: organisations (tenants), roles, groups, users, sessions, sign-in throttling
-- and the audit log. Every tenant-owned row carries org_id. Times are Unix seconds.
-- Flags are INTEGER 0/1 here (BOOLEAN in PostgreSQL): sqlx's Any driver cannot read SQLite's BOOLEAN type.

CREATE TABLE organisations (
    id                INTEGER PRIMARY KEY,
    slug              TEXT NOT NULL UNIQUE,
    name              TEXT NOT NULL,
    uses_custom_roles INTEGER NOT NULL DEFAULT FALSE,
    date_format       TEXT NOT NULL DEFAULT 'iso',
    created_at        BIGINT NOT NULL
);

CREATE TABLE roles (
    id           INTEGER PRIMARY KEY,
    org_id       BIGINT NOT NULL REFERENCES organisations(id),
    name         TEXT NOT NULL,
    grants_admin INTEGER NOT NULL DEFAULT FALSE,
    active       INTEGER NOT NULL DEFAULT TRUE,
    UNIQUE (org_id, name)
);

CREATE TABLE groups (
    id     INTEGER PRIMARY KEY,
    org_id BIGINT NOT NULL REFERENCES organisations(id),
    name   TEXT NOT NULL,
    UNIQUE (org_id, name)
);

CREATE TABLE users (
    id                   INTEGER PRIMARY KEY,
    org_id               BIGINT NOT NULL REFERENCES organisations(id),
    role_id              BIGINT NOT NULL REFERENCES roles(id),
    email                TEXT,
    email_key            TEXT,
    employee_id          TEXT,
    first_name           TEXT NOT NULL,
    last_name            TEXT NOT NULL,
    home_town            TEXT,
    state_or_country     TEXT,
    bio                  TEXT,
    can_manage_teams     INTEGER NOT NULL,
    phone_channel        INTEGER NOT NULL,
    chat_channel         INTEGER NOT NULL,
    email_channel        INTEGER NOT NULL,
    leader_id            BIGINT REFERENCES users(id),
    employment_status    TEXT,
    start_date           TEXT,
    status               TEXT NOT NULL,
    password_hash        TEXT,
    must_change_password INTEGER NOT NULL DEFAULT FALSE,
    search_text          TEXT NOT NULL,
    version              BIGINT NOT NULL DEFAULT 1,
    created_at           BIGINT NOT NULL,
    updated_at           BIGINT NOT NULL,
    updated_by           BIGINT,
    last_sign_in_at      BIGINT
);
CREATE UNIQUE INDEX users_email_key ON users (org_id, email_key);
CREATE UNIQUE INDEX users_employee_id ON users (org_id, employee_id);
CREATE INDEX users_name ON users (org_id, last_name, first_name, id);
CREATE INDEX users_leader ON users (org_id, leader_id);
CREATE INDEX users_role ON users (org_id, role_id);
CREATE INDEX users_status ON users (org_id, status);

CREATE TABLE user_groups (
    org_id   BIGINT NOT NULL REFERENCES organisations(id),
    user_id  BIGINT NOT NULL REFERENCES users(id),
    group_id BIGINT NOT NULL REFERENCES groups(id),
    PRIMARY KEY (user_id, group_id)
);
CREATE INDEX user_groups_group ON user_groups (group_id, user_id);

-- Only the SHA-256 of a session token is stored.
CREATE TABLE sessions (
    token_hash   TEXT PRIMARY KEY,
    org_id       BIGINT NOT NULL REFERENCES organisations(id),
    user_id      BIGINT NOT NULL REFERENCES users(id),
    created_at   BIGINT NOT NULL,
    expires_at   BIGINT NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_id);

CREATE TABLE sign_in_failures (
    id          INTEGER PRIMARY KEY,
    account_key TEXT NOT NULL,
    at          BIGINT NOT NULL
);
CREATE INDEX sign_in_failures_account ON sign_in_failures (account_key, at);

CREATE TABLE audit_events (
    id         INTEGER PRIMARY KEY,
    org_id     BIGINT NOT NULL REFERENCES organisations(id),
    actor_id   BIGINT REFERENCES users(id),
    action     TEXT NOT NULL,
    subject_id BIGINT REFERENCES users(id),
    detail     TEXT NOT NULL,
    at         BIGINT NOT NULL
);
CREATE INDEX audit_events_org ON audit_events (org_id, at);
