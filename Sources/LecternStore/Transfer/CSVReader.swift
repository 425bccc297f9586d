/// Reads RFC 4180 CSV (or TSV) one record at a time: quoted fields, doubled quotes, CRLF or LF.
///
/// - Complexity: O(n) in the file's bytes; memory is one chunk plus one record.
/// A record that cannot be read, with the reader already at the start of the next one: an import
/// with `--skip-invalid` lists it and goes on.
struct BadRecord: Error {
    let line: Int
    let error: StoreError
}

/// The largest field, and JSON line, import reads: a file with no line breaks, or one huge field,
/// is refused at this size instead of growing memory without bound.
enum ImportLimits {
    static let fieldBytes = 1 << 20
    static let lineBytes = 4 << 20
    static let fieldDescription = "1 MiB"
    static let lineDescription = "4 MiB"
}

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
                    throw try badRecord("line \(line): malformed CSV: a quote inside an unquoted field")
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
                    throw try badRecord("line \(line): malformed CSV: text after a closing quote")
                }
                guard field.count < ImportLimits.fieldBytes else {
                    throw try badRecord("line \(line): a field longer than \(ImportLimits.fieldDescription), Lectern's limit")
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
                guard field.count < ImportLimits.fieldBytes else {
                    let message = "line \(start): a field longer than \(ImportLimits.fieldDescription), Lectern's limit"
                    throw try badRecord(message, recordStart: start)
                }
                field.append(byte)
            }
        }
        // The rest of the file was the field: the next read finds the end.
        throw BadRecord(line: start, error: StoreError.invalid("line \(start): malformed CSV: a quoted field is never closed"))
    }

    /// Skips to the end of the current line (quotes no longer count) and returns the error to throw.
    private func badRecord(_ message: String, recordStart: Int? = nil) throws -> BadRecord {
        field.removeAll(keepingCapacity: true)
        while let byte = try bytes.next() {
            if byte == UInt8(ascii: "\n") {
                line += 1
                break
            }
        }
        return BadRecord(line: recordStart ?? recordLine, error: StoreError.invalid(message))
    }
}
