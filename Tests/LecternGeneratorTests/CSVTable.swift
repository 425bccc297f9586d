import Foundation

/// A CSV file read back by a small RFC 4180 reader, independent of the generator's writer.
struct CSVTable {
    /// The names in the header row.
    let header: [String]
    /// The records after the header, each with one field per column.
    let rows: [[String]]
    private let positions: [String: Int]

    /// Reads and parses the file at `url`.
    init(contentsOf url: URL) throws {
        let records = Self.parse(try Data(contentsOf: url))
        header = records.first ?? []
        rows = Array(records.dropFirst())
        positions = Dictionary(uniqueKeysWithValues: header.enumerated().map { ($1, $0) })
    }

    /// The field of `row` in the column named `column`.
    func value(_ row: [String], _ column: String) -> String {
        row[positions[column]!]
    }

    /// The fields of every record: quoted fields may hold commas, line breaks and doubled quotes.
    static func parse(_ data: Data) -> [[String]] {
        var records: [[String]] = []
        var record: [String] = []
        var field: [UInt8] = []
        var quoted = false
        var started = false
        let bytes = [UInt8](data)
        var index = 0
        func endField() {
            record.append(String(decoding: field, as: UTF8.self))
            field.removeAll(keepingCapacity: true)
        }
        while index < bytes.count {
            let byte = bytes[index]
            index += 1
            if quoted {
                if byte == UInt8(ascii: "\"") {
                    if index < bytes.count && bytes[index] == UInt8(ascii: "\"") {
                        field.append(byte)
                        index += 1
                    } else {
                        quoted = false
                    }
                } else {
                    field.append(byte)
                }
                continue
            }
            switch byte {
            case UInt8(ascii: "\""):
                quoted = true
                started = true
            case UInt8(ascii: ","):
                endField()
                started = true
            case UInt8(ascii: "\r"):
                continue
            case UInt8(ascii: "\n"):
                endField()
                records.append(record)
                record.removeAll()
                started = false
            default:
                field.append(byte)
                started = true
            }
        }
        if started || !field.isEmpty {
            endField()
            records.append(record)
        }
        return records
    }
}
