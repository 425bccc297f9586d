internal import LecternSQLite

/// One table as `lectern db copy` moves it, read from this binary's schema.
struct CopyTable {
    /// A column and its SQLite type (INTEGER, REAL, TEXT or BLOB: every table is STRICT).
    struct Column {
        let name: String
        let type: String
    }

    let name: String
    /// In the schema's order, which is the same on both engines (`EngineSchemaTests`).
    let columns: [Column]
    /// The primary key's columns, else every column: the order rows are read in.
    let order: [String]
    /// Tables this one's foreign keys refer to (itself excluded).
    let parents: Set<String>
    /// Rows a freshly migrated database holds here (a setting, a counter, a watermark): they are not
    /// a sign of data, and the copy replaces them with the source's.
    let seedRows: Int

    /// `a, b, c`.
    var columnList: String { columns.map(\.name).joined(separator: ", ") }

    /// `SELECT` of every column in key order.
    var selectAll: String { "SELECT \(columnList) FROM \(name) ORDER BY \(order.joined(separator: ", "))" }
}

/// Every table of Lectern's schema as this binary makes it, for copying a whole database.
enum CopySchema {
    /// Every table but `schema_migrations` (which each database's migrator fills), parents before
    /// children, else in the order the migrations made them. Read from an in-memory database migrated
    /// to this binary's schema, which both engines have once migrated (their tables and columns are
    /// the same, in the same order: `EngineSchemaTests`).
    static func tables() throws -> [CopyTable] {
        let db = try LecternDatabase.inMemory().connection
        let names = try db.query("""
            SELECT name FROM sqlite_schema
            WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' AND name <> 'schema_migrations'
            ORDER BY rowid
            """) { $0.text(0) }
        let tables = try names.map { name in
            let info = try db.query("SELECT name, type, pk FROM pragma_table_info(?) ORDER BY cid", [name]) {
                (column: CopyTable.Column(name: $0.text(0), type: $0.text(1).uppercased()), key: $0.int(2))
            }
            let key = info.filter { $0.key > 0 }.sorted { $0.key < $1.key }.map(\.column.name)
            let parents = try db.query("SELECT DISTINCT \"table\" FROM pragma_foreign_key_list(?)", [name]) { $0.text(0) }
            return CopyTable(name: name, columns: info.map(\.column), order: key.isEmpty ? info.map(\.column.name) : key,
                             parents: Set(parents).subtracting([name]),
                             seedRows: Int(try db.scalarInt("SELECT count(*) FROM \(name)") ?? 0))
        }
        return try parentsFirst(tables)
    }

    /// `tables` ordered so that each comes after the tables it refers to; among those free to go, the
    /// first in the given order goes first.
    /// - Complexity: O(n²) in the number of tables (a few dozen).
    static func parentsFirst(_ tables: [CopyTable]) throws -> [CopyTable] {
        var placed: Set<String> = []
        var remaining = tables
        var ordered: [CopyTable] = []
        let known = Set(tables.map(\.name))
        while !remaining.isEmpty {
            guard let next = remaining.firstIndex(where: { $0.parents.intersection(known).isSubset(of: placed) }) else {
                throw StoreError(.io, "the schema's foreign keys form a cycle among \(remaining.map(\.name).joined(separator: ", ")): a copy cannot order them")
            }
            let table = remaining.remove(at: next)
            placed.insert(table.name)
            ordered.append(table)
        }
        return ordered
    }
}
