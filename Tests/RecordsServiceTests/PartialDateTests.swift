import XCTest
@testable import RecordsService

final class PartialDateTests: XCTestCase {
    let today = CalendarDay(year: 2026, month: 3, day: 15)!

    func rule(_ y: Int, _ m: Int, _ d: Int, birth: Bool = false) -> String? {
        do {
            if birth { _ = try PartialDate.dateOfBirth(year: y, month: m, day: d, field: "dob", today: today) }
            else { _ = try PartialDate.validated(year: y, month: m, day: d, field: "dob") }
            return nil
        } catch { return error.rule }
    }

    func testYearOnlyYearAndMonthAndFullDatesAreAccepted() throws {
        XCTAssertEqual(try PartialDate.validated(year: 1980, month: 0, day: 0, field: "f").precision, .year)
        XCTAssertEqual(try PartialDate.validated(year: 1980, month: 5, day: 0, field: "f").precision, .month)
        XCTAssertEqual(try PartialDate.validated(year: 1980, month: 5, day: 17, field: "f").precision, .day)
    }

    func testADayRequiresAMonth() {
        XCTAssertEqual(rule(1980, 0, 17), "day_requires_month")
    }

    func testOnlyRealCalendarDaysAreAccepted() {
        XCTAssertEqual(rule(2023, 2, 29), "day_in_month")
        XCTAssertNil(rule(2024, 2, 29))
        XCTAssertEqual(rule(1900, 2, 29), "day_in_month")
        XCTAssertNil(rule(2000, 2, 29))
        XCTAssertEqual(rule(1980, 4, 31), "day_in_month")
        XCTAssertEqual(rule(1980, 13, 0), "month_range")
        XCTAssertEqual(rule(1980, -1, 0), "month_range")
        XCTAssertEqual(rule(0, 0, 0), "year_range")
        XCTAssertEqual(rule(1980, 1, 32), "day_in_month")
    }

    func testADateOfBirthIsNotInTheFuture() {
        XCTAssertNil(rule(2026, 3, 15, birth: true))
        XCTAssertEqual(rule(2026, 3, 16, birth: true), "not_in_future")
        XCTAssertNil(rule(2026, 3, 0, birth: true))
        XCTAssertEqual(rule(2026, 4, 0, birth: true), "not_in_future")
        XCTAssertNil(rule(2026, 0, 0, birth: true))
        XCTAssertEqual(rule(2027, 0, 0, birth: true), "not_in_future")
    }

    func testADateOfBirthMoreThan150YearsAgoIsRefused() {
        XCTAssertEqual(rule(1875, 0, 0, birth: true), "plausible_year")
        XCTAssertNil(rule(1876, 0, 0, birth: true))
    }

    func testPartialDatesAreCompatibleWhenEveryKnownPartAgrees() {
        let year = PartialDate(uncheckedYear: 1980, month: nil, day: nil)
        let month = PartialDate(uncheckedYear: 1980, month: 5, day: nil)
        let day = PartialDate(uncheckedYear: 1980, month: 5, day: 17)
        XCTAssertTrue(year.isCompatible(with: day))
        XCTAssertTrue(day.isCompatible(with: month))
        XCTAssertFalse(day.isCompatible(with: PartialDate(uncheckedYear: 1980, month: 5, day: 18)))
        XCTAssertFalse(month.isCompatible(with: PartialDate(uncheckedYear: 1980, month: 6, day: nil)))
        XCTAssertFalse(year.isCompatible(with: PartialDate(uncheckedYear: 1981, month: nil, day: nil)))
    }

    func testAPartialDateSpansItsFirstToItsLastPossibleDay() {
        let feb = PartialDate(uncheckedYear: 2024, month: 2, day: nil)
        XCTAssertEqual(feb.earliestDay, CalendarDay(year: 2024, month: 2, day: 1))
        XCTAssertEqual(feb.latestDay, CalendarDay(year: 2024, month: 2, day: 29))
        XCTAssertEqual(PartialDate(uncheckedYear: 1999, month: nil, day: nil).latestDay, CalendarDay(year: 1999, month: 12, day: 31))
        XCTAssertEqual(feb.description, "2024-02")
    }

    func testCalendarDaysCountFromTheEpochBothWays() {
        for days in [-800_000, -1, 0, 1, 10_957, 20_000, 2_000_000] {
            XCTAssertEqual(CalendarDay(daysSinceEpoch: days).daysSinceEpoch, days)
        }
        XCTAssertEqual(CalendarDay(daysSinceEpoch: 0), CalendarDay(year: 1970, month: 1, day: 1))
        XCTAssertEqual(CalendarDay(year: 2026, month: 12, day: 31)!.adding(days: 1), CalendarDay(year: 2027, month: 1, day: 1))
    }

    func testAnInstantFallsOnItsDayInVietnamTime() {
        // 2026-03-14T17:00:00Z is 2026-03-15 00:00 in Hanoi.
        XCTAssertEqual(CalendarDay(vietnamDateOf: Date(timeIntervalSince1970: 1_773_507_600)), CalendarDay(year: 2026, month: 3, day: 15))
        XCTAssertEqual(CalendarDay(vietnamDateOf: Date(timeIntervalSince1970: 1_773_507_599)), CalendarDay(year: 2026, month: 3, day: 14))
    }
}
