internal import LecternPostgres
internal import LecternSQLite

/// The steps of `DatabaseCopy` each engine does its own way: reading a snapshot table by table,
/// writing rows in bulk, and setting triggers aside while the rows go in.
extension Executor {
    /// The state of every migration this binary knows, without applying any.
    func migrationStates() throws -> [MigrationState] {
        switch self {
        case .sqlite(let connection): try Migrator().status(connection)
        case .postgres(let session): try PostgresMigrator().status(session.connection)
        }
    }

    /// Applies every pending migration, each in its own transaction.
    func migrate() throws {
        switch self {
        case .sqlite(let connection): try Migrator().migrate(connection)
        case .postgres(let session): try PostgresMigrator().migrate(session.connection)
        }
    }

    /// The tables the database holds now: before it is migrated, some of Lectern's may be missing.
    func tableNames() throws -> Set<String> {
        Set(try all(EngineSQL(
            sqlite: "SELECT name FROM sqlite_schema WHERE type = 'table'",
            postgres: "SELECT table_name::text FROM information_schema.tables WHERE table_schema = current_schema()"
        )) { $0.text(0) })
    }

    /// Runs `body` in a transaction that reads one state of the whole database: SQLite's read
    /// transaction (a snapshot under WAL), PostgreSQL's REPEATABLE READ.
    func readingSnapshot<T>(_ body: () throws -> T) throws -> T {
        switch self {
        case .sqlite(let connection):
            return try connection.transaction(.deferred, body)
        case .postgres(let session):
            return try session.connection.transaction {
                try session.connection.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
                return try body()
            }
        }
    }

    /// Reads every row of `table` in key order, about `batchRows` at a time; `body` gets each batch's
    /// values row after row (`table.columns.count` to a row). On PostgreSQL through a cursor, so a
    /// table of any size is never held whole. Call inside `readingSnapshot`.
    func readRows(of table: CopyTable, batchRows: Int, _ body: ([SQLValue]) throws -> Void) throws {
        let width = table.columns.count
        var batch: [SQLValue] = []
        batch.reserveCapacity(batchRows * width)
        switch self {
        case .sqlite(let connection):
            let statement = try connection.makeStatement(table.selectAll)
            while try statement.step() {
                for column in 0..<width { batch.append(statement.value(column)) }
                if batch.count >= batchRows * width {
                    try body(batch)
                    batch.removeAll(keepingCapacity: true)
                }
            }
        case .postgres(let session):
            let connection = session.connection
            try connection.execute("DECLARE lectern_copy NO SCROLL CURSOR FOR \(table.selectAll)")
            while true {
                let rows = try connection.query("FETCH FORWARD \(batchRows) FROM lectern_copy")
                if rows.isEmpty { break }
                for row in rows { batch.append(contentsOf: row.values.map(PostgresSession.sqliteValue)) }
                try body(batch)
                batch.removeAll(keepingCapacity: true)
            }
            try connection.execute("CLOSE lectern_copy")
        }
        if !batch.isEmpty { try body(batch) }
    }

    /// Sets aside, for the rest of the open transaction, the triggers that would refuse or change
    /// copied rows (a refund's purchase, seats, value ranges, catalog-version bumps, report rollups
    /// fed twice), and returns what puts them back; call both inside the transaction that loads.
    ///
    /// - SQLite: every trigger is dropped and made again from the text `sqlite_schema` keeps of it,
    ///   word for word; foreign keys are checked at commit (`defer_foreign_keys`).
    /// - PostgreSQL: `ALTER TABLE ... DISABLE TRIGGER USER` on every table (the owner may; foreign
    ///   keys stay checked, row by row, which the parents-first order satisfies), then `ENABLE`.
    ///   Both take the tables' exclusive lock until commit, so nobody writes meanwhile.
    func suspendTriggers(of tables: [CopyTable]) throws -> () throws -> Void {
        switch self {
        case .sqlite(let connection):
            try connection.execute("PRAGMA defer_foreign_keys = ON")
            let triggers = try connection.query("SELECT name, sql FROM sqlite_schema WHERE type = 'trigger' ORDER BY rowid") {
                (name: $0.text(0), sql: $0.text(1))
            }
            for trigger in triggers { try connection.execute("DROP TRIGGER \"\(trigger.name)\"") }
            return { for trigger in triggers { try connection.execute(trigger.sql) } }
        case .postgres(let session):
            for table in tables { try session.connection.execute("ALTER TABLE \(table.name) DISABLE TRIGGER USER") }
            return { for table in tables { try session.connection.execute("ALTER TABLE \(table.name) ENABLE TRIGGER USER") } }
        }
    }

    /// On SQLite, where `suspendTriggers` deferred foreign keys to the commit, throws before it when a
    /// copied row refers to a row that does not exist, naming the tables (PostgreSQL checked each row
    /// as it went in).
    func checkDeferredForeignKeys() throws {
        guard case .sqlite(let connection) = self else { return }
        let broken = try connection.query("""
            SELECT "table", parent, count(*) FROM pragma_foreign_key_check GROUP BY "table", parent ORDER BY "table", parent
            """) { (table: $0.text(0), parent: $0.text(1), rows: $0.int(2)) }
        guard let first = broken.first else { return }
        let what = first.rows == 1 ? "1 row refers to a row" : "\(first.rows) rows refer to rows"
        throw StoreError(.notFound, "copying \(first.table): \(what) of \(first.parent) that do not exist; nothing was copied")
    }

    /// On PostgreSQL, moves each identity column's sequence past the largest id now in its table, so
    /// the next row made gets a new id (SQLite's rowid needs nothing).
    func advanceIdentities(of tables: [CopyTable]) throws {
        guard case .postgres(let session) = self else { return }
        let names = Set(tables.map(\.name))
        let identities = try session.connection.query("""
            SELECT table_name::text AS table_name, column_name::text AS column_name FROM information_schema.columns
            WHERE table_schema = current_schema() AND is_identity = 'YES' ORDER BY table_name
            """).map { (table: try $0.text("table_name"), column: try $0.text("column_name")) }
        for identity in identities where names.contains(identity.table) {
            _ = try session.connection.query("""
                SELECT setval(pg_get_serial_sequence('\(identity.table)', '\(identity.column)'),
                              greatest(coalesce(max(\(identity.column)), 0), 0) + 1, false)
                FROM \(identity.table)
                """)
        }
    }

    /// After a committed copy, on PostgreSQL, gathers the planner's statistics of the new rows
    /// (autovacuum would, later).
    func analyzeAfterCopy() throws {
        guard case .postgres(let session) = self else { return }
        try session.connection.execute("ANALYZE")
    }
}

/// Writes one table's rows as `Executor.readRows` gives them: on SQLite through one prepared INSERT
/// bound value by value, on PostgreSQL through COPY in batches of about a megabyte, the next batch
/// made while the server takes the last.
final class CopyTableLoader {
    private enum Sink {
        case sqlite(Statement)
        case postgres(PGConnection.CopyWriter)
    }

    private let sink: Sink
    private let width: Int
    private var buffer: [UInt8] = []
    private static let batchBytes = 1 << 20

    init(_ table: CopyTable, into executor: Executor) throws {
        width = table.columns.count
        switch executor {
        case .sqlite(let connection):
            let marks = Array(repeating: "?", count: width).joined(separator: ", ")
            sink = .sqlite(try connection.makeStatement("INSERT INTO \(table.name) (\(table.columnList)) VALUES (\(marks))"))
        case .postgres(let session):
            sink = .postgres(session.connection.copyWriter(into: table.name, columns: table.columns.map(\.name)))
            buffer.reserveCapacity(Self.batchBytes + Self.batchBytes / 4)
        }
    }

    /// Writes rows: `values` holds them one after another.
    func write(_ values: [SQLValue]) throws {
        switch sink {
        case .sqlite(let statement):
            for start in stride(from: 0, to: values.count, by: width) {
                for column in 0..<width { try statement.bind(column + 1, values[start + column]) }
                try statement.execute()
            }
        case .postgres(let writer):
            for start in stride(from: 0, to: values.count, by: width) {
                for column in 0..<width {
                    PGCopyText.append(PostgresSession.value(values[start + column]), first: column == 0, to: &buffer)
                }
                PGCopyText.endRow(&buffer)
            }
            if buffer.count >= Self.batchBytes {
                try writer.send(buffer)
                buffer.removeAll(keepingCapacity: true)
            }
        }
    }

    /// Writes what is left and waits until the database has taken every row.
    func finish() throws {
        guard case .postgres(let writer) = sink else { return }
        try writer.send(buffer)
        buffer.removeAll()
        try writer.finish()
    }
}
