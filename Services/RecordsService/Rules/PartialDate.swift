/// A date known only in part: year only, year and month, or a full date
/// (brief, reading 11: dates of birth may be partial everywhere). A day
/// without a month is meaningless and refused.
struct PartialDate: Hashable, Sendable, CustomStringConvertible {
    let year: Int
    let month: Int?
    let day: Int?

    /// How much of the date is known.
    enum Precision: Sendable { case year, month, day }

    var precision: Precision { day != nil ? .day : (month != nil ? .month : .year) }

    /// The first day the partial date may stand for.
    var earliestDay: CalendarDay {
        CalendarDay(year: year, month: month ?? 1, day: day ?? 1)!
    }

    /// The last day the partial date may stand for.
    var latestDay: CalendarDay {
        let m = month ?? 12
        return CalendarDay(year: year, month: m, day: day ?? CalendarDay.daysIn(month: m, year: year))!
    }

    /// Checks a partial date given as three numbers, 0 meaning unknown
    /// (common.v1.PartialDate): year 1 to 9999; month 0 or 1 to 12; day 0 or a
    /// real day of that month, and a day requires a month.
    static func validated(year: Int, month: Int, day: Int, field: String) throws(ValidationError) -> PartialDate {
        guard (1...9999).contains(year) else {
            throw ValidationError(field: "\(field).year", rule: "year_range", "year must be 1 to 9999")
        }
        guard (0...12).contains(month) else {
            throw ValidationError(field: "\(field).month", rule: "month_range", "month must be 0 (unknown) or 1 to 12")
        }
        if day != 0 && month == 0 {
            throw ValidationError(field: "\(field).day", rule: "day_requires_month", "a day needs a month")
        }
        if day != 0 && CalendarDay(year: year, month: month, day: day) == nil {
            throw ValidationError(field: "\(field).day", rule: "day_in_month", "no such day in that month")
        }
        return PartialDate(uncheckedYear: year, month: month == 0 ? nil : month, day: day == 0 ? nil : day)
    }

    /// A date of birth: a valid partial date that is not in the future (its
    /// earliest day is today or before) and not more than 150 years ago
    /// (brief, reading 11; a plausibility bound, documented in docs/records.md).
    static func dateOfBirth(year: Int, month: Int, day: Int, field: String, today: CalendarDay) throws(ValidationError) -> PartialDate {
        let date = try validated(year: year, month: month, day: day, field: field)
        if date.earliestDay > today {
            throw ValidationError(field: field, rule: "not_in_future", "a date of birth cannot be in the future")
        }
        if date.year < today.year - 150 {
            throw ValidationError(field: "\(field).year", rule: "plausible_year", "a date of birth more than 150 years ago")
        }
        return date
    }

    /// Builds a date already known to be valid (stored data, generators).
    init(uncheckedYear year: Int, month: Int?, day: Int?) {
        self.year = year
        self.month = month
        self.day = day
    }

    /// Whether the two dates may stand for the same day: every known part
    /// agrees (a search for 1980 finds 1980-05 and 1980-05-17).
    func isCompatible(with other: PartialDate) -> Bool {
        guard year == other.year else { return false }
        if let m = month, let o = other.month, m != o { return false }
        if let d = day, let o = other.day, d != o { return false }
        return true
    }

    var description: String {
        var text = String(year)
        if let month { text += month < 10 ? "-0\(month)" : "-\(month)" }
        if let day { text += day < 10 ? "-0\(day)" : "-\(day)" }
        return text
    }
}
