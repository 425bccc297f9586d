internal import LecternPostgres
internal import LecternSQLite

/// A PostgreSQL connection as the executor uses it: SQL translated once per text, values bound as
/// PostgreSQL's types, and the count of rows the last write changed (SQLite's `changes()`).
final class PostgresSession {
    let connection: PGConnection
    /// Rows changed by the last `execute` or `insert`.
    private(set) var changes = 0
    /// SQLite's text to PostgreSQL's, for every text run so far (fixed SQL: a few hundred at most;
    /// SQL built from filters is translated again each time, and kept only while there are fewer
    /// than `translationLimit`).
    private var translations: [String: String] = [:]
    private static let translationLimit = 1_024

    init(_ connection: PGConnection) {
        self.connection = connection
    }

    /// Runs a statement that returns no rows.
    func execute(_ sql: String, _ arguments: [any SQLBindable]) throws {
        changes = try connection.execute(translated(sql), Self.values(arguments))
    }

    /// Runs an INSERT with `RETURNING id` and returns that id (0 when no row was made).
    func insert(_ sql: String, _ arguments: [any SQLBindable]) throws -> Int64 {
        let rows = try connection.query(translated(sql + " RETURNING id"), Self.values(arguments), prepare: true)
        changes = rows.count
        guard let row = rows.first, case .integer(let id) = row.values.first else { return 0 }
        return id
    }

    /// Runs a query and returns its rows.
    /// - Parameter prepare: whether the SQL is fixed text run again and again (the executor's
    ///   `cached`), to be prepared on the connection once.
    func query(_ sql: String, _ arguments: [any SQLBindable], prepare: Bool = false) throws -> [PGRow] {
        try connection.query(translated(sql), Self.values(arguments), prepare: prepare)
    }

    private func translated(_ sql: String) -> String {
        if let known = translations[sql] { return known }
        let text = PostgresSQL.translate(sql)
        if translations.count < Self.translationLimit { translations[sql] = text }
        return text
    }

    /// SQLite's storage classes as PostgreSQL's values (a blob is BYTEA; a Bool is bound as 0 or 1,
    /// as the schema's flags are BIGINT on both engines).
    static func values(_ arguments: [any SQLBindable]) -> [PGValue] {
        arguments.map { value($0.sqlValue) }
    }

    /// One SQLite value as PostgreSQL's.
    static func value(_ value: SQLValue) -> PGValue {
        switch value {
        case .integer(let value): .integer(value)
        case .real(let value): .real(value)
        case .text(let value): .text(value)
        case .blob(let value): .bytes(value)
        case .null: .null
        }
    }

    /// One PostgreSQL value as SQLite's (a boolean as 0 or 1, as `Row` reads it).
    static func sqliteValue(_ value: PGValue) -> SQLValue {
        switch value {
        case .integer(let value): .integer(value)
        case .real(let value): .real(value)
        case .text(let value): .text(value)
        case .bytes(let value): .blob(value)
        case .boolean(let value): .integer(value ? 1 : 0)
        case .null: .null
        }
    }
}

@available(*, unavailable)
extension PostgresSession: Sendable {}

/// SQLite's SQL as PostgreSQL reads it, for the statements both engines share.
///
/// Rules, applied outside quoted text ('...', "...") and comments:
/// - `?` becomes `$1`, `$2`... in order; `?NNN` becomes `$NNN`.
/// - `LIMIT ?` becomes `LIMIT nullif($n, -1)`: SQLite reads a negative limit as none, PostgreSQL
///   refuses it and reads NULL as none.
/// Everything else is left as written; a statement that needs other words is an `EngineSQL`.
enum PostgresSQL {
    /// - Complexity: O(length of `sql`).
    static func translate(_ sql: String) -> String {
        var next = 1
        return SQLParameters.rewrite(sql, marker: "?") { digits, before in
            let parameter = digits.isEmpty ? "$\(next)" : "$\(digits)"
            if digits.isEmpty { next += 1 }
            return followsLimit(before) ? "nullif(\(parameter), -1)" : parameter
        }
    }

    /// Whether `text` ends with the keyword LIMIT (and blanks).
    private static func followsLimit(_ text: String) -> Bool {
        let trimmed = text.reversed().drop(while: { $0 == " " || $0 == "\n" || $0 == "\t" })
        let word = String(trimmed.prefix(while: { $0.isLetter }).reversed())
        guard word.uppercased() == "LIMIT" else { return false }
        let before = trimmed.dropFirst(5).first
        return before.map { !$0.isLetter && !$0.isNumber && $0 != "_" } ?? true
    }
}
