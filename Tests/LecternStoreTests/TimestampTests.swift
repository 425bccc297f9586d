import Foundation
import LecternStore
import Testing

/// Expected values are worked out by hand from day counts (and agree with Python's `datetime`),
/// or are well-known Unix times (1_000_000_000, 1_234_567_890, 2^31 - 1).
@Suite("Timestamp")
struct TimestampTests {
    static let known: [(String, Int64)] = [
        ("1970-01-01T00:00:00Z", 0),
        ("2000-01-01T00:00:00Z", 946_684_800),
        ("2001-09-09T01:46:40Z", 1_000_000_000),
        ("2009-02-13T23:31:30Z", 1_234_567_890),
        ("2025-01-01T00:00:00Z", 1_735_689_600),
        ("2038-01-19T03:14:07Z", 2_147_483_647),
        // 2024-01-01 is 1_704_067_200; Feb 29 is 59 days later, plus 12 hours.
        ("2024-02-29T12:00:00Z", 1_709_208_000),
        // 2000-01-01 plus 59 days: 2000 is a leap year (divisible by 400).
        ("2000-02-29T00:00:00Z", 951_782_400),
        ("9999-12-31T23:59:59Z", 253_402_300_799),
    ]

    /// Well-formed times outside Lectern's range (1970-01-01 .. 9999-12-31) and their Unix seconds.
    static let outside: [(String, Int64)] = [
        ("1969-12-31T23:59:59Z", -1),
        // 165 days before 1970-01-01, plus 20:17.
        ("1969-07-20T20:17:00Z", -14_182_980),
        // 1900 is not a leap year, so its March 1 follows February 28.
        ("1900-03-01T00:00:00Z", -2_203_891_200),
        ("0001-01-01T00:00:00Z", -62_135_596_800),
    ]

    @Test("times outside 1970 .. 9999 are refused, and format as plain seconds without trapping")
    func outsideTheRange() {
        for (text, seconds) in Self.outside {
            #expect(Timestamp.parse(text) == nil, "\(text)")
            #expect(Timestamp.format(seconds) == String(seconds))
        }
        for text in ["-1", "-86400", "-9223372036854775000", "253402300800", "9223372036854775807"] {
            #expect(Timestamp.parse(text) == nil, "\(text)")
        }
        #expect(Timestamp.parse("253402300799") == Timestamp.latest)
        #expect(Timestamp.format(.min) == "-9223372036854775808")
        #expect(Timestamp.format(.max) == "9223372036854775807")
        #expect(Timestamp.formatDate(.min) == "-922337203")
    }

    @Test("a zone offset is at most 14 hours, and its minutes below 60", arguments: [
        "2025-03-01T09:00:00+99:99", "2025-03-01T09:00:00+15:00", "2025-03-01T09:00:00-15:00", "2025-03-01T09:00:00+02:60",
        "2025-03-01T09:00:00+0275",
    ])
    func badOffsets(text: String) {
        #expect(Timestamp.parse(text) == nil)
    }

    @Test("known times parse to their Unix seconds and format back to the same text")
    func knownTimes() {
        for (text, seconds) in Self.known {
            #expect(Timestamp.parse(text) == seconds, "\(text)")
            #expect(Timestamp.format(seconds) == text, "\(seconds)")
        }
    }

    @Test("offsets are converted to UTC", arguments: [
        ("2025-03-01T09:30:00+02:00", Int64(1_740_814_200)),   // 07:30Z
        ("2025-01-01T00:00:00-05:00", Int64(1_735_707_600)),   // 05:00Z
        ("2024-12-31T23:00:00-01:30", Int64(1_735_691_400)),   // 2025-01-01T00:30Z: the year changes
        ("2025-03-01T00:00:00+02:00", Int64(1_740_780_000)),   // 2025-02-28T22:00Z: the month changes
        ("2024-03-01T00:30:00+01:00", Int64(1_709_249_400)),   // 2024-02-29T23:30Z: back into the leap day
        ("2025-01-01T05:30:00+0530", Int64(1_735_689_600)),    // compact offset
        ("2025-01-01T02:00:00+02", Int64(1_735_689_600)),      // hours only
        ("2025-01-01T00:00:00+00:00", Int64(1_735_689_600)),
    ])
    func offsets(text: String, seconds: Int64) {
        #expect(Timestamp.parse(text) == seconds)
    }

    @Test("other accepted shapes", arguments: [
        ("2025-01-01", Int64(1_735_689_600)),                  // a date alone is midnight UTC
        ("2024-02-29", Int64(1_709_164_800)),
        ("2025-01-01T00:00", Int64(1_735_689_600)),            // no seconds
        ("2025-01-01T00:00:00", Int64(1_735_689_600)),         // no zone means UTC
        ("2025-01-01 00:00:00", Int64(1_735_689_600)),         // a space instead of T
        ("2025-01-01T00:00:00.987Z", Int64(1_735_689_600)),    // fractions are dropped
        ("2025-01-01T00:00:00z", Int64(1_735_689_600)),
        ("1735689600", Int64(1_735_689_600)),                  // Unix seconds
        ("0", Int64(0)),
        ("2025-03-01T09:00:00+14:00", Int64(1_740_769_200)),   // the farthest zone east
        ("2025-03-01T09:00:00-12:00", Int64(1_740_862_800)),
        ("123", Int64(123)),
        ("12345", Int64(12_345)),
    ])
    func acceptedShapes(text: String, seconds: Int64) {
        #expect(Timestamp.parse(text) == seconds)
    }

    @Test("invalid dates and garbage give nil", arguments: [
        "", "garbage", "-", "12a", "12ab5", " 2025-01-01", "2025/01/01", "2025-1-1", "2025-01-1",
        "2025-13-01", "2025-00-10", "2025-01-00", "2025-01-32", "2025-04-31",
        "2025-02-29", "2023-02-29", "1900-02-29", "2100-02-29", "2025-02-30",
        "2025-01-01T", "2025-01-01T10", "2025-01-01T24:00:00Z", "2025-01-01T12:60:00Z", "2025-01-01T12:00:61Z",
        "2025-01-01T12:00:00Q", "2025-01-01T12:00:00Zjunk", "2025-01-01x", "2025-01-01T10:00:00+2",
        "2025-01-01T10:00:00+02:0", "2025-01-01T10:00:00+02:00:00", "99999999999999999999",
    ])
    func invalid(text: String) {
        #expect(Timestamp.parse(text) == nil)
    }

    @Test("leap days: valid in leap years only")
    func leapDays() {
        #expect(Timestamp.parse("2024-02-29") != nil)
        #expect(Timestamp.parse("2000-02-29") != nil)
        #expect(Timestamp.parse("2023-02-29") == nil)
        #expect(Timestamp.parse("2100-02-29") == nil)
        // The day after a leap day is exactly one day later.
        let leap = Timestamp.parse("2024-02-29")!, march = Timestamp.parse("2024-03-01")!
        #expect(march - leap == 86_400)
        // A leap year has 366 days, a common year 365.
        #expect(Timestamp.parse("2025-01-01")! - Timestamp.parse("2024-01-01")! == 366 * 86_400)
        #expect(Timestamp.parse("2026-01-01")! - Timestamp.parse("2025-01-01")! == 365 * 86_400)
    }

    @Test("formatDate keeps only the UTC date")
    func formatDate() {
        #expect(Timestamp.formatDate(1_735_689_599) == "2024-12-31")
        #expect(Timestamp.formatDate(1_735_689_600) == "2025-01-01")
        #expect(Timestamp.formatDate(0) == "1970-01-01")
    }

    @Test("formatting then parsing gives the same second, across eras and signs")
    func roundTrip() {
        // A prime step so the sweep lands on every time of day and every day of the 400-year cycle.
        var seconds: Int64 = 0
        var checked = 0
        var mismatches: [String] = []
        while seconds < 253_402_300_799 {
            let text = Timestamp.format(seconds)
            if text.count != 20 || Timestamp.parse(text) != seconds { mismatches.append("\(seconds) -> \(text)") }
            seconds += 9_999_991
            checked += 1
        }
        #expect(checked > 25_000)
        #expect(mismatches.isEmpty, "\(mismatches.prefix(5))")
    }

    @Test("parsing works on raw UTF-8 bytes too")
    func parseBytes() {
        let bytes = Array("2025-03-01T09:30:00+02:00".utf8)
        #expect(bytes.withUnsafeBytes { Timestamp.parse($0) } == 1_740_814_200)
        #expect([UInt8]().withUnsafeBytes { Timestamp.parse($0) } == nil)
    }

    @Test("a four-byte input is read without going past its end")
    func fourDigits() async {
        // Run in a child process: reading past the buffer traps in a debug build.
        await #expect(processExitsWith: .success) {
            precondition(Timestamp.parse("2025") == 2_025)
        }
        await #expect(processExitsWith: .success) {
            precondition(Timestamp.parse("12ab") == nil)
        }
    }

    @Test("the current time is in seconds, as Foundation's clock tells it")
    func now() {
        let foundation = Int64(Date().timeIntervalSince1970)
        #expect(abs(currentUnixTime() - foundation) <= 1)
    }
}
