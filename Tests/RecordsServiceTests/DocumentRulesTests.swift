import XCTest
@testable import RecordsService

final class DocumentRulesTests: XCTestCase {
    let today = CalendarDay(year: 2026, month: 3, day: 15)!

    func passport() -> DocumentDetailsInput {
        var input = DocumentDetailsInput()
        input.kind = .ordinaryPassport
        input.number = "c1234567"
        input.issuingState = "VNM"
        input.hasChip = true
        input.issuingAuthority = "Cục Quản lý xuất nhập cảnh"
        input.issuedOn = DateParts(year: 2024, month: 5, day: 2)
        input.validUntil = DateParts(year: 2034, month: 5, day: 2)
        return input
    }

    func rules(_ input: DocumentDetailsInput) -> [String] {
        do { _ = try DocumentRules.validated(input, field: "details", today: today); return [] }
        catch { return error.errors.map { "\($0.field) \($0.rule)" } }
    }

    func testAPassportIsNormalisedAndValidFromItsDateOfIssue() throws {
        let details = try DocumentRules.validated(passport(), field: "details", today: today)
        XCTAssertEqual(details.number, "C1234567")
        XCTAssertEqual(details.validFrom, CalendarDay(year: 2024, month: 5, day: 2))
    }

    func testVietnameseDocumentsMustBeIssuedByVietnam() {
        var visa = passport()
        visa.kind = .visa
        visa.hasChip = false
        visa.issuingState = "USA"
        XCTAssertEqual(rules(visa), ["details.reference.issuing_state issued_by_vietnam"])
        var foreign = passport()
        foreign.issuingState = "KOR"
        XCTAssertEqual(rules(foreign), [])
    }

    func testOnlyPassportsCarryAChip() {
        var card = passport()
        card.kind = .temporaryResidenceCard
        XCTAssertEqual(rules(card), ["details.has_chip passports_only"])
    }

    func testDatesMustBeRealOrderedAndNotIssuedInTheFuture() {
        var input = passport()
        input.issuedOn = DateParts(year: 2026, month: 3, day: 16)
        input.validFrom = DateParts(year: 2026, month: 2, day: 30)
        input.validUntil = DateParts(year: 2026, month: 3, day: 1)
        XCTAssertEqual(rules(input), ["details.issued_on not_in_future", "details.valid_from.day day_in_month",
                                      "details.valid_until not_before_issued_on"])
        input = passport()
        input.validFrom = DateParts(year: 2030, month: 1, day: 1)
        input.validUntil = DateParts(year: 2029, month: 12, day: 31)
        XCTAssertEqual(rules(input), ["details.valid_until not_before_valid_from"])
    }

    func testEveryMissingFieldIsNamed() {
        XCTAssertEqual(rules(DocumentDetailsInput()), [
            "details.reference.kind required", "details.reference.number document_number",
            "details.reference.issuing_state iso3166_alpha3", "details.issuing_authority required",
            "details.issued_on required", "details.valid_until required",
        ])
    }
}

final class QueryRulesTests: XCTestCase {
    let march = CalendarDay(year: 2026, month: 3, day: 1)!

    func testANamePrefixFoldsToAtLeastTwoLetters() throws {
        XCTAssertEqual(try QueryRules.namePrefix("  nguyễn v", field: "name.name_prefix"), "NGUYEN V")
        XCTAssertThrowsError(try QueryRules.namePrefix("Đ", field: "name.name_prefix")) {
            XCTAssertEqual(($0 as? ValidationError)?.rule, "min_length")
        }
        XCTAssertThrowsError(try QueryRules.namePrefix(" - ", field: "name.name_prefix"))
    }

    func testStatisticsRangesAreBounded() throws {
        XCTAssertNoThrow(try QueryRules.statisticsRange(firstDay: march, lastDay: march.adding(days: 365), period: .day))
        XCTAssertThrowsError(try QueryRules.statisticsRange(firstDay: march, lastDay: march.adding(days: 366), period: .day)) {
            XCTAssertEqual(($0 as? ValidationErrors)?.errors.map(\.rule), ["max_daily_range"])
        }
        XCTAssertNoThrow(try QueryRules.statisticsRange(firstDay: march, lastDay: march.adding(days: 3650), period: .month))
        XCTAssertThrowsError(try QueryRules.statisticsRange(firstDay: march, lastDay: march.adding(days: -1), period: .year)) {
            XCTAssertEqual(($0 as? ValidationErrors)?.errors.map(\.rule), ["not_before_first_day"])
        }
        XCTAssertThrowsError(try QueryRules.statisticsRange(firstDay: nil, lastDay: nil, period: nil)) {
            XCTAssertEqual(($0 as? ValidationErrors)?.errors.map(\.field), ["first_day", "last_day", "period"])
        }
    }
}
