-- PostgreSQL twin of Migrations/0010_report_rollups.sql.
-- Reports at scale: rollups kept exact with the events, and indexes the reports read instead of the table.
--
-- daily_course_sales holds, for every UTC day and course, the purchases and refunds among interactions
-- with id <= rollup_state.through_interaction_id (the watermark); monthly_learner_activity holds each
-- learner's events and purchases per UTC month, under the same watermark. The triggers below keep rows
-- at or under the watermark exact when such an interaction is deleted, changed, or inserted with a
-- reused id. (A PostgreSQL trigger's WHEN clause cannot read a table, so the watermark test is in the
-- function; SQLite's pairs of update triggers are kept, by name, as pairs.)

CREATE TABLE rollup_state (
    name                   TEXT   PRIMARY KEY,
    through_interaction_id BIGINT NOT NULL CHECK (through_interaction_id >= 0)
);

INSERT INTO rollup_state (name, through_interaction_id) VALUES ('reports', 0);

CREATE TABLE daily_course_sales (
    -- Days since 1970-01-01 (UTC), floored: occurred_at in [day * 86400, day * 86400 + 86400).
    day            BIGINT NOT NULL,
    course_id      BIGINT NOT NULL,
    orders         BIGINT NOT NULL,
    gross_minor    BIGINT NOT NULL,
    refunds        BIGINT NOT NULL,
    refunded_minor BIGINT NOT NULL,
    PRIMARY KEY (day, course_id)
);

-- Whether an interaction id lies at or under the reports' watermark.
CREATE FUNCTION lectern_rolled_up(interaction_id BIGINT) RETURNS boolean LANGUAGE sql STABLE AS $$
    SELECT interaction_id <= (SELECT through_interaction_id FROM rollup_state WHERE name = 'reports')
$$;

-- The UTC day (floored) and month (months since 1970-01) of a Unix time, as migration 10 computes them.
CREATE FUNCTION lectern_utc_day(t BIGINT) RETURNS bigint LANGUAGE sql IMMUTABLE AS $$
    SELECT (t - ((t % 86400) + 86400) % 86400) / 86400
$$;

CREATE FUNCTION lectern_utc_month(t BIGINT) RETURNS bigint LANGUAGE sql IMMUTABLE AS $$
    SELECT (extract(year FROM to_timestamp(t) AT TIME ZONE 'UTC')::bigint - 1970) * 12
           + extract(month FROM to_timestamp(t) AT TIME ZONE 'UTC')::bigint - 1
$$;

-- Adds a purchase or refund (NEW) to its day, or takes one (OLD) away, dropping an emptied row.
CREATE FUNCTION daily_course_sales_add() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF lectern_rolled_up(NEW.id) THEN
        INSERT INTO daily_course_sales AS s (day, course_id, orders, gross_minor, refunds, refunded_minor)
        VALUES (lectern_utc_day(NEW.occurred_at), NEW.course_id,
                (NEW.kind = 'purchase')::int, CASE NEW.kind WHEN 'purchase' THEN NEW.value ELSE 0 END,
                (NEW.kind = 'refund')::int, CASE NEW.kind WHEN 'refund' THEN NEW.value ELSE 0 END)
        ON CONFLICT (day, course_id) DO UPDATE SET
            orders = s.orders + excluded.orders, gross_minor = s.gross_minor + excluded.gross_minor,
            refunds = s.refunds + excluded.refunds, refunded_minor = s.refunded_minor + excluded.refunded_minor;
    END IF;
    RETURN NULL;
END;
$$;

CREATE FUNCTION daily_course_sales_remove() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF lectern_rolled_up(OLD.id) THEN
        UPDATE daily_course_sales SET
            orders = orders - (OLD.kind = 'purchase')::int,
            gross_minor = gross_minor - CASE OLD.kind WHEN 'purchase' THEN OLD.value ELSE 0 END,
            refunds = refunds - (OLD.kind = 'refund')::int,
            refunded_minor = refunded_minor - CASE OLD.kind WHEN 'refund' THEN OLD.value ELSE 0 END
        WHERE day = lectern_utc_day(OLD.occurred_at) AND course_id = OLD.course_id;
        DELETE FROM daily_course_sales
        WHERE day = lectern_utc_day(OLD.occurred_at) AND course_id = OLD.course_id AND orders = 0 AND refunds = 0;
    END IF;
    RETURN NULL;
END;
$$;

CREATE TRIGGER daily_course_sales_insert AFTER INSERT ON interactions
FOR EACH ROW WHEN (NEW.kind IN ('purchase', 'refund')) EXECUTE FUNCTION daily_course_sales_add();

CREATE TRIGGER daily_course_sales_delete AFTER DELETE ON interactions
FOR EACH ROW WHEN (OLD.kind IN ('purchase', 'refund')) EXECUTE FUNCTION daily_course_sales_remove();

-- An update is a delete of the old row and an insert of the new one (both guarded by the watermark).
CREATE TRIGGER daily_course_sales_update_old AFTER UPDATE OF id, course_id, kind, value, occurred_at ON interactions
FOR EACH ROW WHEN (OLD.kind IN ('purchase', 'refund')) EXECUTE FUNCTION daily_course_sales_remove();

CREATE TRIGGER daily_course_sales_update_new AFTER UPDATE OF id, course_id, kind, value, occurred_at ON interactions
FOR EACH ROW WHEN (NEW.kind IN ('purchase', 'refund')) EXECUTE FUNCTION daily_course_sales_add();

-- A learner's events and purchases in one UTC month.
CREATE TABLE monthly_learner_activity (
    user_id   BIGINT NOT NULL,
    -- Months since 1970-01 (UTC): (year - 1970) * 12 + month - 1.
    month     BIGINT NOT NULL,
    events    BIGINT NOT NULL,
    purchases BIGINT NOT NULL,
    PRIMARY KEY (user_id, month)
);

CREATE FUNCTION monthly_learner_activity_add() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF lectern_rolled_up(NEW.id) THEN
        INSERT INTO monthly_learner_activity AS m (user_id, month, events, purchases)
        VALUES (NEW.user_id, lectern_utc_month(NEW.occurred_at), 1, (NEW.kind = 'purchase')::int)
        ON CONFLICT (user_id, month) DO UPDATE SET events = m.events + 1, purchases = m.purchases + excluded.purchases;
    END IF;
    RETURN NULL;
END;
$$;

CREATE FUNCTION monthly_learner_activity_remove() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF lectern_rolled_up(OLD.id) THEN
        UPDATE monthly_learner_activity SET events = events - 1, purchases = purchases - (OLD.kind = 'purchase')::int
        WHERE user_id = OLD.user_id AND month = lectern_utc_month(OLD.occurred_at);
        DELETE FROM monthly_learner_activity
        WHERE user_id = OLD.user_id AND events = 0 AND month = lectern_utc_month(OLD.occurred_at);
    END IF;
    RETURN NULL;
END;
$$;

CREATE TRIGGER monthly_learner_activity_insert AFTER INSERT ON interactions
FOR EACH ROW EXECUTE FUNCTION monthly_learner_activity_add();

CREATE TRIGGER monthly_learner_activity_delete AFTER DELETE ON interactions
FOR EACH ROW EXECUTE FUNCTION monthly_learner_activity_remove();

-- `forget` moves a learner's purchases to the anonymous learner: an update of user_id.
CREATE TRIGGER monthly_learner_activity_update_old AFTER UPDATE OF id, user_id, kind, occurred_at ON interactions
FOR EACH ROW EXECUTE FUNCTION monthly_learner_activity_remove();

CREATE TRIGGER monthly_learner_activity_update_new AFTER UPDATE OF id, user_id, kind, occurred_at ON interactions
FOR EACH ROW EXECUTE FUNCTION monthly_learner_activity_add();

-- Money events by time, covering every column the sales, creators and learners reports read.
CREATE INDEX interactions_money_by_time ON interactions (occurred_at, course_id, user_id, kind, value)
WHERE kind IN ('purchase', 'refund');

-- A learner's interactions with every column the learner-ordered reports read; replaces 0001's.
DROP INDEX interactions_by_user;
CREATE INDEX interactions_by_user ON interactions (user_id, course_id, kind, occurred_at, value);
