-- Online A/B experiments: learners split between variants (each an algorithm) by a stable hash;
-- what each learner was shown is logged, so clicks and purchases can be attributed to it.

CREATE TABLE experiments (
    id          INTEGER PRIMARY KEY,
    name        TEXT    NOT NULL UNIQUE CHECK (length(name) BETWEEN 1 AND 80),
    status      TEXT    NOT NULL DEFAULT 'running' CHECK (status IN ('running', 'stopped')),
    -- An event on an impressed course within this many days of the impression counts for it.
    window_days REAL    NOT NULL DEFAULT 7 CHECK (window_days > 0),
    created_at  INTEGER NOT NULL,
    stopped_at  INTEGER
) STRICT;

CREATE TABLE experiment_variants (
    experiment_id INTEGER NOT NULL REFERENCES experiments (id) ON DELETE CASCADE,
    name          TEXT    NOT NULL CHECK (length(name) BETWEEN 1 AND 40),
    algorithm     TEXT    NOT NULL CHECK (algorithm IN ('itemknn', 'als', 'popular', 'content', 'hybrid')),
    traffic       INTEGER NOT NULL CHECK (traffic BETWEEN 0 AND 100),
    position      INTEGER NOT NULL,
    PRIMARY KEY (experiment_id, name)
) STRICT, WITHOUT ROWID;

CREATE TABLE impressions (
    id            INTEGER PRIMARY KEY,
    experiment_id INTEGER NOT NULL REFERENCES experiments (id) ON DELETE CASCADE,
    variant       TEXT    NOT NULL,
    user_id       INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    course_id     INTEGER NOT NULL REFERENCES courses (id) ON DELETE CASCADE,
    rank          INTEGER NOT NULL CHECK (rank >= 1),
    run_id        INTEGER,
    shown_at      INTEGER NOT NULL
) STRICT;

CREATE INDEX impressions_by_experiment ON impressions (experiment_id, variant, user_id);
