-- Trained models and what they recommend, cached so a storefront reads a learner's list with one
-- indexed query. A training run writes its rows and then moves `active_models` to itself in the
-- same transaction, so readers see the old cache or the new one, never a mix.

CREATE TABLE model_runs (
    id            INTEGER PRIMARY KEY,
    algorithm     TEXT    NOT NULL CHECK (algorithm IN ('itemknn', 'als', 'bpr', 'popular', 'content', 'hybrid')),
    parameters    TEXT    NOT NULL DEFAULT '{}' CHECK (json_valid(parameters)),
    learners      INTEGER NOT NULL CHECK (learners >= 0),
    courses       INTEGER NOT NULL CHECK (courses >= 0),
    interactions  INTEGER NOT NULL CHECK (interactions >= 0),
    -- Seconds spent reading the database, training the model, and writing the cache.
    load_seconds  REAL    NOT NULL DEFAULT 0,
    train_seconds REAL    NOT NULL DEFAULT 0,
    write_seconds REAL    NOT NULL DEFAULT 0,
    started_at    INTEGER NOT NULL,
    finished_at   INTEGER NOT NULL,
    -- The newest interaction the run saw (by id and by time); later activity is folded in at query time.
    last_interaction_id INTEGER NOT NULL DEFAULT 0,
    data_until    INTEGER
) STRICT;

CREATE INDEX model_runs_by_algorithm ON model_runs (algorithm, id);

-- The run each algorithm serves from.
CREATE TABLE active_models (
    algorithm TEXT    PRIMARY KEY,
    run_id    INTEGER NOT NULL REFERENCES model_runs (id)
) STRICT;

-- Similar courses, best first (item-kNN: from who took what; content: from titles, tags and text).
CREATE TABLE course_neighbors (
    run_id      INTEGER NOT NULL REFERENCES model_runs (id) ON DELETE CASCADE,
    course_id   INTEGER NOT NULL REFERENCES courses (id) ON DELETE CASCADE,
    rank        INTEGER NOT NULL CHECK (rank >= 1),
    neighbor_id INTEGER NOT NULL REFERENCES courses (id) ON DELETE CASCADE,
    score       REAL    NOT NULL,
    PRIMARY KEY (run_id, course_id, rank)
) STRICT, WITHOUT ROWID;

-- Each learner's top courses with the reason shown beside each.
CREATE TABLE recommendations (
    run_id    INTEGER NOT NULL REFERENCES model_runs (id) ON DELETE CASCADE,
    user_id   INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    rank      INTEGER NOT NULL CHECK (rank >= 1),
    course_id INTEGER NOT NULL REFERENCES courses (id) ON DELETE CASCADE,
    score     REAL    NOT NULL,
    algorithm TEXT    NOT NULL,
    reason    TEXT    NOT NULL,
    PRIMARY KEY (run_id, user_id, rank)
) STRICT, WITHOUT ROWID;

-- Popularity with time decay, overall and within each course's domain.
CREATE TABLE course_popularity (
    run_id      INTEGER NOT NULL REFERENCES model_runs (id) ON DELETE CASCADE,
    course_id   INTEGER NOT NULL REFERENCES courses (id) ON DELETE CASCADE,
    score       REAL    NOT NULL,
    domain_rank INTEGER NOT NULL,
    PRIMARY KEY (run_id, course_id)
) STRICT, WITHOUT ROWID;

-- Latent factors of a matrix-factorization run: little-endian float32 vectors.
CREATE TABLE model_factors (
    run_id    INTEGER NOT NULL REFERENCES model_runs (id) ON DELETE CASCADE,
    entity    TEXT    NOT NULL CHECK (entity IN ('user', 'course')),
    entity_id INTEGER NOT NULL,
    factors   BLOB    NOT NULL,
    PRIMARY KEY (run_id, entity, entity_id)
) STRICT, WITHOUT ROWID;

-- What a storefront reads: every algorithm's current list for each learner.
CREATE VIEW current_recommendations AS
SELECT a.algorithm AS served_by, r.user_id, r.rank, r.course_id, r.score, r.algorithm, r.reason, r.run_id
FROM active_models a JOIN recommendations r ON r.run_id = a.run_id;
