import XCTest
@testable import RecordsService

final class PersonRulesTests: XCTestCase {
    let today = CalendarDay(year: 2026, month: 3, day: 15)!

    func citizen() -> PersonDetailsInput {
        var input = PersonDetailsInput()
        input.citizenID = "001085012345"
        input.name = PersonName(family: "Nguyễn", middle: "Văn", given: "An")
        input.birthYear = 1985
        input.birthMonth = 4
        input.sex = .male
        input.nationalities = ["VNM"]
        return input
    }

    func testACitizenWithAPartialDateOfBirthIsAccepted() throws {
        let details = try PersonRules.validated(citizen(), field: "details", today: today)
        XCTAssertEqual(details.foldedName, "NGUYEN VAN AN")
        XCTAssertEqual(details.dateOfBirth.precision, .month)
        XCTAssertEqual(details.citizenID?.digits, "001085012345")
    }

    func testAForeignerWithoutCitizenIDAndWithSexXIsAccepted() throws {
        var input = citizen()
        input.citizenID = ""
        input.name = PersonName(family: "KIM", middle: "", given: "MIN JUN")
        input.sex = .x
        input.nationalities = ["KOR", "USA"]
        XCTAssertNil(try PersonRules.validated(input, field: "details", today: today).citizenID)
    }

    func testEveryBrokenRuleIsReportedWithItsField() {
        var input = PersonDetailsInput()
        input.citizenID = "001086012345"
        input.birthYear = 1985
        input.birthDay = 3
        XCTAssertThrowsError(try PersonRules.validated(input, field: "details", today: today)) {
            let found = ($0 as? ValidationErrors)?.errors.map { "\($0.field) \($0.rule)" }
            XCTAssertEqual(found, ["details.name required", "details.date_of_birth.day day_requires_month",
                                   "details.sex required", "details.nationalities required"])
        }
    }

    func testTheCitizenIDMustAgreeWithTheYearOfBirth() {
        var input = citizen()
        input.birthYear = 1986
        XCTAssertThrowsError(try PersonRules.validated(input, field: "details", today: today)) {
            XCTAssertEqual(($0 as? ValidationErrors)?.errors.map(\.rule), ["birth_year_mismatch"])
        }
    }
}

final class ResidenceRulesTests: XCTestCase {
    func testTheStartOfAResidenceIsAPartialDateNotInTheFuture() throws {
        let today = CalendarDay(year: 2026, month: 3, day: 15)!
        var input = PersonDetailsInput()
        input.name = PersonName(family: "KIM", middle: "", given: "MIN JUN")
        input.birthYear = 1990
        input.sex = .male
        input.nationalities = ["KOR"]
        input.residenceAddress = "12 Tràng Tiền, Hoàn Kiếm"
        input.residenceSinceYear = 2024
        input.residenceSinceMonth = 9
        XCTAssertEqual(try PersonRules.validated(input, field: "details", today: today).residenceSince?.description, "2024-09")
        input.residenceSinceYear = 2026
        input.residenceSinceMonth = 4
        XCTAssertThrowsError(try PersonRules.validated(input, field: "details", today: today)) {
            XCTAssertEqual(($0 as? ValidationErrors)?.errors.map { "\($0.field) \($0.rule)" }, ["details.residence.since not_in_future"])
        }
        input.residenceSinceYear = 0
        input.residenceSinceMonth = 4
        XCTAssertThrowsError(try PersonRules.validated(input, field: "details", today: today)) {
            XCTAssertEqual(($0 as? ValidationErrors)?.errors.map(\.rule), ["year_range"])
        }
    }
}
