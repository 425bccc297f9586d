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

-- A counter bumped by every change to what recommendations read of the catalog (courses, their tags
-- and prerequisites), so a long-running process (`lectern serve`) knows when the models it keeps in
-- memory for fold-in are out of date, with one indexed read.
CREATE TABLE catalog_version (
    id      INTEGER PRIMARY KEY CHECK (id = 1),
    version INTEGER NOT NULL
) STRICT;

INSERT INTO catalog_version (id, version) VALUES (1, 0);

CREATE TRIGGER catalog_version_course_insert AFTER INSERT ON courses
BEGIN UPDATE catalog_version SET version = version + 1; END;
CREATE TRIGGER catalog_version_course_update AFTER UPDATE ON courses
BEGIN UPDATE catalog_version SET version = version + 1; END;
CREATE TRIGGER catalog_version_course_delete AFTER DELETE ON courses
BEGIN UPDATE catalog_version SET version = version + 1; END;
CREATE TRIGGER catalog_version_tag_insert AFTER INSERT ON course_tags
BEGIN UPDATE catalog_version SET version = version + 1; END;
CREATE TRIGGER catalog_version_tag_delete AFTER DELETE ON course_tags
BEGIN UPDATE catalog_version SET version = version + 1; END;
CREATE TRIGGER catalog_version_tag_rename AFTER UPDATE ON tags
BEGIN UPDATE catalog_version SET version = version + 1; END;
CREATE TRIGGER catalog_version_prerequisite_insert AFTER INSERT ON course_prerequisites
BEGIN UPDATE catalog_version SET version = version + 1; END;
CREATE TRIGGER catalog_version_prerequisite_delete AFTER DELETE ON course_prerequisites
BEGIN UPDATE catalog_version SET version = version + 1; END;
