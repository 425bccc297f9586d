import Foundation
import NIOCore
import PostgresNIO

/// One value sent to or read from PostgreSQL, in the types Lectern's schema uses: BIGINT (and the
/// smaller integers), DOUBLE PRECISION, TEXT, BYTEA and BOOLEAN; a NUMERIC result reads as an
/// integer when whole, else as a double.
public enum PGValue: Sendable, Equatable, Hashable {
    case integer(Int64)
    case real(Double)
    case text(String)
    case bytes([UInt8])
    case boolean(Bool)
    case null

    /// Reads one cell of a result. Lectern asks for what it reads as one of the types above (a
    /// catalog query casts `name`, `oid` and friends `::text`), so any other type is an error.
    init(_ cell: PostgresCell) throws {
        guard cell.bytes != nil else { self = .null; return }
        do {
            switch cell.dataType {
            case .int2, .int4, .int8: self = .integer(try cell.decode(Int64.self))
            case .float4, .float8: self = .real(try cell.decode(Double.self))
            case .bool: self = .boolean(try cell.decode(Bool.self))
            case .bytea: self = .bytes(Array(buffer: try cell.decode(ByteBuffer.self)))
            case .text, .varchar, .name, .bpchar: self = .text(try cell.decode(String.self))
            case .numeric: self = Self.numeric(try cell.decode(Decimal.self))
            default:
                throw PGError.unreadable("column '\(cell.columnName)' has type \(cell.dataType); cast it to text, bigint or double precision")
            }
        } catch let error as PGError {
            throw error
        } catch {
            throw PGError.unreadable("column '\(cell.columnName)' (\(cell.dataType)) could not be decoded")
        }
    }

    /// A `numeric` (what `sum` of a BIGINT column gives) as an integer when it is whole and fits, else
    /// as a double, as SQLite gives such sums.
    static func numeric(_ value: Decimal) -> PGValue {
        let text = value.description
        if let integer = Int64(text) { return .integer(integer) }
        return .real(Double(text) ?? NSDecimalNumber(decimal: value).doubleValue)
    }

    /// Appends the value to a statement's parameters, typed so the server infers the parameter.
    /// The type an unnamed statement declares for this value (nil for NULL, which has none).
    var typeName: String? {
        switch self {
        case .integer: "int8"
        case .real: "float8"
        case .text: "text"
        case .bytes: "bytea"
        case .boolean: "bool"
        case .null: nil
        }
    }

    /// This value as a prepared statement binds it: the same type and binary encoding as `append(to:)`.
    var postgresData: PostgresData {
        switch self {
        case .integer(let value): PostgresData(int64: value)
        case .real(let value): PostgresData(double: value)
        case .text(let value): PostgresData(string: value)
        case .bytes(let value): PostgresData(bytes: value)
        case .boolean(let value): PostgresData(bool: value)
        case .null: PostgresData.null
        }
    }

    func append(to bindings: inout PostgresBindings) {
        switch self {
        case .integer(let value): bindings.append(value)
        case .real(let value): bindings.append(value)
        case .text(let value): bindings.append(value)
        case .bytes(let value): bindings.append(ByteBuffer(bytes: value))
        case .boolean(let value): bindings.append(value)
        case .null: bindings.appendNull()
        }
    }
}

extension PGValue: ExpressibleByIntegerLiteral, ExpressibleByStringLiteral, ExpressibleByNilLiteral {
    public init(integerLiteral value: Int64) { self = .integer(value) }
    public init(stringLiteral value: String) { self = .text(value) }
    public init(nilLiteral: ()) { self = .null }
}

/// One row of a result, read by column name (or position).
public struct PGRow: Sendable {
    public let columns: [String]
    public let values: [PGValue]

    /// - Parameter prepared: the row of a prepared statement. postgres-nio asks for every result in
    ///   binary, but labels a prepared statement's cells with the text format its Describe reported:
    ///   they are read as the binary they are.
    init(_ row: PostgresRow, prepared: Bool = false) throws {
        var columns: [String] = []
        var values: [PGValue] = []
        for var cell in row {
            columns.append(cell.columnName)
            if prepared { cell.format = .binary }
            values.append(try PGValue(cell))
        }
        self.columns = columns
        self.values = values
    }

    /// The value of the column named `name`.
    /// - Throws: `PGError.unreadable` when the row has no such column.
    public func value(_ name: String) throws -> PGValue {
        guard let index = columns.firstIndex(of: name) else {
            throw PGError.unreadable("no column '\(name)' in the result (it has \(columns.joined(separator: ", ")))")
        }
        return values[index]
    }

    public func int64(_ name: String) throws -> Int64 {
        switch try value(name) {
        case .integer(let value): return value
        case .boolean(let value): return value ? 1 : 0
        default: throw PGError.unreadable("column '\(name)' is not an integer")
        }
    }

    public func optionalInt64(_ name: String) throws -> Int64? {
        try value(name) == .null ? nil : try int64(name)
    }

    public func double(_ name: String) throws -> Double {
        switch try value(name) {
        case .real(let value): return value
        case .integer(let value): return Double(value)
        default: throw PGError.unreadable("column '\(name)' is not a number")
        }
    }

    public func text(_ name: String) throws -> String {
        guard case .text(let value) = try value(name) else { throw PGError.unreadable("column '\(name)' is not text") }
        return value
    }

    public func optionalText(_ name: String) throws -> String? {
        try value(name) == .null ? nil : try text(name)
    }

    public func bool(_ name: String) throws -> Bool {
        guard case .boolean(let value) = try value(name) else { throw PGError.unreadable("column '\(name)' is not a boolean") }
        return value
    }
}
