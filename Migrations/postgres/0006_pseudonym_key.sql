-- PostgreSQL twin of Migrations/0006_pseudonym_key.sql.
-- Settings this database keeps for itself. `pseudonym_key` is a secret made at random once, when
-- the database is created: reports show each learner as HMAC-SHA256(key, learner id), so the same
-- learner has the same pseudonym in every report of this database, and the pseudonym cannot be
-- turned back into the learner, nor linked to the same learner in another database.
CREATE TABLE settings (
    name  TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

-- 64 hex digits, as SQLite's lower(hex(randomblob(32))): two version-4 UUIDs from the server's strong
-- random source (gen_random_uuid, built in since PostgreSQL 13, without pgcrypto), 244 random bits.
INSERT INTO settings (name, value) VALUES ('pseudonym_key', replace(gen_random_uuid()::text || gen_random_uuid()::text, '-', ''));
