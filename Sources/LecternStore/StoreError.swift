internal import LecternSQLite

/// An error a person can act on: what went wrong, in one sentence, with a code callers can match.
public struct StoreError: Error, CustomStringConvertible, Sendable, Equatable {
    public enum Code: String, Sendable {
        /// An id, slug or external id that names nothing.
        case notFound
        /// A value that breaks a rule (a negative price, a rating of 7, an unknown kind).
        case invalidInput
        /// A value that clashes with what is stored (a duplicate slug, a prerequisite cycle).
        case conflict
        /// The file is not a Lectern database, or not a database at all.
        case foreignDatabase
        /// The database was written by a newer Lectern.
        case newerSchema
        /// An applied migration's text has changed since it was applied.
        case tamperedMigration
        /// Another process holds the database longer than the busy timeout.
        case busy
        /// A file that cannot be read or written.
        case io
        /// The database server was reachable once and is not now: the connection was lost (a
        /// restarted PostgreSQL) or cannot be made again. Retrying later may succeed.
        case unavailable
    }

    public let code: Code
    public let message: String
    /// PostgreSQL's SQLSTATE when the server refused a statement (nil on SQLite): lets the HTTP API
    /// tell text PostgreSQL cannot hold (22021, a NUL character) from a failing database.
    public private(set) var sqlState: String?

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    init(_ code: Code, _ message: String, sqlState: String?) {
        self.init(code, message)
        self.sqlState = sqlState
    }

    /// Errors are equal when their code and message are: the SQLSTATE is a detail of the cause.
    public static func == (lhs: StoreError, rhs: StoreError) -> Bool {
        lhs.code == rhs.code && lhs.message == rhs.message
    }

    public var description: String { message }

    static func notFound(_ message: String) -> StoreError { StoreError(.notFound, message) }
    static func invalid(_ message: String) -> StoreError { StoreError(.invalidInput, message) }
    static func conflict(_ message: String) -> StoreError { StoreError(.conflict, message) }
}

extension StoreError {
    /// Whether the failure is the fault of the row being written (a bad value, an unknown reference,
    /// a conflict with stored data), so that `import --skip-invalid` may skip the row and go on. A
    /// storage failure (a full disk, an I/O error, a lock) never is: it rolls the whole import back.
    public var isRowFault: Bool {
        switch code {
        case .invalidInput, .notFound, .conflict: true
        case .io, .busy, .unavailable, .foreignDatabase, .newerSchema, .tamperedMigration: false
        }
    }

    /// Turns an SQLite failure into a sentence for a person, keeping the SQL out of it.
    ///
    /// Constraint failures name the rule; a busy database names the lock.
    static func wrapping(_ error: SQLiteError, path: String? = nil) -> StoreError {
        if error.isBusy {
            return StoreError(.busy, "the database\(path.map { " '\($0)'" } ?? "") is locked by another process (gave up after the busy timeout)")
        }
        if error.isNotADatabase {
            return StoreError(.foreignDatabase, "'\(path ?? "the file")' is not an SQLite database")
        }
        if error.isForeignKeyViolation {
            return StoreError(.notFound, "the change refers to something that does not exist (\(error.message))")
        }
        if error.isCheckViolation {
            return StoreError(.invalidInput, "a value breaks a rule of the database: \(error.message)")
        }
        if error.isConstraintViolation {
            return StoreError(.conflict, "the change breaks a rule of the database: \(error.message)")
        }
        if error.primaryCode == 13 {  // SQLITE_FULL
            return StoreError(.io, "the disk is full (or the database reached its size limit): nothing of this change was written")
        }
        return StoreError(.io, "database error: \(error.message) (\(error.codeName))")
    }
}
