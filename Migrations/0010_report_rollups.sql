-- Reports at scale: rollups kept exact with the events, and indexes the reports read instead of the table.
--
-- daily_course_sales holds, for every UTC day and course, the purchases and refunds among interactions
-- with id <= rollup_state.through_interaction_id (the watermark); monthly_learner_activity holds each
-- learner's events and purchases per UTC month, under the same watermark. `ReportRollups.refresh()` folds in
-- the interactions above the watermark and moves it, in one transaction; a report reads the rollup
-- plus the raw events above the watermark, so it is exact between refreshes too. The triggers below
-- keep rows at or under the watermark exact when such an interaction is deleted (a `forget`, a `clean`,
-- a cascade from a deleted learner), changed, or inserted with a reused id.
-- Money stays per course: a course has one currency, so no rollup row mixes two.

CREATE TABLE rollup_state (
    name                   TEXT    PRIMARY KEY,
    through_interaction_id INTEGER NOT NULL CHECK (through_interaction_id >= 0)
) STRICT, WITHOUT ROWID;

-- One watermark for both rollups: `refresh()` moves them together.
INSERT INTO rollup_state (name, through_interaction_id) VALUES ('reports', 0);

CREATE TABLE daily_course_sales (
    -- Days since 1970-01-01 (UTC), floored: occurred_at in [day * 86400, day * 86400 + 86400).
    day            INTEGER NOT NULL,
    course_id      INTEGER NOT NULL,
    orders         INTEGER NOT NULL,
    gross_minor    INTEGER NOT NULL,
    refunds        INTEGER NOT NULL,
    refunded_minor INTEGER NOT NULL,
    PRIMARY KEY (day, course_id)
) STRICT, WITHOUT ROWID;

CREATE TRIGGER daily_course_sales_insert AFTER INSERT ON interactions
WHEN NEW.kind IN ('purchase', 'refund')
 AND NEW.id <= (SELECT through_interaction_id FROM rollup_state WHERE name = 'reports')
BEGIN
    INSERT INTO daily_course_sales (day, course_id, orders, gross_minor, refunds, refunded_minor)
    VALUES ((NEW.occurred_at - ((NEW.occurred_at % 86400) + 86400) % 86400) / 86400, NEW.course_id,
            NEW.kind = 'purchase', CASE NEW.kind WHEN 'purchase' THEN NEW.value ELSE 0 END,
            NEW.kind = 'refund', CASE NEW.kind WHEN 'refund' THEN NEW.value ELSE 0 END)
    ON CONFLICT (day, course_id) DO UPDATE SET
        orders = orders + excluded.orders, gross_minor = gross_minor + excluded.gross_minor,
        refunds = refunds + excluded.refunds, refunded_minor = refunded_minor + excluded.refunded_minor;
END;

CREATE TRIGGER daily_course_sales_delete AFTER DELETE ON interactions
WHEN OLD.kind IN ('purchase', 'refund')
 AND OLD.id <= (SELECT through_interaction_id FROM rollup_state WHERE name = 'reports')
BEGIN
    UPDATE daily_course_sales SET
        orders = orders - (OLD.kind = 'purchase'),
        gross_minor = gross_minor - CASE OLD.kind WHEN 'purchase' THEN OLD.value ELSE 0 END,
        refunds = refunds - (OLD.kind = 'refund'),
        refunded_minor = refunded_minor - CASE OLD.kind WHEN 'refund' THEN OLD.value ELSE 0 END
    WHERE day = (OLD.occurred_at - ((OLD.occurred_at % 86400) + 86400) % 86400) / 86400 AND course_id = OLD.course_id;
    DELETE FROM daily_course_sales
    WHERE day = (OLD.occurred_at - ((OLD.occurred_at % 86400) + 86400) % 86400) / 86400 AND course_id = OLD.course_id
      AND orders = 0 AND refunds = 0;
END;

-- An update is a delete of the old row and an insert of the new one (both guarded by the watermark).
CREATE TRIGGER daily_course_sales_update_old AFTER UPDATE OF id, course_id, kind, value, occurred_at ON interactions
WHEN OLD.kind IN ('purchase', 'refund')
 AND OLD.id <= (SELECT through_interaction_id FROM rollup_state WHERE name = 'reports')
BEGIN
    UPDATE daily_course_sales SET
        orders = orders - (OLD.kind = 'purchase'),
        gross_minor = gross_minor - CASE OLD.kind WHEN 'purchase' THEN OLD.value ELSE 0 END,
        refunds = refunds - (OLD.kind = 'refund'),
        refunded_minor = refunded_minor - CASE OLD.kind WHEN 'refund' THEN OLD.value ELSE 0 END
    WHERE day = (OLD.occurred_at - ((OLD.occurred_at % 86400) + 86400) % 86400) / 86400 AND course_id = OLD.course_id;
    DELETE FROM daily_course_sales
    WHERE day = (OLD.occurred_at - ((OLD.occurred_at % 86400) + 86400) % 86400) / 86400 AND course_id = OLD.course_id
      AND orders = 0 AND refunds = 0;
END;

CREATE TRIGGER daily_course_sales_update_new AFTER UPDATE OF id, course_id, kind, value, occurred_at ON interactions
WHEN NEW.kind IN ('purchase', 'refund')
 AND NEW.id <= (SELECT through_interaction_id FROM rollup_state WHERE name = 'reports')
BEGIN
    INSERT INTO daily_course_sales (day, course_id, orders, gross_minor, refunds, refunded_minor)
    VALUES ((NEW.occurred_at - ((NEW.occurred_at % 86400) + 86400) % 86400) / 86400, NEW.course_id,
            NEW.kind = 'purchase', CASE NEW.kind WHEN 'purchase' THEN NEW.value ELSE 0 END,
            NEW.kind = 'refund', CASE NEW.kind WHEN 'refund' THEN NEW.value ELSE 0 END)
    ON CONFLICT (day, course_id) DO UPDATE SET
        orders = orders + excluded.orders, gross_minor = gross_minor + excluded.gross_minor,
        refunds = refunds + excluded.refunds, refunded_minor = refunded_minor + excluded.refunded_minor;
END;

-- A learner's events and purchases in one UTC month. Distinct learners per month are its rows with
-- events > 0 (or purchases > 0), so cohort counts come from it without reading the events.
CREATE TABLE monthly_learner_activity (
    user_id   INTEGER NOT NULL,
    -- Months since 1970-01 (UTC): (year - 1970) * 12 + month - 1.
    month     INTEGER NOT NULL,
    events    INTEGER NOT NULL,
    purchases INTEGER NOT NULL,
    PRIMARY KEY (user_id, month)
) STRICT, WITHOUT ROWID;

CREATE TRIGGER monthly_learner_activity_insert AFTER INSERT ON interactions
WHEN NEW.id <= (SELECT through_interaction_id FROM rollup_state WHERE name = 'reports')
BEGIN
    INSERT INTO monthly_learner_activity (user_id, month, events, purchases)
    VALUES (NEW.user_id, (CAST(strftime('%Y', NEW.occurred_at, 'unixepoch') AS INTEGER) - 1970) * 12
                         + CAST(strftime('%m', NEW.occurred_at, 'unixepoch') AS INTEGER) - 1,
            1, NEW.kind = 'purchase')
    ON CONFLICT (user_id, month) DO UPDATE SET events = events + 1, purchases = purchases + excluded.purchases;
END;

CREATE TRIGGER monthly_learner_activity_delete AFTER DELETE ON interactions
WHEN OLD.id <= (SELECT through_interaction_id FROM rollup_state WHERE name = 'reports')
BEGIN
    UPDATE monthly_learner_activity SET events = events - 1, purchases = purchases - (OLD.kind = 'purchase')
    WHERE user_id = OLD.user_id
      AND month = (CAST(strftime('%Y', OLD.occurred_at, 'unixepoch') AS INTEGER) - 1970) * 12
                  + CAST(strftime('%m', OLD.occurred_at, 'unixepoch') AS INTEGER) - 1;
    DELETE FROM monthly_learner_activity
    WHERE user_id = OLD.user_id AND events = 0
      AND month = (CAST(strftime('%Y', OLD.occurred_at, 'unixepoch') AS INTEGER) - 1970) * 12
                  + CAST(strftime('%m', OLD.occurred_at, 'unixepoch') AS INTEGER) - 1;
END;

-- `forget` moves a learner's purchases to the anonymous learner: an update of user_id.
CREATE TRIGGER monthly_learner_activity_update_old AFTER UPDATE OF id, user_id, kind, occurred_at ON interactions
WHEN OLD.id <= (SELECT through_interaction_id FROM rollup_state WHERE name = 'reports')
BEGIN
    UPDATE monthly_learner_activity SET events = events - 1, purchases = purchases - (OLD.kind = 'purchase')
    WHERE user_id = OLD.user_id
      AND month = (CAST(strftime('%Y', OLD.occurred_at, 'unixepoch') AS INTEGER) - 1970) * 12
                  + CAST(strftime('%m', OLD.occurred_at, 'unixepoch') AS INTEGER) - 1;
    DELETE FROM monthly_learner_activity
    WHERE user_id = OLD.user_id AND events = 0
      AND month = (CAST(strftime('%Y', OLD.occurred_at, 'unixepoch') AS INTEGER) - 1970) * 12
                  + CAST(strftime('%m', OLD.occurred_at, 'unixepoch') AS INTEGER) - 1;
END;

CREATE TRIGGER monthly_learner_activity_update_new AFTER UPDATE OF id, user_id, kind, occurred_at ON interactions
WHEN NEW.id <= (SELECT through_interaction_id FROM rollup_state WHERE name = 'reports')
BEGIN
    INSERT INTO monthly_learner_activity (user_id, month, events, purchases)
    VALUES (NEW.user_id, (CAST(strftime('%Y', NEW.occurred_at, 'unixepoch') AS INTEGER) - 1970) * 12
                         + CAST(strftime('%m', NEW.occurred_at, 'unixepoch') AS INTEGER) - 1,
            1, NEW.kind = 'purchase')
    ON CONFLICT (user_id, month) DO UPDATE SET events = events + 1, purchases = purchases + excluded.purchases;
END;

-- Money events by time, covering every column the sales, creators and learners reports read: the
-- partial days a rollup cannot answer, distinct paying learners, and sales filtered by learner.
CREATE INDEX interactions_money_by_time ON interactions (occurred_at, course_id, user_id, kind, value)
WHERE kind IN ('purchase', 'refund');

-- A learner's interactions with every column the funnel, channels, cohorts, segments and learners
-- reports read, so they scan this index in learner order instead of visiting the table row of each
-- event (at 20M events, one random page read each). It replaces 0001's (user_id, course_id, kind),
-- which it extends, so every query that used that one can use this one.
DROP INDEX interactions_by_user;
CREATE INDEX interactions_by_user ON interactions (user_id, course_id, kind, occurred_at, value);
