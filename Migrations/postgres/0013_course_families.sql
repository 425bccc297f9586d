-- PostgreSQL twin of Migrations/0013_course_families.sql.
-- Course runs: a course may belong to a family (a name of lowercase letters, digits and dashes).
ALTER TABLE courses ADD COLUMN family TEXT
    CHECK (family IS NULL OR (length(family) BETWEEN 1 AND 120 AND family !~ '[^a-z0-9-]'));

CREATE INDEX courses_by_family ON courses (family) WHERE family IS NOT NULL;
