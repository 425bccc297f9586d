package import LecternSQLite
internal import LecternPostgres

/// Raw SQL on a `Database`, for this package's tests only: they set up states no command makes (an
/// older schema, a hostile value) and read the rows back. `package` keeps it out of the public API;
/// `OneDoorTests` keeps SQL out of every module but the store.
extension Database {
    package var sqlite: Connection { connection }

    package func execute(_ sql: String) throws {
        switch executor {
        case .sqlite(let connection): try connection.execute(sql)
        case .postgres(let session): try session.connection.executeScript(sql)
        }
    }

    package func run(_ sql: String, _ arguments: [any SQLBindable] = []) throws { try executor.run(sql, arguments, cached: false) }

    package func prepare(_ sql: String) throws -> Statement { try connection.makeStatement(sql) }

    package func cached(_ sql: String) throws -> Statement { try connection.cachedStatement(sql) }

    package func query<T>(_ sql: String, _ arguments: [any SQLBindable] = [], row: (Statement) throws -> T) throws -> [T] {
        try connection.query(sql, arguments, row: row)
    }

    package func queryFirst<T>(_ sql: String, _ arguments: [any SQLBindable] = [], row: (Statement) throws -> T) throws -> T? {
        try connection.queryFirst(sql, arguments, row: row)
    }

    /// The first column of every row as text, on either engine.
    package func texts(_ sql: String, _ arguments: [any SQLBindable] = []) throws -> [String] {
        try executor.all(sql, arguments, cached: false) { $0.text(0) }
    }

    package func scalarInt(_ sql: String, _ arguments: [any SQLBindable] = []) throws -> Int64? {
        try executor.scalarInt(sql, arguments, cached: false)
    }

    package func savepoint<T>(_ body: () throws -> T) throws -> T { try connection.savepoint(body) }

    package var lastInsertRowID: Int64 { connection.lastInsertRowID }

    package var changes: Int { connection.changes }
}
