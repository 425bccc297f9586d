/// Proleptic Gregorian calendar arithmetic on Unix seconds, in UTC: the one implementation behind
/// the store's `Timestamp` and the generator's dates.
///
/// Follows Howard Hinnant's `days_from_civil` and `civil_from_days`
/// (https://howardhinnant.github.io/date_algorithms.html).
public enum UTCCalendar {
    /// The number of seconds in a day.
    public static let secondsPerDay: Int64 = 86_400

    /// The year, month (1-12) and day (1-31) of a day counted from 1970-01-01.
    @inlinable
    public static func civilDate(daysSinceEpoch days: Int64) -> (year: Int64, month: Int, day: Int) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let shiftedMonth = (5 * dayOfYear + 2) / 153
        let day = Int(dayOfYear - (153 * shiftedMonth + 2) / 5 + 1)
        let month = Int(shiftedMonth < 10 ? shiftedMonth + 3 : shiftedMonth - 9)
        let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        return (year, month, day)
    }

    /// The day, counted from 1970-01-01, of a civil date.
    public static func daysSinceEpoch(year: Int64, month: Int, day: Int) -> Int64 {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let m = Int64(month)
        let dayOfYear = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + Int64(day) - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    /// The day, counted from 1970-01-01, that holds a moment (earlier moments count back).
    @inlinable
    public static func day(of seconds: Int64) -> Int64 {
        floorDivide(seconds, secondsPerDay)
    }

    /// The year, month and day of a moment.
    public static func civilDate(of seconds: Int64) -> (year: Int64, month: Int, day: Int) {
        civilDate(daysSinceEpoch: day(of: seconds))
    }

    /// The moment `months` calendar months after `seconds`, the day clamped to the end of a shorter month.
    public static func adding(months: Int, to seconds: Int64) -> Int64 {
        let days = day(of: seconds)
        let timeOfDay = seconds - days * secondsPerDay
        let date = civilDate(daysSinceEpoch: days)
        let monthIndex = date.year * 12 + Int64(date.month - 1) + Int64(months)
        let year = floorDivide(monthIndex, 12)
        let month = Int(monthIndex - year * 12) + 1
        let day = min(date.day, daysIn(month: month, year: year))
        return daysSinceEpoch(year: year, month: month, day: day) * secondsPerDay + timeOfDay
    }

    /// The number of days in a month of a year.
    public static func daysIn(month: Int, year: Int64) -> Int {
        switch month {
        case 2:
            let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
            return leap ? 29 : 28
        case 4, 6, 9, 11:
            return 30
        default:
            return 31
        }
    }

    /// Integer division rounding toward negative infinity.
    @inlinable
    public static func floorDivide(_ value: Int64, _ divisor: Int64) -> Int64 {
        let quotient = value / divisor
        return (value % divisor != 0 && (value < 0) != (divisor < 0)) ? quotient - 1 : quotient
    }
}
