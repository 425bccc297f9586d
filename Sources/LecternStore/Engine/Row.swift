internal import LecternPostgres
internal import LecternSQLite

/// The current row of a query, on either engine, read by column index (0-based) or by name.
///
/// On SQLite it reads the statement's current row in place (nothing is copied: the same
/// `sqlite3_column_*` calls as before). On PostgreSQL it reads a row already decoded, with SQLite's
/// conversions: a boolean reads as 0 or 1, an integral `numeric` (a `sum` of BIGINT) as an integer,
/// an integer as a double. A column the query does not have stops the program, as on SQLite.
struct Row {
    private enum Cells {
        case sqlite(Statement)
        case postgres(PGRow)
    }

    private let cells: Cells

    init(sqlite statement: Statement) {
        cells = .sqlite(statement)
    }

    init(postgres row: PGRow) {
        cells = .postgres(row)
    }

    // MARK: By index

    func isNull(_ column: Int) -> Bool {
        switch cells {
        case .sqlite(let statement): statement.isNull(column)
        case .postgres(let row): row.values[column] == .null
        }
    }

    func int64(_ column: Int) -> Int64 {
        switch cells {
        case .sqlite(let statement): statement.int64(column)
        case .postgres(let row):
            switch row.values[column] {
            case .integer(let value): value
            case .real(let value): value.isFinite ? Int64(value) : 0
            case .boolean(let value): value ? 1 : 0
            case .text(let value): Int64(value) ?? 0
            case .bytes, .null: 0
            }
        }
    }

    func int(_ column: Int) -> Int { Int(int64(column)) }

    func double(_ column: Int) -> Double {
        switch cells {
        case .sqlite(let statement): statement.double(column)
        case .postgres(let row):
            switch row.values[column] {
            case .integer(let value): Double(value)
            case .real(let value): value
            case .boolean(let value): value ? 1 : 0
            case .text(let value): Double(value) ?? 0
            case .bytes, .null: 0
            }
        }
    }

    func text(_ column: Int) -> String {
        switch cells {
        case .sqlite(let statement): statement.text(column)
        case .postgres(let row):
            switch row.values[column] {
            case .text(let value): value
            case .integer(let value): String(value)
            case .real(let value): String(value)
            case .boolean(let value): value ? "1" : "0"
            case .bytes(let value): String(decoding: value, as: UTF8.self)
            case .null: ""
            }
        }
    }

    func blob(_ column: Int) -> [UInt8] {
        switch cells {
        case .sqlite(let statement): statement.blob(column)
        case .postgres(let row):
            switch row.values[column] {
            case .bytes(let value): value
            case .text(let value): Array(value.utf8)
            default: []
            }
        }
    }

    func optionalText(_ column: Int) -> String? { isNull(column) ? nil : text(column) }
    func optionalInt64(_ column: Int) -> Int64? { isNull(column) ? nil : int64(column) }
    func optionalDouble(_ column: Int) -> Double? { isNull(column) ? nil : double(column) }

    // MARK: By name

    /// The index of the column named `name`, or nil when there is none.
    func columnIndex(named name: String) -> Int? {
        switch cells {
        case .sqlite(let statement): statement.columnIndex(named: name)
        case .postgres(let row): row.columns.firstIndex(of: name) ?? row.columns.firstIndex(of: name.lowercased())
        }
    }

    private func column(_ name: String) -> Int {
        guard let index = columnIndex(named: name) else { preconditionFailure("no column named '\(name)' in the query") }
        return index
    }

    func isNull(_ column: String) -> Bool { isNull(self.column(column)) }
    func int64(_ column: String) -> Int64 { int64(self.column(column)) }
    func int(_ column: String) -> Int { int(self.column(column)) }
    func double(_ column: String) -> Double { double(self.column(column)) }
    func text(_ column: String) -> String { text(self.column(column)) }
    func blob(_ column: String) -> [UInt8] { blob(self.column(column)) }
    func optionalText(_ column: String) -> String? { optionalText(self.column(column)) }
    func optionalInt64(_ column: String) -> Int64? { optionalInt64(self.column(column)) }
    func optionalDouble(_ column: String) -> Double? { optionalDouble(self.column(column)) }
}
