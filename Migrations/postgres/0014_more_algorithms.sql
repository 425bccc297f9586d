-- PostgreSQL twin of Migrations/0014_more_algorithms.sql.
-- EASE and RP3beta join the algorithms a run can hold; EASE, RP3beta and BPR join those `lectern tune`
-- saves parameters for and an experiment's variant can serve. SQLite rebuilds the three tables to
-- change a CHECK; PostgreSQL changes it in place, which ends in the same schema.

ALTER TABLE model_runs DROP CONSTRAINT model_runs_algorithm_check;
ALTER TABLE model_runs ADD CONSTRAINT model_runs_algorithm_check
    CHECK (algorithm IN ('itemknn', 'als', 'bpr', 'popular', 'content', 'hybrid', 'ease', 'rp3beta'));

ALTER TABLE tuned_parameters DROP CONSTRAINT tuned_parameters_algorithm_check;
ALTER TABLE tuned_parameters ADD CONSTRAINT tuned_parameters_algorithm_check
    CHECK (algorithm IN ('itemknn', 'als', 'popular', 'hybrid', 'ease', 'rp3beta', 'bpr'));

ALTER TABLE experiment_variants DROP CONSTRAINT experiment_variants_algorithm_check;
ALTER TABLE experiment_variants ADD CONSTRAINT experiment_variants_algorithm_check
    CHECK (algorithm IN ('itemknn', 'als', 'popular', 'content', 'hybrid', 'ease', 'rp3beta', 'bpr'));
