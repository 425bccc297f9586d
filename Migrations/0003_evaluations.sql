-- Offline evaluations: how well each algorithm ranked held-out behaviour, under a recorded protocol.

CREATE TABLE evaluations (
    id         INTEGER PRIMARY KEY,
    created_at INTEGER NOT NULL,
    -- 'database', or the external file(s) evaluated.
    source     TEXT    NOT NULL,
    -- The split and relevance rules as a JSON object.
    protocol   TEXT    NOT NULL CHECK (json_valid(protocol)),
    learners   INTEGER NOT NULL CHECK (learners >= 0),
    test_pairs INTEGER NOT NULL CHECK (test_pairs >= 0)
) STRICT;

CREATE TABLE evaluation_results (
    evaluation_id    INTEGER NOT NULL REFERENCES evaluations (id) ON DELETE CASCADE,
    algorithm        TEXT    NOT NULL,
    parameters       TEXT    NOT NULL DEFAULT '{}' CHECK (json_valid(parameters)),
    training_seconds REAL    NOT NULL,
    k                INTEGER NOT NULL CHECK (k >= 1),
    metric           TEXT    NOT NULL,
    -- NULL when the metric is undefined (for example diversity of one-course lists).
    value            REAL,
    -- Standard deviation over folds for k-fold cross-validation, else NULL.
    spread           REAL,
    PRIMARY KEY (evaluation_id, algorithm, k, metric)
) STRICT, WITHOUT ROWID;
