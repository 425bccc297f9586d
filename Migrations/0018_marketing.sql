-- lectern: rebuilds tables
-- Cross-over marketing: consent, campaigns and a marketing scope for API keys.
--
-- - `users.marketing_opt_in`: whether the learner agreed to be told about courses. False unless
--   given (import column, `lectern user add|update --marketing-opt-in`, HTTP). `audience --export`
--   writes only learners who opted in.
-- - `campaigns`: one targeted announcement of one course. The name is unique. `holdout` is the share
--   (0 to 0.5) of the audience kept out of the exported file, drawn with `seed`, so
--   `report campaigns` can compare later conversion, targeted against held out.
-- - `campaign_members`: who was in the audience, and whether they were held out. A forgotten learner
--   leaves it (ON DELETE CASCADE) with the rest of their data.
-- - API keys may have the scope `marketing`: everything `read` may, and course audiences. SQLite
--   cannot change a CHECK in place, so `api_keys` is rebuilt; every key keeps its id and hash.

ALTER TABLE users ADD COLUMN marketing_opt_in INTEGER NOT NULL DEFAULT 0 CHECK (marketing_opt_in IN (0, 1));

CREATE TABLE campaigns (
    id         INTEGER PRIMARY KEY,
    name       TEXT    NOT NULL UNIQUE CHECK (length(name) BETWEEN 1 AND 120),
    course_id  INTEGER NOT NULL REFERENCES courses (id),
    -- How the audience was chosen: itemknn, als or content.
    method     TEXT    NOT NULL CHECK (method IN ('itemknn', 'als', 'content')),
    holdout    REAL    NOT NULL CHECK (holdout >= 0 AND holdout <= 0.5),
    seed       INTEGER NOT NULL,
    created_at INTEGER NOT NULL CHECK (created_at BETWEEN 0 AND 253402300799)
) STRICT;

CREATE INDEX campaigns_by_course ON campaigns (course_id);

CREATE TABLE campaign_members (
    campaign_id INTEGER NOT NULL REFERENCES campaigns (id) ON DELETE CASCADE,
    user_id     INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    held_out    INTEGER NOT NULL CHECK (held_out IN (0, 1)),
    score       REAL    NOT NULL,
    PRIMARY KEY (campaign_id, user_id)
) STRICT, WITHOUT ROWID;

CREATE INDEX campaign_members_by_user ON campaign_members (user_id);

CREATE TABLE api_keys_new (
    id          INTEGER PRIMARY KEY,
    name        TEXT    NOT NULL UNIQUE CHECK (length(name) BETWEEN 1 AND 80),
    scope       TEXT    NOT NULL CHECK (scope IN ('read', 'write', 'marketing')),
    token_hash  TEXT    NOT NULL UNIQUE CHECK (length(token_hash) = 64),
    prefix      TEXT    NOT NULL,
    created_at  INTEGER NOT NULL,
    revoked_at  INTEGER,
    org_id      INTEGER REFERENCES organisations (id) ON DELETE CASCADE
) STRICT;

INSERT INTO api_keys_new (id, name, scope, token_hash, prefix, created_at, revoked_at, org_id)
SELECT id, name, scope, token_hash, prefix, created_at, revoked_at, org_id FROM api_keys;

DROP TABLE api_keys;
ALTER TABLE api_keys_new RENAME TO api_keys;
