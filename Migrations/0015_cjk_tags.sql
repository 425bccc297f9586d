-- lectern: rebuilds tables
-- Tags may be Chinese, Japanese or Korean words (`深度学习`): `tag suggest` finds them in CJK course
-- text, and editors can use them too. Besides a-z, 0-9 and - + # ., a tag's 1 to 60 characters may be
-- CJK ideographs (U+3400-U+4DBF, U+4E00-U+9FFF, U+F900-U+FAFF), kana (U+3040-U+30FF) or hangul
-- (U+AC00-U+D7AF), the ranges the content model reads as CJK.
--
-- SQLite cannot change a CHECK in place, so `tags` is rebuilt (the 12 steps of
-- https://www.sqlite.org/lang_altertable.html#otheralter): foreign keys are off around this migration
-- (else dropping `tags` would cascade to course_tags) and checked before it commits. Every tag keeps
-- its id. The trigger on tags (migration 8) is made again, word for word.

DROP TRIGGER catalog_version_tag_rename;

CREATE TABLE tags_new (
    id   INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE CHECK (length(name) BETWEEN 1 AND 60
                                     AND name NOT GLOB '*[^a-z0-9+#.㐀-䶿一-鿿豈-﫿぀-ヿ가-힯-]*')
) STRICT;
INSERT INTO tags_new (id, name) SELECT id, name FROM tags;
DROP TABLE tags;
ALTER TABLE tags_new RENAME TO tags;

CREATE TRIGGER catalog_version_tag_rename AFTER UPDATE ON tags
BEGIN UPDATE catalog_version SET version = version + 1; END;
