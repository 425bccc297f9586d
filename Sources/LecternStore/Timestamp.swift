import Foundation
import LecternCore

/// The current time in Unix seconds.
public func currentUnixTime() -> Int64 {
    Int64(Date().timeIntervalSince1970)
}

/// ISO 8601 times as Lectern reads and writes them: `2025-03-01T09:30:00Z` (UTC).
///
/// Hand-written because import parses millions of them: `DateFormatter` is far too slow.
public enum Timestamp {
    /// The first time Lectern stores: 1970-01-01T00:00:00Z.
    public static let earliest: Int64 = 0
    /// The last time Lectern stores: 9999-12-31T23:59:59Z.
    public static let latest: Int64 = 253_402_300_799
    /// Every time Lectern stores lies here: parsing refuses the rest, and the schema too (migration 12).
    public static let range = earliest...latest
    /// The range in words, for error messages.
    public static let rangeDescription = "between 1970-01-01T00:00:00Z and 9999-12-31T23:59:59Z"

    /// Parses `YYYY-MM-DD`, `YYYY-MM-DDTHH:MM[:SS[.fff]]` with `Z`, `±HH:MM` (at most 14 hours) or no
    /// zone (UTC), or plain Unix seconds. Returns nil for anything else and for a time outside `range`.
    public static func parse(_ text: String) -> Int64? {
        var text = text
        return text.withUTF8 { parse(UnsafeRawBufferPointer($0)) }
    }

    /// Parses UTF-8 bytes; see `parse(_:)`.
    public static func parse(_ bytes: UnsafeRawBufferPointer) -> Int64? {
        guard let seconds = parseAnyTime(bytes), range.contains(seconds) else { return nil }
        return seconds
    }

    private static func parseAnyTime(_ bytes: UnsafeRawBufferPointer) -> Int64? {
        let n = bytes.count
        guard n > 0 else { return nil }
        func digit(_ i: Int) -> Int? {
            guard i < n else { return nil }
            let b = bytes[i]
            return b >= 48 && b <= 57 ? Int(b - 48) : nil
        }
        func number(_ from: Int, _ count: Int) -> Int? {
            var value = 0
            for i in from..<(from + count) {
                guard let d = digit(i) else { return nil }
                value = value * 10 + d
            }
            return value
        }
        // Plain Unix seconds.
        if n <= 4 || bytes[4] != UInt8(ascii: "-") {
            var value: Int64 = 0
            var i = 0
            let negative = bytes[0] == UInt8(ascii: "-")
            if negative { i = 1 }
            guard i < n else { return nil }
            while i < n {
                guard let d = digit(i), value < Int64.max / 10 - 10 else { return nil }
                value = value * 10 + Int64(d)
                i += 1
            }
            return negative ? -value : value
        }
        guard n >= 10, let year = number(0, 4), bytes[4] == UInt8(ascii: "-"),
              let month = number(5, 2), bytes[7] == UInt8(ascii: "-"), let day = number(8, 2),
              (1...12).contains(month), day >= 1, day <= UTCCalendar.daysIn(month: month, year: Int64(year)) else { return nil }
        var seconds = UTCCalendar.daysSinceEpoch(year: Int64(year), month: month, day: day) * UTCCalendar.secondsPerDay
        var i = 10
        if i == n { return seconds }
        guard bytes[i] == UInt8(ascii: "T") || bytes[i] == UInt8(ascii: " "),
              let hour = number(i + 1, 2), i + 3 < n, bytes[i + 3] == UInt8(ascii: ":"),
              let minute = number(i + 4, 2), hour < 24, minute < 60 else { return nil }
        seconds += Int64(hour * 3600 + minute * 60)
        i += 6
        if i < n && bytes[i] == UInt8(ascii: ":") {
            guard let second = number(i + 1, 2), second < 61 else { return nil }
            seconds += Int64(second)
            i += 3
            if i < n && bytes[i] == UInt8(ascii: ".") {
                i += 1
                while i < n, digit(i) != nil { i += 1 }
            }
        }
        if i == n { return seconds }
        switch bytes[i] {
        case UInt8(ascii: "Z"), UInt8(ascii: "z"):
            return i + 1 == n ? seconds : nil
        case UInt8(ascii: "+"), UInt8(ascii: "-"):
            guard let zoneHour = number(i + 1, 2), zoneHour <= 14 else { return nil }
            var zoneMinute = 0
            if i + 3 < n {
                let at = bytes[i + 3] == UInt8(ascii: ":") ? i + 4 : i + 3
                guard let m = number(at, 2), m < 60, at + 2 == n else { return nil }
                zoneMinute = m
            } else if i + 3 != n {
                return nil
            }
            let offset = Int64(zoneHour * 3600 + zoneMinute * 60)
            return bytes[i] == UInt8(ascii: "+") ? seconds - offset : seconds + offset
        default:
            return nil
        }
    }

    /// Formats Unix seconds as `YYYY-MM-DDTHH:MM:SSZ`; a time outside `range` (only a database
    /// written before migration 12 could hold one) as its plain seconds, never a trap.
    public static func format(_ seconds: Int64) -> String {
        guard range.contains(seconds) else { return String(seconds) }
        return String(unsafeUninitializedCapacity: UTCCalendar.timestampLength) { buffer in
            UTCCalendar.writeTimestamp(seconds, to: buffer.baseAddress!)
            return UTCCalendar.timestampLength
        }
    }

    /// Formats Unix seconds as the date `YYYY-MM-DD`.
    public static func formatDate(_ seconds: Int64) -> String {
        String(format(seconds).prefix(10))
    }
}
