-- PostgreSQL twin of Migrations/0004_tuned_parameters.sql.
-- The best hyper-parameters `lectern tune` found for each algorithm; `lectern train` starts from them.

CREATE TABLE tuned_parameters (
    algorithm  TEXT   PRIMARY KEY CHECK (algorithm IN ('itemknn', 'als', 'popular', 'hybrid')),
    parameters TEXT   NOT NULL CHECK (lectern_json_valid(parameters)),
    metric     TEXT   NOT NULL,
    k          BIGINT NOT NULL CHECK (k >= 1),
    value      DOUBLE PRECISION NOT NULL,
    trials     BIGINT NOT NULL CHECK (trials >= 1),
    tuned_at   BIGINT NOT NULL
);
