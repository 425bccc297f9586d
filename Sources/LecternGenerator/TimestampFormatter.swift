/// Formats Unix seconds as ISO 8601 in UTC, like `2025-03-01T09:30:00Z`.
enum TimestampFormatter {
    /// The number of bytes of a formatted time.
    static let length = 20

    /// Appends `seconds` formatted to `cursor`, which must have room for `length` bytes.
    @inline(__always)
    static func append(_ seconds: Int64, to cursor: inout ByteCursor) {
        let day = UTCCalendar.floorDivide(seconds, UTCCalendar.secondsPerDay)
        let date = UTCCalendar.civilDate(daysSinceEpoch: day)
        let year = Int(date.year)
        cursor.append(twoDigits: year / 100)
        cursor.append(twoDigits: year % 100)
        cursor.append(UInt8(ascii: "-"))
        cursor.append(twoDigits: date.month)
        cursor.append(UInt8(ascii: "-"))
        cursor.append(twoDigits: date.day)
        cursor.append(UInt8(ascii: "T"))
        let time = Int(seconds - day * UTCCalendar.secondsPerDay)
        cursor.append(twoDigits: time / 3600)
        cursor.append(UInt8(ascii: ":"))
        cursor.append(twoDigits: time / 60 % 60)
        cursor.append(UInt8(ascii: ":"))
        cursor.append(twoDigits: time % 60)
        cursor.append(UInt8(ascii: "Z"))
    }
}
