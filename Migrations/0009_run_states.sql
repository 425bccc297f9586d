-- A training run's rows are written in many short transactions while it is 'writing', so the
-- write lock is never held for long; one short transaction then marks it 'ready' and moves
-- `active_models` to it. A run left 'writing' by a killed `train` is never served and is removed
-- by the next training's pruning.
ALTER TABLE model_runs ADD COLUMN state TEXT NOT NULL DEFAULT 'ready' CHECK (state IN ('writing', 'ready'));

