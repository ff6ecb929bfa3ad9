import Foundation

/// A date on the civil calendar without a time zone: the dates printed on
/// documents, decisions and bans. Instants become days in Vietnam time
/// (UTC+7, no daylight saving since 1975), the time zone of every date the
/// database stores.
struct CalendarDay: Hashable, Comparable, Sendable, CustomStringConvertible {
    let year: Int
    let month: Int
    let day: Int

    /// Vietnam's offset from UTC, in seconds.
    static let vietnamOffsetSeconds = 7 * 3600

    /// A valid date, or nil (years 1 to 9999; real days of the month).
    init?(year: Int, month: Int, day: Int) {
        guard (1...9999).contains(year), (1...12).contains(month),
              (1...CalendarDay.daysIn(month: month, year: year)).contains(day) else { return nil }
        self.year = year
        self.month = month
        self.day = day
    }

    /// The day in Vietnam on which `instant` falls.
    init(vietnamDateOf instant: Date) {
        let seconds = Int(instant.timeIntervalSince1970.rounded(.down)) + CalendarDay.vietnamOffsetSeconds
        let days = seconds >= 0 ? seconds / 86_400 : -((-seconds + 86_399) / 86_400)
        self.init(daysSinceEpoch: days)
    }

    /// Today in Vietnam.
    static var today: CalendarDay { CalendarDay(vietnamDateOf: Date()) }

    /// The date `days` days after 1970-01-01 (Howard Hinnant's civil_from_days).
    init(daysSinceEpoch days: Int) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        year = yoe + era * 400 + (m <= 2 ? 1 : 0)
        month = m
        day = d
    }

    /// Days since 1970-01-01 (Howard Hinnant's days_from_civil).
    var daysSinceEpoch: Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = month > 2 ? month - 3 : month + 9
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    /// The date `count` days later (or earlier, when negative).
    func adding(days count: Int) -> CalendarDay { CalendarDay(daysSinceEpoch: daysSinceEpoch + count) }

    static func isLeap(_ year: Int) -> Bool { year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) }

    static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: return isLeap(year) ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    static func < (lhs: CalendarDay, rhs: CalendarDay) -> Bool {
        (lhs.year, lhs.month, lhs.day) < (rhs.year, rhs.month, rhs.day)
    }

    var description: String {
        func pad(_ n: Int, _ width: Int) -> String {
            let s = String(n)
            return String(repeating: "0", count: max(0, width - s.count)) + s
        }
        return "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2))"
    }
}

extension CalendarDay {
    /// Checks a full date given as three numbers (common.v1.CalendarDate).
    static func validated(year: Int, month: Int, day: Int, field: String) throws(ValidationError) -> CalendarDay {
        guard (1...9999).contains(year) else {
            throw ValidationError(field: "\(field).year", rule: "year_range", "year must be 1 to 9999")
        }
        guard (1...12).contains(month) else {
            throw ValidationError(field: "\(field).month", rule: "month_range", "month must be 1 to 12")
        }
        guard let date = CalendarDay(year: year, month: month, day: day) else {
            throw ValidationError(field: "\(field).day", rule: "day_in_month", "no such day in that month")
        }
        return date
    }
}
