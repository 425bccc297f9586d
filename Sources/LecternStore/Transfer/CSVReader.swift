/// Reads RFC 4180 CSV (or TSV) one record at a time: quoted fields, doubled quotes, CRLF or LF.
///
/// - Complexity: O(n) in the file's bytes; memory is one chunk plus one record.
final class CSVReader {
    private let bytes: ByteReader
    private let delimiter: UInt8
    private var field: [UInt8] = []
    /// The line on which the last record returned by `next` started (1-based).
    private(set) var recordLine = 0
    private var line = 1

    init(path: String, delimiter: UInt8 = UInt8(ascii: ",")) throws {
        bytes = try ByteReader(path: path)
        self.delimiter = delimiter
        field.reserveCapacity(256)
    }

    /// Bytes read so far, for progress.
    var offset: Int { bytes.offset }

    private var atStart = true

    /// Reads the next record into `fields`; returns false at the end of the file.
    /// Blank lines are skipped; a UTF-8 byte order mark at the start of the file is ignored.
    func next(into fields: inout [String]) throws -> Bool {
        if atStart {
            atStart = false
            if try bytes.peek() == 0xEF {
                let mark = [try bytes.next(), try bytes.next(), try bytes.next()]
                guard mark == [0xEF, 0xBB, 0xBF] else {
                    throw StoreError.invalid("line 1: malformed CSV: the file starts with bytes that are not UTF-8 text")
                }
            }
        }
        fields.removeAll(keepingCapacity: true)
        field.removeAll(keepingCapacity: true)
        recordLine = line
        var sawAnything = false
        var quotedField = false
        while let byte = try bytes.next() {
            switch byte {
            case UInt8(ascii: "\""):
                guard field.isEmpty && !quotedField else {
                    throw StoreError.invalid("line \(line): malformed CSV: a quote inside an unquoted field")
                }
                try readQuoted()
                quotedField = true
                sawAnything = true
            case delimiter:
                fields.append(String(decoding: field, as: UTF8.self))
                field.removeAll(keepingCapacity: true)
                quotedField = false
                sawAnything = true
            case UInt8(ascii: "\r"):
                if try bytes.peek() == UInt8(ascii: "\n") { continue }
                fallthrough
            case UInt8(ascii: "\n"):
                line += 1
                if !sawAnything && field.isEmpty {
                    recordLine = line
                    continue
                }
                fields.append(String(decoding: field, as: UTF8.self))
                return true
            default:
                if quotedField {
                    throw StoreError.invalid("line \(line): malformed CSV: text after a closing quote")
                }
                field.append(byte)
                sawAnything = true
            }
        }
        guard sawAnything || !field.isEmpty else { return false }
        fields.append(String(decoding: field, as: UTF8.self))
        return true
    }

    private func readQuoted() throws {
        let start = line
        while let byte = try bytes.next() {
            if byte == UInt8(ascii: "\"") {
                if try bytes.peek() == UInt8(ascii: "\"") {
                    _ = try bytes.next()
                    field.append(byte)
                } else {
                    return
                }
            } else {
                if byte == UInt8(ascii: "\n") { line += 1 }
                field.append(byte)
            }
        }
        throw StoreError.invalid("line \(start): malformed CSV: a quoted field is never closed")
    }
}
