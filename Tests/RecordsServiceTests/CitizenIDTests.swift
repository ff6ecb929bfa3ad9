import XCTest
@testable import RecordsService

final class CitizenIDTests: XCTestCase {
    let today = CalendarDay(year: 2026, month: 3, day: 1)!

    func rule(_ raw: String, born: PartialDate? = nil) -> String? {
        do { _ = try CitizenID.validated(raw, field: "citizen_id", dateOfBirth: born, today: today); return nil }
        catch { return error.rule }
    }

    func testAWellFormedNumberIsReadIntoItsParts() throws {
        let id = try CitizenID.validated("001085012345", field: "citizen_id", dateOfBirth: nil, today: today)
        XCTAssertEqual(id.provinceCode, "001")
        XCTAssertEqual(id.centuryCode, 0)
        XCTAssertEqual(id.encodedBirthYear, 1985)
        XCTAssertEqual(id.encodedSex, .male)
        let woman = try CitizenID.validated("079301000001", field: "citizen_id", dateOfBirth: nil, today: today)
        XCTAssertEqual(woman.encodedBirthYear, 2001)
        XCTAssertEqual(woman.encodedSex, .female)
    }

    func testANumberMustBeExactlyTwelveDigits() {
        XCTAssertEqual(rule("00108501234"), "twelve_digits")
        XCTAssertEqual(rule("0010850123456"), "twelve_digits")
        XCTAssertEqual(rule("00108501234A"), "twelve_digits")
        XCTAssertEqual(rule("001 85012345"), "twelve_digits")
        XCTAssertEqual(rule("００１０８５０１２３４５"), "twelve_digits")   // full-width digits
        XCTAssertEqual(rule(""), "twelve_digits")
    }

    func testTheFirstThreeDigitsMustBeAProvinceCodeOfBirthRegistration() {
        XCTAssertEqual(rule("000085012345"), "province_code")
        XCTAssertEqual(rule("003085012345"), "province_code")   // 003 is not assigned
        XCTAssertEqual(rule("097085012345"), "province_code")
        XCTAssertEqual(rule("999085012345"), "province_code")
        XCTAssertNil(rule("096085012345"))
        XCTAssertEqual(ProvinceCode.birthRegistration.count, 63)
    }

    func testTheEncodedYearOfBirthMustMatchAKnownDateOfBirth() {
        let born1985 = PartialDate(uncheckedYear: 1985, month: nil, day: nil)
        XCTAssertNil(rule("001085012345", born: born1985))
        XCTAssertEqual(rule("001086012345", born: born1985), "birth_year_mismatch")
        // Century code 2 means the 2000s: 085 is 2085, not 1985.
        XCTAssertEqual(rule("001285012345", born: born1985), "birth_year_in_future")
        XCTAssertNil(rule("001205012345", born: PartialDate(uncheckedYear: 2005, month: 7, day: nil)))
        XCTAssertEqual(rule("001205012345", born: PartialDate(uncheckedYear: 1905, month: 7, day: nil)), "birth_year_mismatch")
    }

    func testAnEncodedYearOfBirthInTheFutureIsRefused() {
        XCTAssertEqual(rule("001227012345"), "birth_year_in_future")
        XCTAssertEqual(rule("001485012345"), "birth_year_in_future")
        XCTAssertNil(rule("001226012345"))
    }
}
