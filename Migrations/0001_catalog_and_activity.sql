-- Lectern's first schema: the course catalog, the learners, and what they do.
-- Times are Unix seconds (UTC); prices and amounts are integers in the currency's minor unit.

CREATE TABLE creators (
    id            INTEGER PRIMARY KEY,
    name          TEXT    NOT NULL UNIQUE CHECK (length(trim(name)) BETWEEN 1 AND 200),
    revenue_share REAL    NOT NULL CHECK (revenue_share BETWEEN 0.0 AND 1.0),
    contact       TEXT,
    created_at    INTEGER NOT NULL
) STRICT;

CREATE TABLE courses (
    id          INTEGER PRIMARY KEY,
    slug        TEXT    NOT NULL UNIQUE
                CHECK (length(slug) BETWEEN 1 AND 120 AND slug NOT GLOB '*[^a-z0-9-]*'),
    title       TEXT    NOT NULL CHECK (length(trim(title)) > 0),
    description TEXT    NOT NULL DEFAULT '',
    domain      TEXT    NOT NULL CHECK (length(domain) > 0 AND domain NOT GLOB '*[^a-z0-9-]*'),
    difficulty  TEXT    NOT NULL CHECK (difficulty IN ('beginner', 'intermediate', 'advanced')),
    format      TEXT    NOT NULL CHECK (format IN ('video', 'audio', 'ebook', 'live', 'article')),
    language    TEXT    NOT NULL DEFAULT 'en' CHECK (length(language) BETWEEN 2 AND 8),
    price_minor INTEGER NOT NULL CHECK (price_minor >= 0),
    currency    TEXT    NOT NULL DEFAULT 'USD' CHECK (length(currency) = 3 AND currency = upper(currency)),
    creator_id  INTEGER NOT NULL REFERENCES creators (id),
    hours       REAL    NOT NULL DEFAULT 0 CHECK (hours >= 0),
    status      TEXT    NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'published', 'archived')),
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL
) STRICT;

CREATE INDEX courses_by_domain ON courses (domain, status);
CREATE INDEX courses_by_creator ON courses (creator_id);

CREATE TABLE tags (
    id   INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE CHECK (length(name) BETWEEN 1 AND 60 AND name NOT GLOB '*[^a-z0-9+#.-]*')
) STRICT;

CREATE TABLE course_tags (
    course_id INTEGER NOT NULL REFERENCES courses (id) ON DELETE CASCADE,
    tag_id    INTEGER NOT NULL REFERENCES tags (id) ON DELETE CASCADE,
    PRIMARY KEY (course_id, tag_id)
) STRICT, WITHOUT ROWID;

CREATE INDEX course_tags_by_tag ON course_tags (tag_id);

-- A course requires each listed course first. Cycles are refused by the repository, which checks
-- reachability inside the same transaction (SQLite allows no WITH clause inside a trigger).
CREATE TABLE course_prerequisites (
    course_id   INTEGER NOT NULL REFERENCES courses (id) ON DELETE CASCADE,
    requires_id INTEGER NOT NULL REFERENCES courses (id) ON DELETE CASCADE,
    PRIMARY KEY (course_id, requires_id),
    CHECK (course_id <> requires_id)
) STRICT, WITHOUT ROWID;

CREATE INDEX course_prerequisites_by_requirement ON course_prerequisites (requires_id);

CREATE TABLE users (
    id           INTEGER PRIMARY KEY,
    external_id  TEXT    NOT NULL UNIQUE CHECK (length(external_id) BETWEEN 1 AND 120),
    display_name TEXT    NOT NULL DEFAULT '',
    email        TEXT    CHECK (email IS NULL OR email GLOB '?*@?*'),
    country      TEXT    CHECK (country IS NULL OR (length(country) = 2 AND country = upper(country))),
    channel      TEXT    NOT NULL DEFAULT 'direct' CHECK (length(channel) > 0 AND channel NOT GLOB '*[^a-z0-9_-]*'),
    campaign     TEXT,
    created_at   INTEGER NOT NULL
) STRICT;

CREATE INDEX users_by_channel ON users (channel, campaign);

-- Declared interests: a domain or a tag name each, in the learner's order.
CREATE TABLE user_interests (
    user_id  INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    topic    TEXT    NOT NULL CHECK (length(topic) > 0),
    position INTEGER NOT NULL,
    PRIMARY KEY (user_id, topic)
) STRICT, WITHOUT ROWID;

-- Everything learners do. `value` is the rating (1-5) of a `rate`, the amount paid of a
-- `purchase` or returned by a `refund` (minor units), and NULL for every other kind.
CREATE TABLE interactions (
    id              INTEGER PRIMARY KEY,
    user_id         INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    course_id       INTEGER NOT NULL REFERENCES courses (id),
    kind            TEXT    NOT NULL
                    CHECK (kind IN ('view', 'wishlist', 'enroll', 'purchase', 'complete', 'rate', 'refund')),
    value           INTEGER CHECK (CASE kind
                        WHEN 'rate' THEN value BETWEEN 1 AND 5
                        WHEN 'purchase' THEN value >= 0
                        WHEN 'refund' THEN value >= 0
                        ELSE value IS NULL END),
    channel         TEXT,
    occurred_at     INTEGER NOT NULL,
    idempotency_key TEXT
) STRICT;

CREATE INDEX interactions_by_user ON interactions (user_id, course_id, kind);
CREATE INDEX interactions_by_course ON interactions (course_id, kind, occurred_at);
CREATE UNIQUE INDEX interactions_by_key ON interactions (idempotency_key) WHERE idempotency_key IS NOT NULL;

CREATE TRIGGER interactions_refund_needs_purchase
BEFORE INSERT ON interactions
WHEN NEW.kind = 'refund' AND NOT EXISTS (
    SELECT 1 FROM interactions
    WHERE user_id = NEW.user_id AND course_id = NEW.course_id AND kind = 'purchase'
)
BEGIN
    SELECT RAISE(ABORT, 'a refund needs a purchase of the same course by the same learner');
END;
