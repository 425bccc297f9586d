-- lectern: rebuilds tables
-- EASE and RP3beta join the algorithms a run can hold (BPR was listed from the start).
--
-- SQLite cannot change a CHECK constraint in place, so `model_runs` is rebuilt by the 12-step
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
