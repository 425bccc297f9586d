-- PostgreSQL twin of Migrations/0009_run_states.sql.
-- A training run's rows are written while it is 'writing'; one short transaction then marks it
-- 'ready' and moves `active_models` to it. A run left 'writing' by a killed `train` is never served.
ALTER TABLE model_runs ADD COLUMN state TEXT NOT NULL DEFAULT 'ready' CHECK (state IN ('writing', 'ready'));

-- A cached reason as a kind, the course it names and a term, rendered into its sentence when read.
ALTER TABLE recommendations ADD COLUMN reason_kind BIGINT CHECK (reason_kind BETWEEN 1 AND 7);
ALTER TABLE recommendations ADD COLUMN reason_course BIGINT;
ALTER TABLE recommendations ADD COLUMN reason_term TEXT;

DROP VIEW current_recommendations;
CREATE VIEW current_recommendations AS
SELECT a.algorithm AS served_by, r.user_id, r.rank, r.course_id, r.score, r.algorithm,
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
