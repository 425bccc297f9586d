-- PostgreSQL twin of Migrations/0016_dismissals.sql.
-- A learner can say "not for me": the `dismiss` event, with an optional reason (not-relevant, too-basic,
-- too-advanced, already-know, too-expensive or other); no other kind has one. SQLite rebuilds
-- `interactions`; PostgreSQL changes it in place, keeping its indexes and triggers.

ALTER TABLE interactions DROP CONSTRAINT interactions_kind_check;
ALTER TABLE interactions ADD CONSTRAINT interactions_kind_check
    CHECK (kind IN ('view', 'wishlist', 'enroll', 'purchase', 'complete', 'rate', 'refund', 'dismiss'));

ALTER TABLE interactions ADD COLUMN reason TEXT CHECK (CASE kind
    WHEN 'dismiss' THEN reason IS NULL OR reason IN
        ('not-relevant', 'too-basic', 'too-advanced', 'already-know', 'too-expensive', 'other')
    ELSE reason IS NULL END);

CREATE INDEX interactions_dismissals ON interactions (course_id, occurred_at, user_id, reason) WHERE kind = 'dismiss';
