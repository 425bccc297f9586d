import LecternCore
import Testing

/// Expected values are well-known Unix times and day counts worked out by hand (they agree with
/// Python's `datetime`).
@Suite("UTC calendar")
struct UTCCalendarTests {
    static func formatted(_ seconds: Int64) -> String {
        String(unsafeUninitializedCapacity: UTCCalendar.timestampLength) { buffer in
            UTCCalendar.writeTimestamp(seconds, to: buffer.baseAddress!)
            return UTCCalendar.timestampLength
        }
    }

    @Test("known moments format as ISO 8601 in UTC", arguments: [
        (Int64(0), "1970-01-01T00:00:00Z"),
        (1_000_000_000, "2001-09-09T01:46:40Z"),
        (1_709_208_000, "2024-02-29T12:00:00Z"),
        (-1, "1969-12-31T23:59:59Z"),
        (253_402_300_799, "9999-12-31T23:59:59Z"),
    ])
    func format(seconds: Int64, text: String) {
        #expect(Self.formatted(seconds) == text)
    }

    @Test("days and civil dates convert both ways, before and after 1970")
    func civilDates() {
        #expect(UTCCalendar.daysSinceEpoch(year: 2000, month: 3, day: 1) == 11_017)
        #expect(UTCCalendar.daysSinceEpoch(year: 1900, month: 3, day: 1) == -25_508)
        for days: Int64 in [-719_468, -25_508, -1, 0, 11_016, 11_017, 2_932_896] {
            let date = UTCCalendar.civilDate(daysSinceEpoch: days)
            #expect(UTCCalendar.daysSinceEpoch(year: date.year, month: date.month, day: date.day) == days)
        }
        #expect(UTCCalendar.day(of: -1) == -1)
        #expect(UTCCalendar.day(of: 86_399) == 0)
    }

    @Test("adding months keeps the time of day and clamps the day to a shorter month")
    func addingMonths() {
        let january31 = UTCCalendar.daysSinceEpoch(year: 2024, month: 1, day: 31) * 86_400 + 3_600
        let february29 = UTCCalendar.daysSinceEpoch(year: 2024, month: 2, day: 29) * 86_400 + 3_600
        #expect(UTCCalendar.adding(months: 1, to: january31) == february29)
        #expect(UTCCalendar.adding(months: -13, to: february29)
            == UTCCalendar.daysSinceEpoch(year: 2023, month: 1, day: 29) * 86_400 + 3_600)
        #expect(UTCCalendar.daysIn(month: 2, year: 1900) == 28)
        #expect(UTCCalendar.daysIn(month: 2, year: 2000) == 29)
    }
}
