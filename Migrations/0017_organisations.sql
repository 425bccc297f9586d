-- Enterprise training: organisations buy seats for their staff, license domains or courses, set
-- target skills per team, and assign courses with due dates.
--
-- - A learner belongs to at most one organisation at a time (`org_members.user_id` is the key);
--   moving them keeps their history, which lives in `interactions` as for everyone.
-- - Seats: an organisation never has more members than seats (trigger below, and the repository
--   says so first with the count). Every purchase of seats is kept in `org_seat_purchases`, the
--   organisation's money, reported as its own line in `report sales`.
-- - A licence names a domain or one course; a member enrolls in a licensed course at no charge.
-- - Assignments: one open assignment per (organisation, learner, course); assigning again changes
--   nothing (or moves the due date), removing a member retires their open assignments.

CREATE TABLE organisations (
    id               INTEGER PRIMARY KEY,
    slug             TEXT    NOT NULL UNIQUE
                     CHECK (length(slug) BETWEEN 1 AND 80 AND slug NOT GLOB '*[^a-z0-9-]*'),
    name             TEXT    NOT NULL CHECK (length(trim(name)) BETWEEN 1 AND 200),
    seats            INTEGER NOT NULL CHECK (seats BETWEEN 0 AND 10000000),
    seat_price_minor INTEGER CHECK (seat_price_minor IS NULL OR seat_price_minor BETWEEN 0 AND 1000000000000),
    currency         TEXT    NOT NULL DEFAULT 'USD' CHECK (length(currency) = 3 AND currency = upper(currency)),
    created_at       INTEGER NOT NULL CHECK (created_at BETWEEN 0 AND 253402300799)
) STRICT;

CREATE TABLE org_members (
    user_id    INTEGER PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    org_id     INTEGER NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
    team       TEXT    NOT NULL CHECK (length(team) BETWEEN 1 AND 80 AND team NOT GLOB '*[^a-z0-9_-]*'),
    role       TEXT    CHECK (role IS NULL OR length(role) BETWEEN 1 AND 80),
    is_manager INTEGER NOT NULL DEFAULT 0 CHECK (is_manager IN (0, 1)),
    joined_at  INTEGER NOT NULL CHECK (joined_at BETWEEN 0 AND 253402300799)
) STRICT;

CREATE INDEX org_members_by_team ON org_members (org_id, team);

CREATE TRIGGER org_members_within_seats BEFORE INSERT ON org_members
WHEN (SELECT count(*) FROM org_members WHERE org_id = NEW.org_id)
     >= (SELECT seats FROM organisations WHERE id = NEW.org_id)
BEGIN
    SELECT RAISE(ABORT, 'the organisation has no seat left');
END;

CREATE TRIGGER org_members_move_within_seats BEFORE UPDATE OF org_id ON org_members
WHEN NEW.org_id <> OLD.org_id
 AND (SELECT count(*) FROM org_members WHERE org_id = NEW.org_id)
     >= (SELECT seats FROM organisations WHERE id = NEW.org_id)
BEGIN
    SELECT RAISE(ABORT, 'the organisation has no seat left');
END;

CREATE TRIGGER organisations_keep_their_members BEFORE UPDATE OF seats ON organisations
WHEN NEW.seats < (SELECT count(*) FROM org_members WHERE org_id = NEW.id)
BEGIN
    SELECT RAISE(ABORT, 'seats cannot go below the members an organisation has');
END;

-- Seats bought: when the organisation was added with a seat price, and every increase since.
CREATE TABLE org_seat_purchases (
    id           INTEGER PRIMARY KEY,
    org_id       INTEGER NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
    seats        INTEGER NOT NULL CHECK (seats > 0),
    amount_minor INTEGER NOT NULL CHECK (amount_minor BETWEEN 0 AND 1000000000000),
    currency     TEXT    NOT NULL CHECK (length(currency) = 3 AND currency = upper(currency)),
    occurred_at  INTEGER NOT NULL CHECK (occurred_at BETWEEN 0 AND 253402300799)
) STRICT;

CREATE INDEX org_seat_purchases_by_time ON org_seat_purchases (occurred_at, org_id);

CREATE TABLE org_licences (
    org_id    INTEGER NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
    domain    TEXT    CHECK (domain IS NULL OR (length(domain) > 0 AND domain NOT GLOB '*[^a-z0-9-]*')),
    course_id INTEGER REFERENCES courses (id) ON DELETE CASCADE,
    CHECK ((domain IS NULL) <> (course_id IS NULL))
) STRICT;

CREATE UNIQUE INDEX org_licences_unique ON org_licences (org_id, coalesce(domain, ''), coalesce(course_id, 0));

-- A team's target skills: tags (by name, so a skill may name a tag no course has yet).
CREATE TABLE org_skills (
    org_id INTEGER NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
    team   TEXT    NOT NULL,
    skill  TEXT    NOT NULL CHECK (length(skill) BETWEEN 1 AND 60),
    PRIMARY KEY (org_id, team, skill)
) STRICT, WITHOUT ROWID;

CREATE TABLE assignments (
    id          INTEGER PRIMARY KEY,
    org_id      INTEGER NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
    user_id     INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    course_id   INTEGER NOT NULL REFERENCES courses (id),
    -- How it was assigned: one course, a path towards a goal course, or a team's skill gaps.
    source      TEXT    NOT NULL CHECK (source IN ('course', 'path', 'skills')),
    -- The place in the learner's path (1, 2, ...), for path assignments; else NULL.
    step        INTEGER CHECK (step IS NULL OR step >= 1),
    due_at      INTEGER NOT NULL CHECK (due_at BETWEEN 0 AND 253402300799),
    assigned_at INTEGER NOT NULL CHECK (assigned_at BETWEEN 0 AND 253402300799),
    -- Set when the member left the organisation (or the assignment was withdrawn).
    retired_at  INTEGER CHECK (retired_at IS NULL OR retired_at >= assigned_at)
) STRICT;

CREATE UNIQUE INDEX assignments_open ON assignments (org_id, user_id, course_id) WHERE retired_at IS NULL;
CREATE INDEX assignments_by_user ON assignments (user_id, course_id);

-- An API key may be scoped to one organisation: it then sees only that organisation's members,
-- assignments and report, and any other learner is "not found" to it.
ALTER TABLE api_keys ADD COLUMN org_id INTEGER REFERENCES organisations (id) ON DELETE CASCADE;
