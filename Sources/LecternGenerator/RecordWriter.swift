import Foundation

/// Writes records of a fixed set of columns as CSV (RFC 4180) or JSON Lines.
///
/// A record is a sequence of field calls, one per column in order, closed by `endRecord()`. In CSV, text is
/// quoted when it holds a comma, a quote, CR or LF, and an empty optional is an empty field. In JSON Lines,
/// each column name becomes a key, text is an escaped string, numbers are bare, and an empty optional is `null`.
final class RecordWriter {
    /// The underlying byte writer.
    let output: ByteWriter
    private let isJSON: Bool
    /// For each column, what precedes its value in JSON: `{"name":` or `,"name":`.
    private let keyPrefixes: ByteStrings
    /// `null`, then the prefix of idempotency keys.
    private let literals = ByteStrings(["null", "evt-"])
    /// The index of the next field in the current record.
    private var column = 0

    /// Creates the file at `url` and, for CSV, writes the header row.
    ///
    /// - Throws: `GeneratorError` when the file cannot be created.
    convenience init(url: URL, format: PlatformFileFormat, columns: [String]) throws {
        self.init(output: try ByteWriter(url: url), format: format, columns: columns)
        if !isJSON {
            output.append(columns.joined(separator: ","))
            output.append(UInt8(ascii: "\n"))
        }
    }

    /// Creates a writer of records without a header into memory, for `takeBlock()`.
    ///
    /// - Parameter capacity: The number of bytes to make room for at first; the buffer grows as needed.
    convenience init(format: PlatformFileFormat, columns: [String], capacity: Int = 1 << 16) {
        self.init(output: ByteWriter(capacity: capacity), format: format, columns: columns)
    }

    /// Creates a writer of records to `output`.
    private init(output: ByteWriter, format: PlatformFileFormat, columns: [String]) {
        self.output = output
        isJSON = format == .jsonl
        keyPrefixes = ByteStrings(columns.enumerated().map { index, name in
            (index == 0 ? "{\"" : ",\"") + name + "\":"
        })
    }

    /// The bytes of the records written so far into memory, which the writer forgets.
    func takeBlock() -> ByteBlock {
        output.takeBlock()
    }

    /// Starts the next field: a separator in CSV, a key in JSON.
    @inline(__always)
    private func beginField() {
        if isJSON {
            output.append(keyPrefixes[column])
        } else if column > 0 {
            output.append(UInt8(ascii: ","))
        }
        column += 1
    }

    /// Writes a text field, quoted or escaped as the format needs.
    ///
    /// - Complexity: O(*n*) in the length of the text.
    func text(_ value: String) {
        beginField()
        var value = value
        value.withUTF8 { bytes in
            if isJSON { appendJSONString(bytes) } else { appendCSVField(bytes) }
        }
    }

    /// Writes a text field, or an empty optional when `value` is nil or empty.
    ///
    /// - Complexity: O(*n*) in the length of the text.
    func optionalText(_ value: String?) {
        guard let value, !value.isEmpty else { return empty() }
        text(value)
    }

    /// Writes a field of bytes known to need no quoting or escaping: ASCII letters, digits, `-`, `_`, `.`, `;`.
    ///
    /// - Complexity: O(*n*) in the number of bytes.
    @inline(__always)
    func token(_ bytes: [UInt8]) {
        beginField()
        if isJSON {
            output.append(UInt8(ascii: "\""))
            output.append(bytes)
            output.append(UInt8(ascii: "\""))
        } else {
            output.append(bytes)
        }
    }

    /// Writes a token made of a prefix and a zero-padded number, like `u000123` or `evt-42`.
    @inline(__always)
    func token(prefix: [UInt8], number: Int, minimumDigits: Int = 1) {
        beginField()
        if isJSON { output.append(UInt8(ascii: "\"")) }
        output.append(prefix)
        output.append(decimal: Int64(number), minimumDigits: minimumDigits)
        if isJSON { output.append(UInt8(ascii: "\"")) }
    }

    /// Writes an integer field.
    @inline(__always)
    func integer(_ value: Int64) {
        beginField()
        output.append(decimal: value)
    }

    /// Writes a fixed-point number `units` / 10^`scale`.
    func decimal(units: Int64, scale: Int) {
        beginField()
        output.append(units: units, scale: scale)
    }

    /// Writes a moment as an ISO 8601 UTC string.
    @inline(__always)
    func timestamp(_ seconds: Int64) {
        beginField()
        if isJSON {
            output.append(UInt8(ascii: "\""))
            output.append(timestamp: seconds)
            output.append(UInt8(ascii: "\""))
        } else {
            output.append(timestamp: seconds)
        }
    }

    /// Writes an absent optional value: an empty field or `null`.
    @inline(__always)
    func empty() {
        beginField()
        if isJSON { output.append(literals[0]) }
    }

    /// Writes a list of names: `;`-separated in CSV, an array of strings in JSON.
    ///
    /// - Complexity: O(*n*) in the total length of the names.
    func list(_ names: [String]) {
        if isJSON {
            beginField()
            output.append(UInt8(ascii: "["))
            for (index, name) in names.enumerated() {
                if index > 0 { output.append(UInt8(ascii: ",")) }
                var name = name
                name.withUTF8 { appendJSONString($0) }
            }
            output.append(UInt8(ascii: "]"))
        } else {
            text(names.joined(separator: ";"))
        }
    }

    /// Writes a whole interactions row at once: the hot path of a big platform.
    ///
    /// The columns must be those of the interactions file; `channel` empty and `value` or `key` nil are absent.
    @inline(__always)
    func interactionRecord(
        user: UnsafeBufferPointer<UInt8>, course: UnsafeBufferPointer<UInt8>, kind: UnsafeBufferPointer<UInt8>,
        value: Int32?, channel: UnsafeBufferPointer<UInt8>, occurredAt: Int64, key: Int?
    ) {
        let maximum = user.count + course.count + kind.count + channel.count + 256
        let isJSON = isJSON
        output.withReservedBytes(maximum) { cursor in
            if isJSON {
                cursor.append(keyPrefixes[0])
                cursor.append(UInt8(ascii: "\""))
                cursor.append(user)
                cursor.append(UInt8(ascii: "\""))
                cursor.append(keyPrefixes[1])
                cursor.append(UInt8(ascii: "\""))
                cursor.append(course)
                cursor.append(UInt8(ascii: "\""))
                cursor.append(keyPrefixes[2])
                cursor.append(UInt8(ascii: "\""))
                cursor.append(kind)
                cursor.append(UInt8(ascii: "\""))
                cursor.append(keyPrefixes[3])
                if let value { cursor.append(decimal: Int64(value)) } else { cursor.append(literals[0]) }
                cursor.append(keyPrefixes[4])
                if channel.isEmpty {
                    cursor.append(literals[0])
                } else {
                    cursor.append(UInt8(ascii: "\""))
                    cursor.append(channel)
                    cursor.append(UInt8(ascii: "\""))
                }
                cursor.append(keyPrefixes[5])
                cursor.append(UInt8(ascii: "\""))
                TimestampFormatter.append(occurredAt, to: &cursor)
                cursor.append(UInt8(ascii: "\""))
                cursor.append(keyPrefixes[6])
                if let key {
                    cursor.append(UInt8(ascii: "\""))
                    cursor.append(literals[1])
                    cursor.append(decimal: Int64(key))
                    cursor.append(UInt8(ascii: "\""))
                } else {
                    cursor.append(literals[0])
                }
                cursor.append(UInt8(ascii: "}"))
            } else {
                cursor.append(user)
                cursor.append(UInt8(ascii: ","))
                cursor.append(course)
                cursor.append(UInt8(ascii: ","))
                cursor.append(kind)
                cursor.append(UInt8(ascii: ","))
                if let value { cursor.append(decimal: Int64(value)) }
                cursor.append(UInt8(ascii: ","))
                cursor.append(channel)
                cursor.append(UInt8(ascii: ","))
                TimestampFormatter.append(occurredAt, to: &cursor)
                cursor.append(UInt8(ascii: ","))
                if let key {
                    cursor.append(literals[1])
                    cursor.append(decimal: Int64(key))
                }
            }
            cursor.append(UInt8(ascii: "\n"))
        }
    }

    /// Ends the current record.
    @inline(__always)
    func endRecord() {
        if isJSON { output.append(UInt8(ascii: "}")) }
        output.append(UInt8(ascii: "\n"))
        column = 0
    }

    /// Writes what is buffered and closes the file.
    ///
    /// - Throws: `GeneratorError` when any write failed.
    func close() throws {
        try output.close()
    }

    /// Appends a CSV field, quoted with doubled quotes when it holds a comma, a quote, CR or LF.
    private func appendCSVField(_ bytes: UnsafeBufferPointer<UInt8>) {
        var needsQuotes = false
        for byte in bytes where byte == 0x2C || byte == 0x22 || byte == 0x0A || byte == 0x0D {
            needsQuotes = true
            break
        }
        guard needsQuotes else { return output.append(bytes) }
        output.append(UInt8(ascii: "\""))
        for byte in bytes {
            if byte == 0x22 { output.append(0x22) }
            output.append(byte)
        }
        output.append(UInt8(ascii: "\""))
    }

    /// Appends a JSON string: quotes, backslashes and control characters escaped, other UTF-8 as it is.
    private func appendJSONString(_ bytes: UnsafeBufferPointer<UInt8>) {
        output.append(UInt8(ascii: "\""))
        for byte in bytes {
            switch byte {
            case 0x22: output.append(0x5C); output.append(0x22)
            case 0x5C: output.append(0x5C); output.append(0x5C)
            case 0x0A: output.append(0x5C); output.append(UInt8(ascii: "n"))
            case 0x0D: output.append(0x5C); output.append(UInt8(ascii: "r"))
            case 0x09: output.append(0x5C); output.append(UInt8(ascii: "t"))
            case 0..<0x20:
                let hex: [UInt8] = Array("0123456789abcdef".utf8)
                output.append(Array("\\u00".utf8))
                output.append(hex[Int(byte >> 4)])
                output.append(hex[Int(byte & 0x0F)])
            default:
                output.append(byte)
            }
        }
        output.append(UInt8(ascii: "\""))
    }
}
