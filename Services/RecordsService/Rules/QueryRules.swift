/// The rules of the read requests' inputs: name search, periods, statistics.
enum QueryRules {
    /// The recent crossings GetPerson shows when the request asks for none
    /// (its `recent_crossings_limit` 0), and the most it may ask for.
    static let defaultRecentCrossings = 10
    static let maximumRecentCrossings = 100

    /// A name prefix must fold to at least two characters: one letter would
    /// match a tenth of the country.
    static func namePrefix(_ raw: String, field: String) throws(ValidationError) -> String {
        let folded = NameFolding.fold(raw)
        guard folded.count >= 2 else {
            throw ValidationError(field: field, rule: "min_length", "at least 2 letters after folding")
        }
        guard folded.count <= 300 else {
            throw ValidationError(field: field, rule: "max_length", "at most 300 characters")
        }
        return folded
    }

    /// The length of a statistics period.
    enum Period: Sendable { case day, month, year }

    /// A statistics range: both days required, the last not before the first, at
    /// most 366 days of daily cells and 20 years otherwise, so that one
    /// request cannot ask for millions of cells.
    static func statisticsRange(firstDay from: CalendarDay?, lastDay to: CalendarDay?, period: Period?) throws(ValidationErrors) -> (CalendarDay, CalendarDay, Period) {
        var report = ValidationReport()
        if from == nil { report.add(ValidationError(field: "first_day", rule: "required", "the first day is required")) }
        if to == nil { report.add(ValidationError(field: "last_day", rule: "required", "the last day is required")) }
        if period == nil { report.add(ValidationError(field: "period", rule: "required", "DAY, MONTH or YEAR")) }
        if let from, let to {
            if to < from {
                report.add(ValidationError(field: "last_day", rule: "not_before_first_day", "the last day is before the first"))
            } else {
                let days = to.daysSinceEpoch - from.daysSinceEpoch + 1
                if period == .day && days > 366 {
                    report.add(ValidationError(field: "last_day", rule: "max_daily_range", "at most 366 days of daily cells"))
                } else if days > 20 * 366 {
                    report.add(ValidationError(field: "last_day", rule: "max_range", "at most 20 years"))
                }
            }
        }
        try report.throwIfAny()
        return (from!, to!, period!)
    }
}
