import Foundation
import LecternPostgres
import LecternSQLite
@testable import LecternStore

/// A schema as both engines can describe it, read from each one's catalog and normalised so that
/// the same design compares equal: SQLite's INTEGER, REAL, TEXT and BLOB as PostgreSQL's bigint,
/// double precision, text and bytea; a primary key's columns NOT NULL; defaults without PostgreSQL's
/// casts (`'draft'::text` as `'draft'`); an SQLite rowid key (INTEGER PRIMARY KEY, not a foreign key)
/// as a generated column, PostgreSQL's identity. See docs/engines.md.
struct EngineSchema: Equatable {
    struct Column: Equatable, CustomStringConvertible {
        var name: String
        var type: String
        var notNull: Bool
        var defaultValue: String?
        var generated: Bool
        var description: String {
            "\(name) \(type)\(notNull ? " NOT NULL" : "")\(defaultValue.map { " DEFAULT \($0)" } ?? "")\(generated ? " GENERATED" : "")"
        }
    }

    struct ForeignKey: Hashable, CustomStringConvertible {
        var columns: [String]
        var table: String
        var referenced: [String]
        var onDelete: String
        var description: String { "(\(columns.joined(separator: ","))) -> \(table)(\(referenced.joined(separator: ","))) ON DELETE \(onDelete)" }
    }

    struct Index: Equatable, CustomStringConvertible {
        var columns: [String]
        var unique: Bool
        var partial: Bool
        var description: String { "\(unique ? "UNIQUE " : "")(\(columns.joined(separator: ",")))\(partial ? " WHERE ..." : "")" }
    }

    struct Table: Equatable {
        var kind: String
        var columns: [Column] = []
        var primaryKey: [String] = []
        var uniques: Set<[String]> = []
        var foreignKeys: Set<ForeignKey> = []
        /// Indexes made by CREATE INDEX, by name (not those behind a key or UNIQUE constraint).
        var indexes: [String: Index] = [:]
        /// How many CHECK constraints the table has (their text differs between the engines).
        var checks = 0
    }

    var tables: [String: Table] = [:]
    /// `table.trigger`.
    var triggers: Set<String> = []

    /// Every difference from `other`, one line each, named by table and part.
    func differences(from other: EngineSchema, names: (String, String)) -> [String] {
        var lines: [String] = []
        for name in Set(tables.keys).union(other.tables.keys).sorted() {
            guard let mine = tables[name], let theirs = other.tables[name] else {
                lines.append("\(name): only in \(tables[name] == nil ? names.1 : names.0)")
                continue
            }
            let parts: [(String, String, String)] = [
                ("kind", mine.kind, theirs.kind),
                ("columns", mine.columns.map(\.description).joined(separator: "; "), theirs.columns.map(\.description).joined(separator: "; ")),
                ("primary key", mine.primaryKey.joined(separator: ","), theirs.primaryKey.joined(separator: ",")),
                ("unique", mine.uniques.map { $0.joined(separator: ",") }.sorted().joined(separator: "; "),
                 theirs.uniques.map { $0.joined(separator: ",") }.sorted().joined(separator: "; ")),
                ("foreign keys", mine.foreignKeys.map(\.description).sorted().joined(separator: "; "),
                 theirs.foreignKeys.map(\.description).sorted().joined(separator: "; ")),
                ("indexes", mine.indexes.map { "\($0.key) \($0.value)" }.sorted().joined(separator: "; "),
                 theirs.indexes.map { "\($0.key) \($0.value)" }.sorted().joined(separator: "; ")),
                ("CHECK constraints", "\(mine.checks)", "\(theirs.checks)"),
            ]
            for (part, a, b) in parts where a != b {
                lines.append("\(name) \(part):\n  \(names.0): \(a)\n  \(names.1): \(b)")
            }
        }
        for trigger in triggers.symmetricDifference(other.triggers).sorted() {
            lines.append("trigger \(trigger): only in \(triggers.contains(trigger) ? names.0 : names.1)")
        }
        return lines
    }
}

/// What one engine has that the other has not, on purpose: the one list of documented differences
/// (docs/engines.md gives the same list for people). The parity test removes these before comparing.
enum EngineDifferences {
    struct Entry {
        let what: String
        let reason: String
    }

    /// Triggers only PostgreSQL has, as `table.trigger`.
    static let postgresOnlyTriggers: [String: Entry] = [
        "course_prerequisites.course_prerequisites_no_cycle": Entry(
            what: "a trigger that refuses a prerequisite cycle",
            reason: "SQLite's triggers cannot run a WITH RECURSIVE query, so there the repository checks for cycles in the same transaction; PL/pgSQL can, so PostgreSQL refuses a cycle whoever writes the row"),
    ]

    /// What the comparison does not look at, and why (for the record; nothing to remove).
    static let notCompared: [Entry] = [
        Entry(what: "CHECK constraints' text", reason: "the engines spell them differently (GLOB against regular expressions, json_valid against lectern_json_valid); their number per table is compared, and EngineTriggerTests checks their meaning"),
        Entry(what: "partial indexes' predicates", reason: "PostgreSQL rewrites them (kind IN (...) becomes kind = ANY (ARRAY[...])); whether an index is partial is compared"),
        Entry(what: "expression indexes' expressions", reason: "each engine prints them its own way; they are compared as <expr> in their place"),
        Entry(what: "functions", reason: "PostgreSQL's triggers call PL/pgSQL functions; SQLite has none"),
        Entry(what: "views' column types", reason: "SQLite gives an expression's column no type; views are compared by their columns' names"),
        Entry(what: "WITHOUT ROWID and STRICT", reason: "SQLite's storage options; every PostgreSQL table is a typed heap"),
    ]
}

extension EngineSchema {
    static let sqliteTypes = ["INTEGER": "bigint", "REAL": "double precision", "TEXT": "text", "BLOB": "bytea"]

    /// Reads an SQLite database's schema from sqlite_schema and the table-valued pragmas.
    init(sqlite connection: Connection) throws {
        let objects = try connection.query("SELECT name, type, coalesce(sql, '') FROM sqlite_schema WHERE type IN ('table', 'view') AND name NOT LIKE 'sqlite_%'") {
            (name: $0.text(0), kind: $0.text(1), sql: $0.text(2))
        }
        for object in objects {
            var table = Table(kind: object.kind)
            let foreignKeys = try Self.sqliteForeignKeys(connection, object.name)
            table.foreignKeys = Set(foreignKeys)
            let columns = try connection.query("SELECT name, type, \"notnull\", dflt_value, pk FROM pragma_table_info(?) ORDER BY cid", [object.name]) {
                (name: $0.text(0), type: $0.text(1), notNull: $0.int(2) == 1, defaultValue: $0.optionalText(3), pk: $0.int(4))
            }
            let keyColumns = columns.filter { $0.pk > 0 }.sorted { $0.pk < $1.pk }
            table.primaryKey = keyColumns.map(\.name)
            let rowidKey = keyColumns.count == 1 && keyColumns[0].type == "INTEGER" && !object.sql.contains("WITHOUT ROWID")
                && !foreignKeys.contains { $0.columns == [keyColumns[0].name] }
            table.columns = columns.map { column in
                object.kind == "view"
                    ? Column(name: column.name, type: "", notNull: false, defaultValue: nil, generated: false)
                    : Column(name: column.name, type: Self.sqliteTypes[column.type] ?? column.type, notNull: column.notNull || column.pk > 0,
                             defaultValue: column.defaultValue, generated: rowidKey && column.pk == 1)
            }
            try Self.readSQLiteIndexes(connection, object.name, into: &table)
            table.checks = Self.checkCount(inSQLiteDefinition: object.sql)
            tables[object.name] = table
        }
        triggers = Set(try connection.query("SELECT tbl_name || '.' || name FROM sqlite_schema WHERE type = 'trigger'") { $0.text(0) })
    }

    /// The CHECK clauses of a CREATE TABLE statement as sqlite_schema keeps it (with the columns that
    /// ALTER TABLE added), comments and string literals left out.
    static func checkCount(inSQLiteDefinition sql: String) -> Int {
        var code = ""
        var inString = false
        var lines = sql.split(separator: "\n", omittingEmptySubsequences: false).makeIterator()
        while let line = lines.next() {
            var previous: Character = " "
            for character in line {
                if !inString && character == "-" && previous == "-" { code.removeLast(); break }
                if character == "'" { inString.toggle() }
                if !inString { code.append(character) }
                previous = character
            }
            code.append(" ")
        }
        return code.matches(of: /\bCHECK\s*\(/.ignoresCase()).count
    }

    private static func sqliteForeignKeys(_ connection: Connection, _ table: String) throws -> [ForeignKey] {
        let rows = try connection.query("SELECT id, \"table\", \"from\", \"to\", on_delete FROM pragma_foreign_key_list(?) ORDER BY id, seq", [table]) {
            (id: $0.int(0), table: $0.text(1), from: $0.text(2), to: $0.text(3), onDelete: $0.text(4))
        }
        var keys: [Int: ForeignKey] = [:]
        for row in rows {
            keys[row.id, default: ForeignKey(columns: [], table: row.table, referenced: [], onDelete: row.onDelete)].columns.append(row.from)
            keys[row.id]!.referenced.append(row.to)
        }
        return Array(keys.values)
    }

    private static func readSQLiteIndexes(_ connection: Connection, _ table: String, into shape: inout Table) throws {
        let indexes = try connection.query("SELECT name, \"unique\", origin, partial FROM pragma_index_list(?)", [table]) {
            (name: $0.text(0), unique: $0.int(1) == 1, origin: $0.text(2), partial: $0.int(3) == 1)
        }
        for index in indexes where index.origin != "pk" {
            let columns = try connection.query("SELECT coalesce(name, '<expr>') FROM pragma_index_info(?) ORDER BY seqno", [index.name]) { $0.text(0) }
            if index.origin == "u" {
                shape.uniques.insert(columns)
            } else {
                shape.indexes[index.name] = Index(columns: columns, unique: index.unique, partial: index.partial)
            }
        }
    }
}

extension EngineSchema {
    static let postgresDeleteRules = ["a": "NO ACTION", "r": "RESTRICT", "c": "CASCADE", "n": "SET NULL", "d": "SET DEFAULT"]

    /// Reads the current schema of a PostgreSQL database from information_schema and pg_catalog.
    init(postgres connection: PGConnection) throws {
        let objects = try connection.query("""
            SELECT c.relname::text AS name, CASE c.relkind WHEN 'v' THEN 'view' ELSE 'table' END AS kind
            FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'v')
            """)
        for object in objects {
            let name = try object.text("name")
            var table = Table(kind: try object.text("kind"))
            table.columns = try connection.query("""
                SELECT column_name::text AS name, data_type::text AS type, is_nullable::text AS nullable,
                       column_default::text AS default_value, is_identity::text AS identity
                FROM information_schema.columns
                WHERE table_schema = current_schema() AND table_name = $1 ORDER BY ordinal_position
                """, [.text(name)]).map { row in
                table.kind == "view"
                    ? Column(name: try row.text("name"), type: "", notNull: false, defaultValue: nil, generated: false)
                    : Column(name: try row.text("name"), type: try row.text("type"), notNull: try row.text("nullable") == "NO",
                             defaultValue: try row.optionalText("default_value").map(Self.withoutCast),
                             generated: try row.text("identity") == "YES")
            }
            try Self.readPostgresConstraints(connection, name, into: &table)
            table.checks = Int(try connection.scalarInt(
                "SELECT count(*) FROM pg_constraint WHERE conrelid = $1::text::regclass AND contype = 'c'", [.text(name)]) ?? 0)
            try Self.readPostgresIndexes(connection, name, into: &table)
            tables[name] = table
        }
        triggers = Set(try connection.query("""
            SELECT c.relname::text || '.' || t.tgname::text AS name
            FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE n.nspname = current_schema() AND NOT t.tgisinternal
            """).map { try $0.text("name") })
    }

    /// `'draft'::text` as `'draft'`: a default as SQLite writes it.
    static func withoutCast(_ text: String) -> String {
        guard let cast = text.range(of: "::", options: .backwards), !text[cast.upperBound...].contains("'") else { return text }
        return String(text[..<cast.lowerBound])
    }

    private static func readPostgresConstraints(_ connection: PGConnection, _ table: String, into shape: inout Table) throws {
        let rows = try connection.query("""
            SELECT con.contype::text AS kind,
                   (SELECT string_agg(a.attname::text, ',' ORDER BY k.ord) FROM unnest(con.conkey) WITH ORDINALITY k(attnum, ord)
                    JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.attnum) AS columns,
                   con.confrelid::regclass::text AS referenced_table,
                   (SELECT string_agg(a.attname::text, ',' ORDER BY k.ord) FROM unnest(con.confkey) WITH ORDINALITY k(attnum, ord)
                    JOIN pg_attribute a ON a.attrelid = con.confrelid AND a.attnum = k.attnum) AS referenced,
                   con.confdeltype::text AS on_delete
            FROM pg_constraint con
            WHERE con.conrelid = $1::text::regclass AND con.contype IN ('p', 'u', 'f')
            """, [.text(table)])
        for row in rows {
            let columns = try row.text("columns").split(separator: ",").map(String.init)
            switch try row.text("kind") {
            case "p": shape.primaryKey = columns
            case "u": shape.uniques.insert(columns)
            default:
                shape.foreignKeys.insert(ForeignKey(
                    columns: columns, table: try row.text("referenced_table"),
                    referenced: try row.text("referenced").split(separator: ",").map(String.init),
                    onDelete: postgresDeleteRules[try row.text("on_delete")] ?? "?"))
            }
        }
    }

    private static func readPostgresIndexes(_ connection: PGConnection, _ table: String, into shape: inout Table) throws {
        let rows = try connection.query("""
            SELECT i.relname::text AS name, x.indisunique AS is_unique, x.indpred IS NOT NULL AS partial,
                   (SELECT string_agg(CASE WHEN x.indkey[k - 1] = 0 THEN '<expr>' ELSE pg_get_indexdef(x.indexrelid, k, true) END,
                                      ',' ORDER BY k)
                    FROM generate_series(1, x.indnatts) k) AS columns
            FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid
            WHERE x.indrelid = $1::text::regclass
              AND NOT EXISTS (SELECT 1 FROM pg_constraint con WHERE con.conindid = x.indexrelid)
            """, [.text(table)])
        for row in rows {
            shape.indexes[try row.text("name")] = Index(
                columns: try row.text("columns").split(separator: ",").map(String.init),
                unique: try row.bool("is_unique"), partial: try row.bool("partial"))
        }
    }
}
