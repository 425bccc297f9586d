-- Every stored time and amount has a range, enforced here as well as at every entry point:
-- - times (interactions.occurred_at, the created_at and updated_at of learners, courses and creators)
--   lie between 1970-01-01T00:00:00Z (0) and 9999-12-31T23:59:59Z (253402300799);
-- - prices and amounts lie between 0 and 10^12 minor units; course hours between 0 and 100000.
-- A sum of amounts then fits in 64 bits for nine million events, and every report sums in SQL, where
-- an overflow is an error, never a wrong total.
--
-- Older Lectern accepted any 64-bit time and amount. Events outside the ranges, which no report or
-- model can use, are set aside in `quarantined_interactions` (a forgotten learner's go with them) for
-- inspection; creation times outside the range are moved into it (see below). The report rollups
-- are rebuilt (their next refresh folds in every event again) when any event moves.

CREATE TABLE quarantined_interactions (
    id              INTEGER PRIMARY KEY,
    user_id         INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    course_id       INTEGER NOT NULL,
    kind            TEXT    NOT NULL,
    value           INTEGER,
    channel         TEXT,
    occurred_at     INTEGER NOT NULL,
    idempotency_key TEXT,
    reason          TEXT    NOT NULL
) STRICT;

CREATE TEMP TABLE out_of_range AS
SELECT id FROM interactions
WHERE occurred_at NOT BETWEEN 0 AND 253402300799
   OR (kind IN ('purchase', 'refund') AND value > 1000000000000);

-- Rebuild the rollups from scratch if anything moves: the watermark goes to 0 first, so the rollup
-- triggers leave them alone while the rows are deleted.
DELETE FROM daily_course_sales WHERE EXISTS (SELECT 1 FROM temp.out_of_range);
DELETE FROM monthly_learner_activity WHERE EXISTS (SELECT 1 FROM temp.out_of_range);
UPDATE rollup_state SET through_interaction_id = 0 WHERE EXISTS (SELECT 1 FROM temp.out_of_range);

INSERT INTO quarantined_interactions (id, user_id, course_id, kind, value, channel, occurred_at, idempotency_key, reason)
SELECT i.id, i.user_id, i.course_id, i.kind, i.value, i.channel, i.occurred_at, i.idempotency_key,
       CASE WHEN i.occurred_at NOT BETWEEN 0 AND 253402300799
            THEN 'time outside 1970-01-01 .. 9999-12-31' ELSE 'amount over 10^12 minor units' END
FROM interactions i WHERE i.id IN (SELECT id FROM temp.out_of_range);
DELETE FROM interactions WHERE id IN (SELECT id FROM temp.out_of_range);
DROP TABLE temp.out_of_range;

-- A creation time before 1970 becomes 1970; one past 9999 becomes the first event (of the learner, or on
-- the course), else now: so no event looks older than what it happened to (`lectern clean` would drop it).
UPDATE users SET created_at = CASE WHEN created_at < 0 THEN 0 ELSE coalesce(
        (SELECT min(occurred_at) FROM interactions WHERE user_id = users.id), CAST(strftime('%s', 'now') AS INTEGER)) END
WHERE created_at NOT BETWEEN 0 AND 253402300799;
UPDATE creators SET created_at = CASE WHEN created_at < 0 THEN 0 ELSE CAST(strftime('%s', 'now') AS INTEGER) END
WHERE created_at NOT BETWEEN 0 AND 253402300799;
UPDATE courses SET created_at = CASE WHEN created_at < 0 THEN 0 ELSE coalesce(
        (SELECT min(occurred_at) FROM interactions WHERE course_id = courses.id), CAST(strftime('%s', 'now') AS INTEGER)) END
WHERE created_at NOT BETWEEN 0 AND 253402300799;
UPDATE courses SET updated_at = max(created_at, CAST(strftime('%s', 'now') AS INTEGER))
WHERE updated_at NOT BETWEEN 0 AND 253402300799;

CREATE TRIGGER interactions_in_range BEFORE INSERT ON interactions
WHEN NEW.occurred_at NOT BETWEEN 0 AND 253402300799
  OR (NEW.kind IN ('purchase', 'refund') AND NEW.value > 1000000000000)
BEGIN
    SELECT RAISE(ABORT, 'an event''s time must be between 1970-01-01 and 9999-12-31, and its amount at most 10^12 minor units');
END;

CREATE TRIGGER interactions_stay_in_range BEFORE UPDATE OF occurred_at, value, kind ON interactions
WHEN NEW.occurred_at NOT BETWEEN 0 AND 253402300799
  OR (NEW.kind IN ('purchase', 'refund') AND NEW.value > 1000000000000)
BEGIN
    SELECT RAISE(ABORT, 'an event''s time must be between 1970-01-01 and 9999-12-31, and its amount at most 10^12 minor units');
END;

CREATE TRIGGER courses_in_range BEFORE INSERT ON courses
WHEN NEW.price_minor > 1000000000000 OR NEW.hours > 100000
  OR NEW.created_at NOT BETWEEN 0 AND 253402300799 OR NEW.updated_at NOT BETWEEN 0 AND 253402300799
BEGIN
    SELECT RAISE(ABORT, 'a course''s price must be at most 10^12 minor units, its hours at most 100000 and its times between 1970-01-01 and 9999-12-31');
END;

CREATE TRIGGER courses_stay_in_range BEFORE UPDATE OF price_minor, hours, created_at, updated_at ON courses
WHEN NEW.price_minor > 1000000000000 OR NEW.hours > 100000
  OR NEW.created_at NOT BETWEEN 0 AND 253402300799 OR NEW.updated_at NOT BETWEEN 0 AND 253402300799
BEGIN
    SELECT RAISE(ABORT, 'a course''s price must be at most 10^12 minor units, its hours at most 100000 and its times between 1970-01-01 and 9999-12-31');
END;

CREATE TRIGGER users_in_range BEFORE INSERT ON users
WHEN NEW.created_at NOT BETWEEN 0 AND 253402300799
BEGIN
    SELECT RAISE(ABORT, 'a learner''s creation time must be between 1970-01-01 and 9999-12-31');
END;

CREATE TRIGGER users_stay_in_range BEFORE UPDATE OF created_at ON users
WHEN NEW.created_at NOT BETWEEN 0 AND 253402300799
BEGIN
    SELECT RAISE(ABORT, 'a learner''s creation time must be between 1970-01-01 and 9999-12-31');
END;

CREATE TRIGGER creators_in_range BEFORE INSERT ON creators
WHEN NEW.created_at NOT BETWEEN 0 AND 253402300799
BEGIN
    SELECT RAISE(ABORT, 'a creator''s creation time must be between 1970-01-01 and 9999-12-31');
END;
