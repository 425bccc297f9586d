import CSQLite

/// An error reported by SQLite: its extended result code, its message, and the SQL that failed.
///
/// The bound values are never part of the error, so printing it cannot leak a learner's data.
public struct SQLiteError: Error, CustomStringConvertible, Sendable {
    /// SQLite's extended result code, such as `SQLITE_CONSTRAINT_UNIQUE` (2067).
    public let extendedCode: Int32
    /// SQLite's own message for the failure.
    public let message: String
    /// The statement that failed, when there was one.
    public let sql: String?

    public init(extendedCode: Int32, message: String, sql: String? = nil) {
        self.extendedCode = extendedCode
        self.message = message
        self.sql = sql
    }

    /// The error SQLite holds for `database` after a call returned `code`.
    init(database: OpaquePointer?, code: Int32, sql: String?) {
        let extended = sqlite3_extended_errcode(database)
        self.init(extendedCode: extended != 0 ? extended : code, message: String(cString: sqlite3_errmsg(database)), sql: sql)
    }

    /// The primary result code (the low byte of the extended code).
    public var primaryCode: Int32 { extendedCode & 0xFF }

    public var isBusy: Bool { primaryCode == SQLITE_BUSY || primaryCode == SQLITE_LOCKED }
    public var isConstraintViolation: Bool { primaryCode == SQLITE_CONSTRAINT }
    public var isUniqueViolation: Bool {
        extendedCode == Self.constraintUnique || extendedCode == Self.constraintPrimaryKey
    }
    public var isForeignKeyViolation: Bool { extendedCode == Self.constraintForeignKey }
    public var isCheckViolation: Bool { extendedCode == Self.constraintCheck }

    // Extended codes are macros built with `|`, which Swift does not import (sqlite3.h).
    public static let constraintCheck: Int32 = SQLITE_CONSTRAINT | (1 << 8)
    public static let constraintForeignKey: Int32 = SQLITE_CONSTRAINT | (3 << 8)
    public static let constraintPrimaryKey: Int32 = SQLITE_CONSTRAINT | (6 << 8)
    public static let constraintTrigger: Int32 = SQLITE_CONSTRAINT | (7 << 8)
    public static let constraintUnique: Int32 = SQLITE_CONSTRAINT | (8 << 8)
    /// The file exists but is not an SQLite database (or is encrypted).
    public var isNotADatabase: Bool { primaryCode == SQLITE_NOTADB }

    /// A readable name for the extended code, as SQLite spells it.
    public var codeName: String { String(cString: sqlite3_errstr(extendedCode)) }

    public var description: String {
        var text = "SQLite error \(extendedCode) (\(codeName)): \(message)"
        if let sql { text += " in `\(sql)`" }
        return text
    }
}
