extension UTCCalendar {
    /// The number of bytes of a formatted time, `2025-03-01T09:30:00Z`.
    public static let timestampLength = 20

    /// Writes a moment as ISO 8601 in UTC, `YYYY-MM-DDTHH:MM:SSZ`, into the `timestampLength` bytes
    /// at `bytes`, without allocating (the generator writes millions of them).
    ///
    /// Only years 0 through 9999 fit the four digits: the caller keeps to them.
    @inlinable
    public static func writeTimestamp(_ seconds: Int64, to bytes: UnsafeMutablePointer<UInt8>) {
        @inline(__always)
        func twoDigits(_ value: Int, at offset: Int) {
            bytes[offset] = UInt8(truncatingIfNeeded: value / 10) &+ 48
            bytes[offset + 1] = UInt8(truncatingIfNeeded: value % 10) &+ 48
        }
        let days = day(of: seconds)
        let date = civilDate(daysSinceEpoch: days)
        let year = Int(date.year)
        let time = Int(seconds - days * secondsPerDay)
        twoDigits(year / 100, at: 0)
        twoDigits(year % 100, at: 2)
        bytes[4] = UInt8(ascii: "-")
        twoDigits(date.month, at: 5)
        bytes[7] = UInt8(ascii: "-")
        twoDigits(date.day, at: 8)
        bytes[10] = UInt8(ascii: "T")
        twoDigits(time / 3600, at: 11)
        bytes[13] = UInt8(ascii: ":")
        twoDigits(time / 60 % 60, at: 14)
        bytes[16] = UInt8(ascii: ":")
        twoDigits(time % 60, at: 17)
        bytes[19] = UInt8(ascii: "Z")
    }
}
