-- lectern: rebuilds tables
-- EASE and RP3beta join the algorithms a run can hold (BPR was listed from the start); EASE, RP3beta
-- and BPR join those `lectern tune` saves parameters for and an experiment's variant can serve.
--
-- SQLite cannot change a CHECK constraint in place, so `model_runs`, `tuned_parameters` and
-- `experiment_variants` are rebuilt by the 12-step
-- procedure of https://www.sqlite.org/lang_altertable.html#otheralter. The first line above makes the
-- migrator switch foreign keys off around this migration's transaction (else dropping the table
-- would cascade to active_models, course_popularity and model_factors) and run
-- `PRAGMA foreign_key_check` before it commits. Every row keeps its id, so every reference holds.
-- The triggers that name model_runs (migration 11) are dropped first and made again after, word for
-- word, so the rename finds nothing pointing at a missing table; its index is made again too.

DROP TRIGGER users_leave_the_cache;
DROP TRIGGER runs_take_their_rows;

CREATE TABLE model_runs_new (
    id            INTEGER PRIMARY KEY,
    algorithm     TEXT    NOT NULL CHECK (algorithm IN ('itemknn', 'als', 'bpr', 'popular', 'content', 'hybrid', 'ease', 'rp3beta')),
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
    data_until    INTEGER,
    -- 'writing' while a training run fills its rows, 'ready' once it may be served (migration 9).
    state         TEXT    NOT NULL DEFAULT 'ready' CHECK (state IN ('writing', 'ready'))
) STRICT;

INSERT INTO model_runs_new (id, algorithm, parameters, learners, courses, interactions, load_seconds, train_seconds,
                            write_seconds, started_at, finished_at, last_interaction_id, data_until, state)
SELECT id, algorithm, parameters, learners, courses, interactions, load_seconds, train_seconds,
       write_seconds, started_at, finished_at, last_interaction_id, data_until, state
FROM model_runs;

DROP TABLE model_runs;
ALTER TABLE model_runs_new RENAME TO model_runs;

CREATE INDEX model_runs_by_algorithm ON model_runs (algorithm, id);

-- A learner's rows are found through the runs (the key leads with the run), never by a scan.
CREATE TRIGGER users_leave_the_cache AFTER DELETE ON users BEGIN
    DELETE FROM recommendations WHERE run_id IN (SELECT id FROM model_runs) AND user_id = OLD.id;
    DELETE FROM model_factors WHERE run_id IN (SELECT id FROM model_runs) AND entity = 'user' AND entity_id = OLD.id;
    INSERT INTO cache_erasures (entity, entity_id) VALUES ('user', OLD.id);
END;

CREATE TRIGGER runs_take_their_rows AFTER DELETE ON model_runs BEGIN
    DELETE FROM recommendations WHERE run_id = OLD.id;
    DELETE FROM course_neighbors WHERE run_id = OLD.id;
END;

CREATE TABLE tuned_parameters_new (
    algorithm  TEXT    PRIMARY KEY CHECK (algorithm IN ('itemknn', 'als', 'popular', 'hybrid', 'ease', 'rp3beta', 'bpr')),
    parameters TEXT    NOT NULL CHECK (json_valid(parameters)),
    metric     TEXT    NOT NULL,
    k          INTEGER NOT NULL CHECK (k >= 1),
    value      REAL    NOT NULL,
    trials     INTEGER NOT NULL CHECK (trials >= 1),
    tuned_at   INTEGER NOT NULL
) STRICT;
INSERT INTO tuned_parameters_new (algorithm, parameters, metric, k, value, trials, tuned_at)
SELECT algorithm, parameters, metric, k, value, trials, tuned_at FROM tuned_parameters;
DROP TABLE tuned_parameters;
ALTER TABLE tuned_parameters_new RENAME TO tuned_parameters;

CREATE TABLE experiment_variants_new (
    experiment_id INTEGER NOT NULL REFERENCES experiments (id) ON DELETE CASCADE,
    name          TEXT    NOT NULL CHECK (length(name) BETWEEN 1 AND 40),
    algorithm     TEXT    NOT NULL CHECK (algorithm IN ('itemknn', 'als', 'popular', 'content', 'hybrid', 'ease', 'rp3beta', 'bpr')),
    traffic       INTEGER NOT NULL CHECK (traffic BETWEEN 0 AND 100),
    position      INTEGER NOT NULL,
    PRIMARY KEY (experiment_id, name)
) STRICT, WITHOUT ROWID;
INSERT INTO experiment_variants_new (experiment_id, name, algorithm, traffic, position)
SELECT experiment_id, name, algorithm, traffic, position FROM experiment_variants;
DROP TABLE experiment_variants;
ALTER TABLE experiment_variants_new RENAME TO experiment_variants;
