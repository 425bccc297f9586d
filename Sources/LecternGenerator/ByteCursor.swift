import LecternCore

/// A write position in memory that a `ByteWriter` has reserved, for formatting a whole record without checks.
///
/// The caller must have reserved enough room for everything it appends.
struct ByteCursor {
    /// Where the next byte goes.
    private(set) var position: UnsafeMutablePointer<UInt8>

    /// Creates a cursor at `start`.
    init(_ start: UnsafeMutablePointer<UInt8>) {
        position = start
    }

    /// Appends one byte.
    @inline(__always)
    mutating func append(_ byte: UInt8) {
        position.pointee = byte
        position += 1
    }

    /// Appends bytes.
    ///
    /// - Complexity: O(*n*) in the number of bytes.
    @inline(__always)
    mutating func append(_ bytes: [UInt8]) {
        bytes.withUnsafeBufferPointer { buffer in
            guard let base = buffer.baseAddress else { return }
            position.update(from: base, count: buffer.count)
            position += buffer.count
        }
    }

    /// Appends bytes.
    ///
    /// - Complexity: O(*n*) in the number of bytes.
    @inline(__always)
    mutating func append(_ bytes: UnsafeBufferPointer<UInt8>) {
        guard let base = bytes.baseAddress else { return }
        position.update(from: base, count: bytes.count)
        position += bytes.count
    }

    /// `bytes` as a JSON string (bytes that need no escaping), or `null` when empty.
    @inline(__always)
    mutating func append(jsonStringOrNull bytes: UnsafeBufferPointer<UInt8>, null: UnsafeBufferPointer<UInt8>) {
        if bytes.isEmpty {
            append(null)
        } else {
            append(UInt8(ascii: "\""))
            append(bytes)
            append(UInt8(ascii: "\""))
        }
    }

    /// Appends a decimal integer, left-padded with zeros to at least `minimumDigits` digits (at most 20 in all).
    @inline(__always)
    mutating func append(decimal value: Int64, minimumDigits: Int = 1) {
        var magnitude = value.magnitude
        if value < 0 { append(UInt8(ascii: "-")) }
        var digits = 1
        var probe = magnitude
        while probe >= 10 {
            probe /= 10
            digits += 1
        }
        digits = max(digits, minimumDigits)
        var digit = position + digits - 1
        for _ in 0..<digits {
            digit.pointee = UInt8(truncatingIfNeeded: magnitude % 10) &+ 48
            magnitude /= 10
            digit -= 1
        }
        position += digits
    }

    /// Appends two decimal digits.
    @inline(__always)
    mutating func append(twoDigits value: Int) {
        position[0] = UInt8(truncatingIfNeeded: value / 10) &+ 48
        position[1] = UInt8(truncatingIfNeeded: value % 10) &+ 48
        position += 2
    }

    /// Appends a moment as ISO 8601 in UTC, like `2025-03-01T09:30:00Z` (`UTCCalendar.timestampLength` bytes).
    @inline(__always)
    mutating func append(timestamp seconds: Int64) {
        UTCCalendar.writeTimestamp(seconds, to: position)
        position += UTCCalendar.timestampLength
    }
}
