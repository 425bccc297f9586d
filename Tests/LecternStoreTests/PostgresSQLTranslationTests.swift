@testable import LecternStore
import Testing

/// SQLite's SQL as PostgreSQL reads it (`PostgresSQL.translate`), rule by rule.
@Suite("SQL translated for PostgreSQL")
struct PostgresSQLTranslationTests {
    @Test("? becomes $1, $2... in order, and ?NNN becomes $NNN", arguments: [
        ("SELECT a FROM t WHERE b = ? AND c = ?", "SELECT a FROM t WHERE b = $1 AND c = $2"),
        ("WHERE user_id = ?1 AND course_id = ?2 AND x = ?1", "WHERE user_id = $1 AND course_id = $2 AND x = $1"),
        ("VALUES (?, ?, ?)", "VALUES ($1, $2, $3)"),
        ("SELECT 1", "SELECT 1"),
    ])
    func placeholders(sqlite: String, postgres: String) {
        #expect(PostgresSQL.translate(sqlite) == postgres)
    }

    @Test("a ? inside quoted text or a comment is left alone", arguments: [
        ("SELECT '?' , \"odd?name\" FROM t WHERE a = ?", "SELECT '?' , \"odd?name\" FROM t WHERE a = $1"),
        ("SELECT 'it''s ?' WHERE a = ?", "SELECT 'it''s ?' WHERE a = $1"),
        ("SELECT a -- why? because\nFROM t WHERE b = ?", "SELECT a -- why? because\nFROM t WHERE b = $1"),
        ("WHERE a LIKE ? ESCAPE '\\'", "WHERE a LIKE $1 ESCAPE '\\'"),
    ])
    func quotedText(sqlite: String, postgres: String) {
        #expect(PostgresSQL.translate(sqlite) == postgres)
    }

    @Test("LIMIT ? takes SQLite's -1 (no limit) as PostgreSQL's NULL; OFFSET and other words are unchanged", arguments: [
        ("ORDER BY name LIMIT ? OFFSET ?", "ORDER BY name LIMIT nullif($1, -1) OFFSET $2"),
        ("ORDER BY id limit\n  ?", "ORDER BY id limit\n  nullif($1, -1)"),
        ("SELECT unlimit ?", "SELECT unlimit $1"),
        ("SELECT x_limit ?", "SELECT x_limit $1"),
    ])
    func limit(sqlite: String, postgres: String) {
        #expect(PostgresSQL.translate(sqlite) == postgres)
    }

    @Test("a statement declared for both engines keeps each text; a string is the same on both")
    func engineStatements() {
        let both = EngineSQL(sqlite: "INSERT OR IGNORE INTO t VALUES (?)", postgres: "INSERT INTO t VALUES (?) ON CONFLICT DO NOTHING")
        #expect(both.sqliteText == "INSERT OR IGNORE INTO t VALUES (?)")
        #expect(PostgresSQL.translate(both.postgresText) == "INSERT INTO t VALUES ($1) ON CONFLICT DO NOTHING")
        let plain = "SELECT ?"
        #expect(plain.sqliteText == plain && plain.postgresText == plain)
    }
}
