import Foundation
import LecternCore

/// Formats records of a fixed set of columns as CSV (RFC 4180) or JSON Lines into a `ByteWriter`: a
/// file, or a block of memory that a worker fills and the file takes in order.
///
/// A record is a sequence of field calls, one per column in order, closed by `endRecord()`. The
/// quoting and escaping are `RecordSyntax`'s, shared with `lectern export`; an empty optional is an
/// empty field in CSV and `null` in JSON.
final class RecordFormatter {
    /// The underlying byte writer.
    let output: ByteWriter
    private let syntax: RecordSyntax
    /// The JSON key prefixes of `syntax`, read by the interactions' hot path without reference counting.
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
        syntax.header(to: output)
    }

    /// Creates a formatter of records without a header into memory, for `takeBlock()`.
    ///
    /// - Parameter capacity: The number of bytes to make room for at first; the buffer grows as needed.
    convenience init(format: PlatformFileFormat, columns: [String], capacity: Int = 1 << 16) {
        self.init(output: ByteWriter(capacity: capacity), format: format, columns: columns)
    }

    /// Creates a formatter of records to `output`.
    private init(output: ByteWriter, format: PlatformFileFormat, columns: [String]) {
        self.output = output
        syntax = RecordSyntax(format == .jsonl ? .jsonLines : .csv, columns: columns)
        keyPrefixes = ByteStrings(syntax.keyPrefixes)
    }

    /// The bytes of the records written so far into memory, which the formatter forgets.
    func takeBlock() -> ByteBlock {
        output.takeBlock()
    }

    /// Starts the next field: a separator in CSV, a key in JSON.
    @inline(__always)
    private func beginField() {
        syntax.beginField(column, to: output)
        column += 1
    }

    /// Writes a text field, quoted or escaped as the format needs.
    ///
    /// - Complexity: O(*n*) in the length of the text.
    func text(_ value: String) {
        beginField()
        syntax.text(value, to: output)
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
        syntax.tokenQuote(to: output)
        output.append(bytes)
        syntax.tokenQuote(to: output)
    }

    /// Writes a token made of a prefix and a zero-padded number, like `u000123` or `evt-42`.
    @inline(__always)
    func token(prefix: [UInt8], number: Int, minimumDigits: Int = 1) {
        beginField()
        syntax.tokenQuote(to: output)
        output.append(prefix)
        output.append(decimal: Int64(number), minimumDigits: minimumDigits)
        syntax.tokenQuote(to: output)
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
        syntax.tokenQuote(to: output)
        output.append(timestamp: seconds)
        syntax.tokenQuote(to: output)
    }

    /// Writes an absent optional value: an empty field or `null`.
    @inline(__always)
    func empty() {
        beginField()
        syntax.null(to: output)
    }

    /// Writes a list of names: `;`-separated in CSV, an array of strings in JSON.
    ///
    /// - Complexity: O(*n*) in the total length of the names.
    func list(_ names: [String]) {
        beginField()
        syntax.list(names, to: output)
    }

    /// Writes a whole interactions row at once: the hot path of a big platform.
    ///
    /// The columns must be those of the interactions file; `channel` empty and `value` or `key` nil are absent.
    /// `reason` is nil when the file has no reason column, and empty for an event without one.
    @inline(__always)
    func interactionRecord(
        user: UnsafeBufferPointer<UInt8>, course: UnsafeBufferPointer<UInt8>, kind: UnsafeBufferPointer<UInt8>,
        value: Int32?, channel: UnsafeBufferPointer<UInt8>, occurredAt: Int64, key: Int?,
        reason: UnsafeBufferPointer<UInt8>? = nil
    ) {
        let maximum = user.count + course.count + kind.count + channel.count + (reason?.count ?? 0) + 256
        let isJSON = syntax.isJSON
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
                cursor.append(jsonStringOrNull: channel, null: literals[0])
                cursor.append(keyPrefixes[5])
                cursor.append(UInt8(ascii: "\""))
                cursor.append(timestamp: occurredAt)
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
                if let reason {
                    cursor.append(keyPrefixes[7])
                    cursor.append(jsonStringOrNull: reason, null: literals[0])
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
                cursor.append(timestamp: occurredAt)
                cursor.append(UInt8(ascii: ","))
                if let key {
                    cursor.append(literals[1])
                    cursor.append(decimal: Int64(key))
                }
                if let reason {
                    cursor.append(UInt8(ascii: ","))
                    cursor.append(reason)
                }
            }
            cursor.append(UInt8(ascii: "\n"))
        }
    }

    /// Ends the current record.
    @inline(__always)
    func endRecord() {
        syntax.endRecord(to: output)
        column = 0
    }

    /// Writes what is buffered and closes the file.
    ///
    /// - Throws: `GeneratorError` when any write failed.
    func close() throws {
        try output.close()
    }
}
