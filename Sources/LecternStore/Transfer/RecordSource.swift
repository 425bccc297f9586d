/// The file formats import reads and export writes.
public enum TransferFormat: String, Sendable, CaseIterable {
    case csv, tsv, jsonl

    /// The format a file name implies (`.csv`, `.tsv`, `.jsonl`, `.ndjson`), or nil.
    public static func inferred(from path: String) -> TransferFormat? {
        let lower = path.lowercased()
        if lower.hasSuffix(".csv") { return .csv }
        if lower.hasSuffix(".tsv") || lower.hasSuffix(".tab") { return .tsv }
        if lower.hasSuffix(".jsonl") || lower.hasSuffix(".ndjson") || lower.hasSuffix(".json") { return .jsonl }
        return nil
    }
}

/// The columns of one kind of import file, in the order export writes them.
protocol TransferColumn: CaseIterable, Hashable, SendableMetatype, RawRepresentable where RawValue == Int, AllCases == [Self] {
    var name: String { get }
    /// Columns a file must have.
    static var required: [Self] { get }
}

/// One row of an import file, its values by column.
struct ImportRecord<Column: TransferColumn> {
    var values: [JSONField?]
    var line: Int

    init() {
        values = Array(repeating: nil, count: Column.allCases.count)
        line = 0
    }

    func fail(_ column: Column, _ problem: String) -> StoreError {
        StoreError.invalid("line \(line): \(column.name): \(problem)")
    }

    /// The text of a column; nil when absent, null or empty.
    func text(_ column: Column) -> String? {
        switch values[column.rawValue] {
        case .string(let text): text.isEmpty ? nil : text
        case .number(let text): text
        case .bool(let flag): flag ? "true" : "false"
        case .strings(let items): items.joined(separator: ";")
        case .null, .none: nil
        }
    }

    func requiredText(_ column: Column) throws -> String {
        guard let text = text(column) else { throw fail(column, "a value is required") }
        return text
    }

    func int(_ column: Column) throws -> Int64? {
        guard let text = text(column) else { return nil }
        guard let value = Int64(text) else { throw fail(column, "expected a whole number, got '\(text)'") }
        return value
    }

    func double(_ column: Column) throws -> Double? {
        guard let text = text(column) else { return nil }
        guard let value = Double(text), value.isFinite else { throw fail(column, "expected a number, got '\(text)'") }
        return value
    }

    /// true/false (also 1/0, yes/no, any case); nil when absent.
    func bool(_ column: Column) throws -> Bool? {
        switch text(column)?.lowercased() {
        case nil: nil
        case "false", "0", "no": false
        case "true", "1", "yes": true
        case let other?: throw fail(column, "'\(other)' is not true or false")
        }
    }

    func time(_ column: Column) throws -> Int64? {
        guard let text = text(column) else { return nil }
        guard let value = Timestamp.parse(text) else {
            throw fail(column, "expected a time such as 2025-03-01T09:30:00Z \(Timestamp.rangeDescription), got '\(text)'")
        }
        return value
    }

    /// A list written as `a;b;c` in CSV or as an array of strings in JSON.
    func list(_ column: Column) -> [String] {
        switch values[column.rawValue] {
        case .strings(let items): items
        case .string(let text): text.split(separator: ";").map { String($0).trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        default: []
        }
    }

    func choice<T: RawRepresentable & CaseIterable>(_ column: Column, _ type: T.Type) throws -> T? where T.RawValue == String {
        guard let text = text(column) else { return nil }
        guard let value = T(rawValue: text) else {
            throw fail(column, "'\(text)' is not one of \(T.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        return value
    }
}

/// Reads records of one kind from a CSV, TSV or JSON Lines file, checking its columns.
final class RecordSource<Column: TransferColumn> {
    private enum Reader {
        case delimited(CSVReader, columnOf: [Column])
        case jsonLines(JSONLinesReader, columnByName: [String: Column])
    }

    private var reader: Reader
    private var fields: [String] = []
    private var object: [(key: String, value: JSONField)] = []
    let totalBytes: Int

    init(path: String, format: TransferFormat) throws {
        totalBytes = (try? FileManagerSize.size(of: path)) ?? 0
        let byName = Dictionary(uniqueKeysWithValues: Column.allCases.map { ($0.name, $0) })
        switch format {
        case .csv, .tsv:
            let csv = try CSVReader(path: path, delimiter: format == .tsv ? 9 : UInt8(ascii: ","))
            var header: [String] = []
            // A header that cannot be read stops the import, --skip-invalid or not.
            let read: Bool
            do { read = try csv.next(into: &header) } catch let bad as BadRecord { throw bad.error }
            guard read else { throw StoreError.invalid("'\(path)' is empty: expected a header row") }
            if let first = header.first, first.hasPrefix("\u{FEFF}") { header[0] = String(first.dropFirst()) }
            var columnOf: [Column] = []
            for name in header {
                let name = name.trimmingCharacters(in: .whitespaces)
                guard let column = byName[name] else {
                    throw StoreError.invalid("line 1: unknown column '\(name)' (expected \(Column.allCases.map(\.name).joined(separator: ", ")))")
                }
                guard !columnOf.contains(column) else { throw StoreError.invalid("line 1: column '\(name)' appears twice") }
                columnOf.append(column)
            }
            for column in Column.required where !columnOf.contains(column) {
                throw StoreError.invalid("line 1: missing column '\(column.name)'")
            }
            reader = .delimited(csv, columnOf: columnOf)
        case .jsonl:
            reader = .jsonLines(try JSONLinesReader(path: path), columnByName: byName)
        }
    }

    var bytesRead: Int {
        switch reader {
        case .delimited(let csv, _): csv.offset
        case .jsonLines(let json, _): json.offset
        }
    }

    /// A value from the file as an error message shows it: control characters escaped, at most 60
    /// characters, so an error stays one short line.
    static func shown(_ text: String) -> String {
        var out = ""
        for scalar in text.unicodeScalars.prefix(60) {
            out += scalar.value < 0x20 || scalar.value == 0x7F ? scalar.escaped(asASCII: true) : String(scalar)
        }
        return text.unicodeScalars.count > 60 ? out + "…" : out
    }

    /// Reads the next record into `record`; false at the end of the file. A record that cannot be
    /// read throws `BadRecord`, after which the next call reads the record after it.
    func next(into record: inout ImportRecord<Column>) throws -> Bool {
        for i in record.values.indices { record.values[i] = nil }
        switch reader {
        case .delimited(let csv, let columnOf):
            guard try csv.next(into: &fields) else { return false }
            record.line = csv.recordLine
            guard fields.count == columnOf.count else {
                throw BadRecord(line: csv.recordLine, error: StoreError.invalid(
                    "line \(csv.recordLine): expected \(columnOf.count) fields, found \(fields.count)"))
            }
            for (index, column) in columnOf.enumerated() {
                record.values[column.rawValue] = .string(fields[index])
            }
        case .jsonLines(let json, let columnByName):
            guard try json.next(into: &object) else { return false }
            record.line = json.recordLine
            for (key, value) in object {
                guard let column = columnByName[key] else {
                    throw BadRecord(line: json.recordLine, error: StoreError.invalid(
                        "line \(json.recordLine): unknown field '\(Self.shown(key))'"))
                }
                record.values[column.rawValue] = value
            }
            for column in Column.required where record.values[column.rawValue] == nil {
                throw BadRecord(line: json.recordLine, error: StoreError.invalid("line \(json.recordLine): missing field '\(column.name)'"))
            }
        }
        return true
    }
}

import Foundation

enum FileManagerSize {
    static func size(of path: String) throws -> Int {
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        return (attributes[.size] as? NSNumber)?.intValue ?? 0
    }
}
