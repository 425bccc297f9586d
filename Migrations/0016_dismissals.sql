-- lectern: rebuilds tables
-- A learner can say "not for me": the `dismiss` event, with an optional reason.
--
-- - `kind` may be 'dismiss'. A dismissal carries no value, and may carry a `reason`: one of
--   not-relevant, too-basic, too-advanced, already-know, too-expensive or other. No other kind has one.
-- - A dismissal holds until the learner later views, wishlists, enrolls in or buys the course; the
--   storefront query, fold-in and training all read it that way (see README, "Not for me").
-- - `interactions_dismissals` lists dismissals by course for the reports, and is small: only
--   dismissals are in it.
--
-- SQLite cannot change a CHECK in place, so `interactions` is rebuilt (the 12 steps of
-- https://www.sqlite.org/lang_altertable.html#otheralter; foreign keys are off around a migration and
-- checked before it commits). Every event keeps its id, so the report rollups' watermark still holds.
-- The indexes and triggers of migrations 1, 10 and 12 are made again, word for word.

CREATE TABLE interactions_new (
    id              INTEGER PRIMARY KEY,
    user_id         INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    course_id       INTEGER NOT NULL REFERENCES courses (id),
    kind            TEXT    NOT NULL
                    CHECK (kind IN ('view', 'wishlist', 'enroll', 'purchase', 'complete', 'rate', 'refund', 'dismiss')),
    value           INTEGER CHECK (CASE kind
                        WHEN 'rate' THEN value BETWEEN 1 AND 5
                        WHEN 'purchase' THEN value >= 0
                        WHEN 'refund' THEN value >= 0
                        ELSE value IS NULL END),
    channel         TEXT,
    occurred_at     INTEGER NOT NULL,
    idempotency_key TEXT,
    reason          TEXT    CHECK (CASE kind
                        WHEN 'dismiss' THEN reason IS NULL OR reason IN
                            ('not-relevant', 'too-basic', 'too-advanced', 'already-know', 'too-expensive', 'other')
                        ELSE reason IS NULL END)
) STRICT;

INSERT INTO interactions_new (id, user_id, course_id, kind, value, channel, occurred_at, idempotency_key)
SELECT id, user_id, course_id, kind, value, channel, occurred_at, idempotency_key FROM interactions;
DROP TABLE interactions;
ALTER TABLE interactions_new RENAME TO interactions;

CREATE INDEX interactions_by_course ON interactions (course_id, kind, occurred_at);
CREATE UNIQUE INDEX interactions_by_key ON interactions (idempotency_key) WHERE idempotency_key IS NOT NULL;
CREATE INDEX interactions_money_by_time ON interactions (occurred_at, course_id, user_id, kind, value)
WHERE kind IN ('purchase', 'refund');
CREATE INDEX interactions_by_user ON interactions (user_id, course_id, kind, occurred_at, value);
CREATE INDEX interactions_dismissals ON interactions (course_id, occurred_at, user_id, reason) WHERE kind = 'dismiss';

CREATE TRIGGER interactions_refund_needs_purchase
BEFORE INSERT ON interactions
WHEN NEW.kind = 'refund' AND NOT EXISTS (
    SELECT 1 FROM interactions
    WHERE user_id = NEW.user_id AND course_id = NEW.course_id AND kind = 'purchase'
)
BEGIN
    SELECT RAISE(ABORT, 'a refund needs a purchase of the same course by the same learner');
END;

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
