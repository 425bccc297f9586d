-- Learning features: automatic tags kept apart from editors' tags, learner segments, and what the
-- right to be forgotten leaves behind.

-- Where a course's tag came from: an editor, or `lectern tags suggest --apply` (with its TF-IDF weight).
-- Accepting a suggestion makes it an editor's tag; dropping one remembers it, so it is not suggested again.
ALTER TABLE course_tags ADD COLUMN source TEXT NOT NULL DEFAULT 'editor' CHECK (source IN ('editor', 'auto'));
ALTER TABLE course_tags ADD COLUMN weight REAL;

CREATE TABLE dropped_tag_suggestions (
    course_id  INTEGER NOT NULL REFERENCES courses (id) ON DELETE CASCADE,
    tag        TEXT    NOT NULL,
    dropped_at INTEGER NOT NULL,
    PRIMARY KEY (course_id, tag)
) STRICT, WITHOUT ROWID;

-- Learner segments from `lectern segments build`: k-means over domain and tag affinities, named by
-- their top domains. A rebuild replaces every segment and assignment in one transaction.
CREATE TABLE segments (
    id         INTEGER PRIMARY KEY,
    name       TEXT    NOT NULL UNIQUE CHECK (length(name) > 0),
    learners   INTEGER NOT NULL,
    -- The centroid's strongest dimensions, as JSON: [["domain:data-science", 0.41], ...].
    profile    TEXT    NOT NULL,
    built_at   INTEGER NOT NULL
) STRICT;

CREATE TABLE user_segments (
    user_id    INTEGER PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    segment_id INTEGER NOT NULL REFERENCES segments (id) ON DELETE CASCADE
) STRICT;

CREATE INDEX user_segments_by_segment ON user_segments (segment_id);

-- An experiment may be limited to one segment; learners outside it are served as usual.
ALTER TABLE experiments ADD COLUMN segment TEXT;

-- `lectern user forget` deletes the learner. Purchases and refunds are kept for the accounts, moved to
-- one shared anonymous learner (anonymous = 1) that stands for every forgotten learner, so they carry no
-- link to the person. Learner-level reports leave the anonymous learner out.
ALTER TABLE users ADD COLUMN anonymous INTEGER NOT NULL DEFAULT 0 CHECK (anonymous IN (0, 1));
