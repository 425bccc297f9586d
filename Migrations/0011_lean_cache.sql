-- A leaner recommendation cache: training writes millions of rows, so each costs what it must and no more.
--
-- `recommendations` and `course_neighbors` lose their foreign keys and `recommendations` its `algorithm`
-- column (always its run's algorithm). Three foreign-key probes per row were a third of the time to write a
-- run, and a child row with a foreign key took four times as long to delete when an old run was pruned.
-- The triggers below keep what the foreign keys kept:
-- - a deleted learner's or course's cached rows go with it (in every run, the one being written too);
-- - a deleted run's rows go with it.
-- A run being written may still gain rows for a learner or course deleted after its training read the data.
-- So every such deletion is also noted in `cache_erasures`, and activating a run first removes its rows
-- for every erasure noted since its training began (LecternStore's RecommendationCache.activate); the
-- notes are dropped once no run being written can need them. They hold internal ids only: the learner's
-- row, and everything that named them, is gone.

CREATE TABLE cache_erasures (
    seq       INTEGER PRIMARY KEY,
    entity    TEXT    NOT NULL CHECK (entity IN ('user', 'course')),
    entity_id INTEGER NOT NULL
) STRICT;

DROP VIEW current_recommendations;

CREATE TABLE recommendations_lean (
    run_id        INTEGER NOT NULL,
    user_id       INTEGER NOT NULL,
    rank          INTEGER NOT NULL CHECK (rank >= 1),
    course_id     INTEGER NOT NULL,
    score         REAL    NOT NULL,
    -- The reason as a kind, the course it names and a term (see migration 9); rows written before
    -- migration 9 keep their sentence in `reason` and have no kind.
    reason_kind   INTEGER CHECK (reason_kind BETWEEN 1 AND 7),
    reason_course INTEGER,
    reason_term   TEXT,
    reason        TEXT,
    PRIMARY KEY (run_id, user_id, rank)
) STRICT, WITHOUT ROWID;

INSERT INTO recommendations_lean (run_id, user_id, rank, course_id, score, reason_kind, reason_course, reason_term, reason)
SELECT run_id, user_id, rank, course_id, score, reason_kind, reason_course, reason_term,
       CASE WHEN reason_kind IS NULL THEN reason END
FROM recommendations ORDER BY run_id, user_id, rank;

DROP TABLE recommendations;
ALTER TABLE recommendations_lean RENAME TO recommendations;

CREATE TABLE course_neighbors_lean (
    run_id      INTEGER NOT NULL,
    course_id   INTEGER NOT NULL,
    rank        INTEGER NOT NULL CHECK (rank >= 1),
    neighbor_id INTEGER NOT NULL,
    score       REAL    NOT NULL,
    PRIMARY KEY (run_id, course_id, rank)
) STRICT, WITHOUT ROWID;

INSERT INTO course_neighbors_lean (run_id, course_id, rank, neighbor_id, score)
SELECT run_id, course_id, rank, neighbor_id, score FROM course_neighbors ORDER BY run_id, course_id, rank;

DROP TABLE course_neighbors;
ALTER TABLE course_neighbors_lean RENAME TO course_neighbors;

-- What a storefront reads: every algorithm's current list for each learner, with its reason as a sentence.
CREATE VIEW current_recommendations AS
SELECT a.algorithm AS served_by, r.user_id, r.rank, r.course_id, r.score, a.algorithm AS algorithm,
       CASE r.reason_kind
           WHEN 1 THEN 'because you bought ' || coalesce(rc.title, 'a course you took')
           WHEN 2 THEN 'learners who took ' || coalesce(rc.title, 'a course you took') || ' also took this'
           WHEN 3 THEN 'you looked at this course before'
           WHEN 4 THEN 'popular in ' || coalesce(r.reason_term, '')
           WHEN 5 THEN 'matches your interest in ' || coalesce(r.reason_term, '')
           WHEN 6 THEN 'learners like you branched out into ' || coalesce(r.reason_term, '')
           WHEN 7 THEN 'learners with tastes like yours took this'
           ELSE r.reason
       END AS reason,
       r.run_id
FROM active_models a JOIN recommendations r ON r.run_id = a.run_id
LEFT JOIN courses rc ON rc.id = r.reason_course;

-- A learner's rows are found through the runs (the key leads with the run), never by a scan.
CREATE TRIGGER users_leave_the_cache AFTER DELETE ON users BEGIN
    DELETE FROM recommendations WHERE run_id IN (SELECT id FROM model_runs) AND user_id = OLD.id;
    DELETE FROM model_factors WHERE run_id IN (SELECT id FROM model_runs) AND entity = 'user' AND entity_id = OLD.id;
    INSERT INTO cache_erasures (entity, entity_id) VALUES ('user', OLD.id);
END;

-- Courses are retired, not deleted, in normal use; a deletion scans the cache, as the cascade did.
CREATE TRIGGER courses_leave_the_cache AFTER DELETE ON courses BEGIN
    DELETE FROM recommendations WHERE course_id = OLD.id;
    DELETE FROM course_neighbors WHERE course_id = OLD.id OR neighbor_id = OLD.id;
    DELETE FROM model_factors WHERE entity = 'course' AND entity_id = OLD.id;
    INSERT INTO cache_erasures (entity, entity_id) VALUES ('course', OLD.id);
END;

CREATE TRIGGER runs_take_their_rows AFTER DELETE ON model_runs BEGIN
    DELETE FROM recommendations WHERE run_id = OLD.id;
    DELETE FROM course_neighbors WHERE run_id = OLD.id;
END;
