-- Settings this database keeps for itself. `pseudonym_key` is a secret made at random once, when
-- the database is created: reports show each learner as HMAC-SHA256(key, learner id), so the same
-- learner has the same pseudonym in every report of this database, and the pseudonym cannot be
-- turned back into the learner, nor linked to the same learner in another database.
CREATE TABLE settings (
    name  TEXT PRIMARY KEY,
    value TEXT NOT NULL
) STRICT, WITHOUT ROWID;

INSERT INTO settings (name, value) VALUES ('pseudonym_key', lower(hex(randomblob(32))));
