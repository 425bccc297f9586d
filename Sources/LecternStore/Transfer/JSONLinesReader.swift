/// A value of a flat JSON object as import needs it.
enum JSONField: Equatable {
    case string(String)
    /// A number, kept as written so integers and decimals are read without loss.
    case number(String)
    case bool(Bool)
    case strings([String])
    case null
}

/// Reads JSON Lines: one flat JSON object per line (strings, numbers, booleans, null, and arrays
/// of strings as values). Blank lines are skipped.
///
/// Hand-written because import reads millions of lines and needs only flat objects.
final class JSONLinesReader {
    private let bytes: ByteReader
    private var lineBytes: [UInt8] = []
    private var position = 0
    private var line = 0
    /// The line of the last object returned by `next` (1-based).
    var recordLine: Int { line }

    init(path: String) throws {
        bytes = try ByteReader(path: path)
        lineBytes.reserveCapacity(1024)
    }

    var offset: Int { bytes.offset }

    /// Reads the next object into `object`, keys in the order written; false at the end of the file.
    func next(into object: inout [(key: String, value: JSONField)]) throws -> Bool {
        object.removeAll(keepingCapacity: true)
        while true {
            lineBytes.removeAll(keepingCapacity: true)
            var sawByte = false
            var tooLong = false
            while let byte = try bytes.next() {
                sawByte = true
                if byte == UInt8(ascii: "\n") { break }
                // Past the limit the line is read to its end but not kept.
                if lineBytes.count < ImportLimits.lineBytes { lineBytes.append(byte) } else { tooLong = true }
            }
            guard sawByte else { return false }
            line += 1
            if tooLong {
                throw BadRecord(line: line, error: StoreError.invalid("line \(line): a line longer than \(ImportLimits.lineDescription), Lectern's limit"))
            }
            if lineBytes.last == UInt8(ascii: "\r") { lineBytes.removeLast() }
            if lineBytes.allSatisfy({ $0 == 32 || $0 == 9 }) { continue }
            position = 0
            do {
                try parseObject(into: &object)
                skipSpace()
                guard position == lineBytes.count else { throw error("text after the object") }
            } catch let error as StoreError {
                // The whole line is read: the next call starts at the next one.
                throw BadRecord(line: line, error: error)
            }
            return true
        }
    }

    private func error(_ what: String) -> StoreError {
        StoreError.invalid("line \(line): malformed JSON: \(what)")
    }

    private func skipSpace() {
        while position < lineBytes.count, [32, 9, 13].contains(lineBytes[position]) { position += 1 }
    }

    private func expect(_ byte: UInt8) throws {
        skipSpace()
        guard position < lineBytes.count, lineBytes[position] == byte else {
            throw error("expected '\(Character(UnicodeScalar(byte)))'")
        }
        position += 1
    }

    private func parseObject(into object: inout [(key: String, value: JSONField)]) throws {
        try expect(UInt8(ascii: "{"))
        skipSpace()
        if position < lineBytes.count, lineBytes[position] == UInt8(ascii: "}") {
            position += 1
            return
        }
        while true {
            skipSpace()
            let key = try parseString()
            try expect(UInt8(ascii: ":"))
            object.append((key, try parseValue()))
            skipSpace()
            guard position < lineBytes.count else { throw error("the object is not closed") }
            if lineBytes[position] == UInt8(ascii: ",") { position += 1; continue }
            if lineBytes[position] == UInt8(ascii: "}") { position += 1; return }
            throw error("expected ',' or '}'")
        }
    }

    private func parseValue() throws -> JSONField {
        skipSpace()
        guard position < lineBytes.count else { throw error("a value is missing") }
        switch lineBytes[position] {
        case UInt8(ascii: "\""): return .string(try parseString())
        case UInt8(ascii: "["):
            position += 1
            var items: [String] = []
            skipSpace()
            if position < lineBytes.count, lineBytes[position] == UInt8(ascii: "]") { position += 1; return .strings([]) }
            while true {
                skipSpace()
                guard position < lineBytes.count, lineBytes[position] == UInt8(ascii: "\"") else {
                    throw error("arrays may hold only strings")
                }
                items.append(try parseString())
                skipSpace()
                guard position < lineBytes.count else { throw error("an array is not closed") }
                if lineBytes[position] == UInt8(ascii: ",") { position += 1; continue }
                if lineBytes[position] == UInt8(ascii: "]") { position += 1; return .strings(items) }
                throw error("expected ',' or ']'")
            }
        case UInt8(ascii: "{"): throw error("nested objects are not supported")
        case UInt8(ascii: "t"): try literal("true"); return .bool(true)
        case UInt8(ascii: "f"): try literal("false"); return .bool(false)
        case UInt8(ascii: "n"): try literal("null"); return .null
        default:
            let start = position
            while position < lineBytes.count {
                let b = lineBytes[position]
                guard (b >= 48 && b <= 57) || b == 45 || b == 43 || b == 46 || b == 101 || b == 69 else { break }
                position += 1
            }
            guard position > start else { throw error("unexpected character") }
            return .number(String(decoding: lineBytes[start..<position], as: UTF8.self))
        }
    }

    private func literal(_ word: String) throws {
        let utf8 = Array(word.utf8)
        guard position + utf8.count <= lineBytes.count, Array(lineBytes[position..<(position + utf8.count)]) == utf8 else {
            throw error("unexpected character")
        }
        position += utf8.count
    }

    private func parseString() throws -> String {
        guard position < lineBytes.count, lineBytes[position] == UInt8(ascii: "\"") else { throw error("expected a string") }
        position += 1
        let start = position
        // Fast path: no escapes.
        while position < lineBytes.count {
            let b = lineBytes[position]
            if b == UInt8(ascii: "\"") {
                let text = String(decoding: lineBytes[start..<position], as: UTF8.self)
                position += 1
                return text
            }
            if b == UInt8(ascii: "\\") { break }
            if b < 0x20 { throw error("a control character inside a string") }
            position += 1
        }
        var out = Array(lineBytes[start..<position])
        while position < lineBytes.count {
            let b = lineBytes[position]
            position += 1
            if b == UInt8(ascii: "\"") { return String(decoding: out, as: UTF8.self) }
            if b < 0x20 { throw error("a control character inside a string") }
            guard b == UInt8(ascii: "\\") else { out.append(b); continue }
            guard position < lineBytes.count else { break }
            let e = lineBytes[position]
            position += 1
            switch e {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): out.append(e)
            case UInt8(ascii: "n"): out.append(10)
            case UInt8(ascii: "t"): out.append(9)
            case UInt8(ascii: "r"): out.append(13)
            case UInt8(ascii: "b"): out.append(8)
            case UInt8(ascii: "f"): out.append(12)
            case UInt8(ascii: "u"):
                var scalar = try hex4()
                if (0xD800..<0xDC00).contains(scalar) {
                    guard position + 1 < lineBytes.count, lineBytes[position] == UInt8(ascii: "\\"),
                          lineBytes[position + 1] == UInt8(ascii: "u") else { throw error("a lone surrogate") }
                    position += 2
                    let low = try hex4()
                    guard (0xDC00..<0xE000).contains(low) else { throw error("a lone surrogate") }
                    scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                }
                guard let unicode = Unicode.Scalar(scalar) else { throw error("an invalid \\u escape") }
                out.append(contentsOf: Array(String(Character(unicode)).utf8))
            default: throw error("an invalid escape")
            }
        }
        throw error("a string is not closed")
    }

    private func hex4() throws -> UInt32 {
        guard position + 4 <= lineBytes.count else { throw error("an invalid \\u escape") }
        var value: UInt32 = 0
        for _ in 0..<4 {
            let b = lineBytes[position]
            position += 1
            let digit: UInt32
            switch b {
            case 48...57: digit = UInt32(b - 48)
            case 97...102: digit = UInt32(b - 87)
            case 65...70: digit = UInt32(b - 55)
            default: throw error("an invalid \\u escape")
            }
            value = value * 16 + digit
        }
        return value
    }
}
