-- Accounts and the personal space: people, their sessions, the single-use links e-mailed to them,
-- favourites, collections, saved searches, and the outbox of e-mails. None of these tables feeds
-- data_version: a personal write never empties the shared response cache.

-- The clock of every rule that depends on time (session lifetimes, link expiry, alerts due). In
-- production the offset is zero; the tests move it forward instead of sleeping.
CREATE TABLE sc_clock (
    id     boolean PRIMARY KEY DEFAULT true CHECK (id),
    offset_s interval NOT NULL DEFAULT '0'
);
INSERT INTO sc_clock DEFAULT VALUES;

CREATE FUNCTION sc_now() RETURNS timestamptz
    LANGUAGE sql STABLE PARALLEL SAFE
    AS $$ SELECT now() + offset_s FROM sc_clock $$;

-- A person. Deleting an account erases what identifies the person (e-mail, name, password) and
-- keeps the row, so that what they contributed stays attributed to « compte supprimé ».
CREATE TABLE app_user (
    id                bigserial PRIMARY KEY,
    email             text CHECK (email IS NULL OR length(email) <= 254),
    email_norm        text UNIQUE,            -- lower-cased e-mail: one account per address
    display_name      text CHECK (display_name IS NULL OR length(display_name) BETWEEN 1 AND 80),
    password_hash     text,                   -- Argon2id, PHC string format
    role              text NOT NULL DEFAULT 'member' CHECK (role IN ('member', 'moderator', 'admin')),
    email_verified_at timestamptz,
    created_at        timestamptz NOT NULL DEFAULT now(),
    updated_at        timestamptz NOT NULL DEFAULT now(),
    deleted_at        timestamptz,
    version           integer NOT NULL DEFAULT 1,
    CHECK ((deleted_at IS NULL) = (email_norm IS NOT NULL AND password_hash IS NOT NULL
                                   AND display_name IS NOT NULL))
);

-- A signed-in browser. Only the SHA-256 of the cookie's token is stored: a copy of the table does
-- not let anyone sign in. The CSRF token is per session and useless without the cookie.
CREATE TABLE user_session (
    id           bigserial PRIMARY KEY,
    user_id      bigint NOT NULL REFERENCES app_user (id) ON DELETE CASCADE,
    token_hash   bytea NOT NULL UNIQUE CHECK (length(token_hash) = 32),
    csrf_token   text NOT NULL,
    device       text NOT NULL DEFAULT '' CHECK (length(device) <= 200),
    created_at   timestamptz NOT NULL,
    last_seen_at timestamptz NOT NULL,
    expires_at   timestamptz NOT NULL         -- the absolute lifetime; the idle one is last_seen_at's
);
CREATE INDEX user_session_user_idx ON user_session (user_id, last_seen_at DESC);
CREATE INDEX user_session_expires_idx ON user_session (expires_at);

-- Single-use links sent by e-mail: address verification, password reset, change of address.
-- Only the SHA-256 of the token is stored; used_at makes each link work once.
CREATE TABLE user_token (
    id          bigserial PRIMARY KEY,
    user_id     bigint NOT NULL REFERENCES app_user (id) ON DELETE CASCADE,
    purpose     text NOT NULL CHECK (purpose IN ('verify', 'reset', 'email_change')),
    token_hash  bytea NOT NULL UNIQUE CHECK (length(token_hash) = 32),
    email       text,                          -- the address being verified (verify, email_change)
    created_at  timestamptz NOT NULL,
    expires_at  timestamptz NOT NULL,
    used_at     timestamptz
);
CREATE INDEX user_token_user_idx ON user_token (user_id, purpose);

CREATE TABLE favourite (
    user_id       bigint NOT NULL REFERENCES app_user (id) ON DELETE CASCADE,
    initiative_id bigint NOT NULL REFERENCES initiative (id) ON DELETE CASCADE,
    created_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (user_id, initiative_id)
);
CREATE INDEX favourite_user_idx ON favourite (user_id, created_at DESC, initiative_id DESC);

CREATE TABLE collection (
    id          bigserial PRIMARY KEY,
    user_id     bigint NOT NULL REFERENCES app_user (id) ON DELETE CASCADE,
    title       text NOT NULL CHECK (length(title) BETWEEN 1 AND 120),
    description text NOT NULL DEFAULT '' CHECK (length(description) <= 2000),
    visibility  text NOT NULL DEFAULT 'private' CHECK (visibility IN ('public', 'private')),
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    version     integer NOT NULL DEFAULT 1
);
CREATE INDEX collection_user_idx ON collection (user_id, updated_at DESC);

CREATE TABLE collection_item (
    collection_id bigint NOT NULL REFERENCES collection (id) ON DELETE CASCADE,
    initiative_id bigint NOT NULL REFERENCES initiative (id) ON DELETE CASCADE,
    position      integer NOT NULL,
    note          text NOT NULL DEFAULT '' CHECK (length(note) <= 1000),
    added_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (collection_id, initiative_id)
);
CREATE INDEX collection_item_order_idx ON collection_item (collection_id, position);

-- A search kept under a name: params holds the search's query parameters as the search page puts
-- them in its URL ({"q": "jardin", "territory": "departement:69"}). An alert lists what is new or
-- changed since last_alert_at.
CREATE TABLE saved_search (
    id            bigserial PRIMARY KEY,
    user_id       bigint NOT NULL REFERENCES app_user (id) ON DELETE CASCADE,
    name          text NOT NULL CHECK (length(name) BETWEEN 1 AND 120),
    params        jsonb NOT NULL CHECK (jsonb_typeof(params) = 'object'),
    alert         text NOT NULL DEFAULT 'none' CHECK (alert IN ('none', 'daily', 'weekly')),
    last_alert_at timestamptz NOT NULL DEFAULT now(),
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now(),
    version       integer NOT NULL DEFAULT 1
);
CREATE INDEX saved_search_user_idx ON saved_search (user_id, created_at DESC);
CREATE INDEX saved_search_alert_idx ON saved_search (last_alert_at) WHERE alert <> 'none';

-- E-mails to send. A message is inserted in the transaction that causes it, so it exists exactly
-- when its cause was committed; the job runner sends it (docs/architecture.md, "E-mail").
CREATE TABLE mail_outbox (
    id              bigserial PRIMARY KEY,
    kind            text NOT NULL,             -- verify, reset, email_change, alert, notice…
    to_addr         text NOT NULL CHECK (length(to_addr) <= 254),
    subject         text NOT NULL,
    body_text       text NOT NULL,
    headers         jsonb NOT NULL DEFAULT '{}', -- extra headers, e.g. List-Unsubscribe
    status          text NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'sent', 'failed')),
    attempts        integer NOT NULL DEFAULT 0,
    next_attempt_at timestamptz NOT NULL DEFAULT now(),
    last_error      text,
    created_at      timestamptz NOT NULL DEFAULT now(),
    sent_at         timestamptz
);
CREATE INDEX mail_outbox_due_idx ON mail_outbox (next_attempt_at, id) WHERE status = 'queued';

-- Passwords too common to accept (the list of @zxcvbn-ts/language-common, MIT licence, loaded by
-- sql/load/run.sh), compared in lower case.
CREATE TABLE common_password (
    password text PRIMARY KEY
);
