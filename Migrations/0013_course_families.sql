-- Course runs: a course may belong to a family, such as one module offered again each term or the
-- editions of a book. A learner who took one run is never offered another run of the same family,
-- and evaluation counts a family as one course. A family is a name (lowercase letters, digits and
-- dashes), so a course belongs to at most one family and a family cannot form a cycle.
ALTER TABLE courses ADD COLUMN family TEXT
    CHECK (family IS NULL OR (length(family) BETWEEN 1 AND 120 AND family NOT GLOB '*[^a-z0-9-]*'));

CREATE INDEX courses_by_family ON courses (family) WHERE family IS NOT NULL;
