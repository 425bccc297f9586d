/// How a record's fields are written as CSV (RFC 4180), TSV or JSON Lines: the quoting and escaping
/// rules `lectern export` and `lectern generate` share, so that both write what import reads.
///
/// A record is its fields in column order, each opened by `beginField(_:to:)`, then `endRecord(to:)`.
/// In CSV and TSV, text is quoted (quotes doubled) when it holds the delimiter, a quote, CR or LF, and
/// an absent value is an empty field; a header row names the columns. In JSON Lines, each column name
/// becomes a key, text is an escaped string, numbers are bare, and an absent value is `null`.
public struct RecordSyntax: Sendable {
    /// The shape of a file of records.
    public enum Format: Sendable, Equatable {
        /// Fields separated by a byte, after a header row.
        case delimited(UInt8)
        /// One JSON object per line.
        case jsonLines

        /// Comma-separated values.
        public static let csv = Format.delimited(UInt8(ascii: ","))
        /// Tab-separated values.
        public static let tsv = Format.delimited(9)
    }

    public let format: Format
    /// The column names, in order.
    public let columns: [String]
    /// Whether the format is JSON Lines.
    public let isJSON: Bool
    /// The field separator of a delimited format (unused in JSON Lines).
    @usableFromInline let delimiter: UInt8
    /// For each column, what precedes its value in JSON: `{"name":` for the first, `,"name":` after.
    public let keyPrefixes: [[UInt8]]

    public init(_ format: Format, columns: [String]) {
        self.format = format
        self.columns = columns
        switch format {
        case .delimited(let byte):
            isJSON = false
            delimiter = byte
        case .jsonLines:
            isJSON = true
            delimiter = UInt8(ascii: ",")
        }
        keyPrefixes = columns.enumerated().map { index, name in
            let prefix = BytesSink()
            prefix.append(UInt8(ascii: index == 0 ? "{" : ","))
            var name = name
            name.withUTF8 { Self.appendJSONString($0, to: prefix) }
            prefix.append(UInt8(ascii: ":"))
            return prefix.bytes
        }
    }

    /// Writes the header row of a delimited format (the column names as fields); nothing in JSON Lines.
    public func header(to sink: some ByteSink) {
        guard !isJSON else { return }
        for (index, name) in columns.enumerated() {
            beginField(index, to: sink)
            text(name, to: sink)
        }
        sink.append(UInt8(ascii: "\n"))
    }

    /// Starts field `column` of a record: the delimiter before all but the first, or the JSON key.
    @inlinable
    public func beginField(_ column: Int, to sink: some ByteSink) {
        if isJSON {
            sink.append(keyPrefixes[column])
        } else if column > 0 {
            sink.append(delimiter)
        }
    }

    /// Ends a record: the closing brace in JSON, then a line feed.
    @inlinable
    public func endRecord(to sink: some ByteSink) {
        if isJSON { sink.append(UInt8(ascii: "}")) }
        sink.append(UInt8(ascii: "\n"))
    }

    /// Writes a text value, quoted or escaped as the format needs.
    ///
    /// - Complexity: O(*n*) in the length of the text.
    @inlinable
    public func text(_ value: String, to sink: some ByteSink) {
        var value = value
        value.withUTF8 { text($0, to: sink) }
    }

    /// Writes text given as UTF-8 bytes, quoted or escaped as the format needs.
    ///
    /// - Complexity: O(*n*) in the number of bytes.
    @inlinable
    public func text(_ bytes: UnsafeBufferPointer<UInt8>, to sink: some ByteSink) {
        if isJSON {
            Self.appendJSONString(bytes, to: sink)
        } else {
            Self.appendDelimitedField(bytes, delimiter: delimiter, to: sink)
        }
    }

    /// Writes an absent value: nothing (an empty field) in a delimited format, `null` in JSON.
    @inlinable
    public func null(to sink: some ByteSink) {
        if isJSON { sink.append(Self.null) }
    }

    /// Writes the quote that opens or closes a token in JSON (nothing in a delimited format): a
    /// value known to need no quoting nor escaping, such as a slug or a time, written between two.
    @inlinable
    public func tokenQuote(to sink: some ByteSink) {
        if isJSON { sink.append(UInt8(ascii: "\"")) }
    }

    /// Writes a list of names: one `;`-separated text field in a delimited format, an array of
    /// strings in JSON.
    ///
    /// - Complexity: O(*n*) in the total length of the names.
    public func list(_ names: [String], to sink: some ByteSink) {
        guard isJSON else { return text(names.joined(separator: ";"), to: sink) }
        sink.append(UInt8(ascii: "["))
        for (index, name) in names.enumerated() {
            if index > 0 { sink.append(UInt8(ascii: ",")) }
            var name = name
            name.withUTF8 { Self.appendJSONString($0, to: sink) }
        }
        sink.append(UInt8(ascii: "]"))
    }

    /// The bytes of JSON's `null`.
    public static let null: [UInt8] = Array("null".utf8)

    /// Appends a delimited field, quoted with doubled quotes when it holds the delimiter, a quote, CR or LF.
    @inlinable
    public static func appendDelimitedField(_ bytes: UnsafeBufferPointer<UInt8>, delimiter: UInt8, to sink: some ByteSink) {
        guard bytes.contains(where: { $0 == delimiter || $0 == 0x22 || $0 == 0x0A || $0 == 0x0D }) else {
            return sink.append(bytes)
        }
        sink.append(0x22)
        for byte in bytes {
            if byte == 0x22 { sink.append(0x22) }
            sink.append(byte)
        }
        sink.append(0x22)
    }

    /// Appends a JSON string: quotes, backslashes and control characters escaped, other UTF-8 as it is.
    @inlinable
    public static func appendJSONString(_ bytes: UnsafeBufferPointer<UInt8>, to sink: some ByteSink) {
        sink.append(0x22)
        for byte in bytes {
            switch byte {
            case 0x22: sink.append(0x5C); sink.append(0x22)
            case 0x5C: sink.append(0x5C); sink.append(0x5C)
            case 0x0A: sink.append(0x5C); sink.append(UInt8(ascii: "n"))
            case 0x0D: sink.append(0x5C); sink.append(UInt8(ascii: "r"))
            case 0x09: sink.append(0x5C); sink.append(UInt8(ascii: "t"))
            case 0..<0x20:
                sink.append(0x5C)
                sink.append(UInt8(ascii: "u"))
                sink.append(UInt8(ascii: "0"))
                sink.append(UInt8(ascii: "0"))
                sink.append(hexDigit(byte >> 4))
                sink.append(hexDigit(byte & 0x0F))
            default:
                sink.append(byte)
            }
        }
        sink.append(0x22)
    }

    /// The lower-case hexadecimal digit of a value below 16.
    @inlinable
    static func hexDigit(_ value: UInt8) -> UInt8 {
        value < 10 ? 48 + value : 87 + value
    }
}

/// Collects bytes in an array: the sink `RecordSyntax` builds its key prefixes in.
final class BytesSink: ByteSink {
    var bytes: [UInt8] = []

    func append(_ byte: UInt8) { bytes.append(byte) }

    func append(_ bytes: UnsafeBufferPointer<UInt8>) { self.bytes.append(contentsOf: bytes) }
}
