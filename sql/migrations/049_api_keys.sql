-- API keys: a member's keys for partner sites (docs/api.md, "API keys and quotas"). Only the
-- SHA-256 of a secret is kept (hash); prefix is its first characters, shown so that its owner can
-- tell the keys apart. quota_minute and quota_day, when set, replace the configured defaults for
-- this key (partners who need more). A revoked key is kept (revoked_at) so that its use stays
-- readable; the API refuses it.
CREATE TABLE api_key (
    id           bigserial PRIMARY KEY,
    user_id      bigint NOT NULL REFERENCES app_user (id) ON DELETE CASCADE,
    name         text NOT NULL CHECK (length(name) BETWEEN 1 AND 80),
    prefix       text NOT NULL,
    hash         bytea NOT NULL UNIQUE CHECK (length(hash) = 32),
    quota_minute integer CHECK (quota_minute > 0),
    quota_day    integer CHECK (quota_day > 0),
    created_at   timestamptz NOT NULL DEFAULT now(),
    last_used_at timestamptz,
    revoked_at   timestamptz
);
CREATE INDEX api_key_user_idx ON api_key (user_id, created_at DESC);

-- Requests answered per key and day (UTC). The API counts them in Redis; the job runner adds the
-- counts here (task "usage"), so that a request costs PostgreSQL no write.
CREATE TABLE api_key_use (
    key_id   bigint NOT NULL REFERENCES api_key (id) ON DELETE CASCADE,
    day      date NOT NULL,
    requests bigint NOT NULL CHECK (requests >= 0),
    PRIMARY KEY (key_id, day)
);
