-- PostgreSQL twin of Migrations/0015_cjk_tags.sql.
-- Tags may be Chinese, Japanese or Korean words: besides a-z, 0-9 and - + # ., a tag's 1 to 60
-- characters may be CJK ideographs (U+3400-U+4DBF, U+4E00-U+9FFF, U+F900-U+FAFF), kana (U+3040-U+30FF)
-- or hangul (U+AC00-U+D7AF). SQLite rebuilds `tags`; PostgreSQL changes the CHECK in place.
-- (The database must be in UTF8, which Lectern's own databases are.)

ALTER TABLE tags DROP CONSTRAINT tags_name_check;
ALTER TABLE tags ADD CONSTRAINT tags_name_check
    CHECK (length(name) BETWEEN 1 AND 60 AND name !~ '[^a-z0-9+#.㐀-䶿一-鿿豈-﫿぀-ヿ가-힯-]');
