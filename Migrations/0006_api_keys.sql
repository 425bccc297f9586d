-- API keys for `lectern serve`. Only a SHA-256 hash of each token is stored: the plain token is
-- shown once, when the key is created. A revoked key stays listed with the time it was revoked.
-- Idempotency needs no table of its own: interactions carry an idempotency_key with a unique index
-- (0001), and the HTTP API maps its Idempotency-Key header onto it.

CREATE TABLE api_keys (
    id          INTEGER PRIMARY KEY,
    name        TEXT    NOT NULL UNIQUE CHECK (length(name) BETWEEN 1 AND 80),
    scope       TEXT    NOT NULL CHECK (scope IN ('read', 'write')),
    -- Lowercase hex SHA-256 of the whole token.
    token_hash  TEXT    NOT NULL UNIQUE CHECK (length(token_hash) = 64),
    -- The token's first characters, so a person can tell keys apart without the secret.
    prefix      TEXT    NOT NULL,
    created_at  INTEGER NOT NULL,
    revoked_at  INTEGER
) STRICT;
