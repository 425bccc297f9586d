-- The best hyper-parameters `lectern tune` found for each algorithm; `lectern train` starts from them.

CREATE TABLE tuned_parameters (
    algorithm  TEXT    PRIMARY KEY CHECK (algorithm IN ('itemknn', 'als', 'popular', 'hybrid')),
    parameters TEXT    NOT NULL CHECK (json_valid(parameters)),
    metric     TEXT    NOT NULL,
    k          INTEGER NOT NULL CHECK (k >= 1),
    value      REAL    NOT NULL,
    trials     INTEGER NOT NULL CHECK (trials >= 1),
    tuned_at   INTEGER NOT NULL
) STRICT;
