/// A Vietnamese citizen's 12-digit personal identification number ("số định
/// danh cá nhân", printed on the citizen ID card), which keys citizens in the
/// database (DESIGN.md; D77 Art 4.1a via Law 49/2019 Art 41-42).
///
/// Structure (Decree 137/2015/ND-CP Art 13; the codes in Circular
/// 59/2021/TT-BCA Art 7, formerly Circular 07/2016/TT-BCA Art 7; kept by
/// Decree 70/2024/ND-CP): digits 1-3 the province (or country) code of birth
/// registration; digit 4 the century and sex code; digits 5-6 the last two
/// digits of the year of birth; digits 7-12 a random number.
///
/// What is checked, and what is not, is in docs/records.md. The sex code is
/// read but not compared with the recorded sex: sex is recorded as the travel
/// document shows it (brief, reading 11), and the number never changes.
struct CitizenID: Hashable, Sendable, CustomStringConvertible {
    /// The twelve digits.
    let digits: String

    /// The sex encoded in the century code: even is male, odd is female.
    enum EncodedSex: Sendable { case male, female }

    /// Digits 1-3: the province code of birth registration.
    var provinceCode: String { String(digits.prefix(3)) }
    /// Digit 4: the century and sex code, 0 to 9.
    var centuryCode: Int { Int(String(digits[digits.index(digits.startIndex, offsetBy: 3)]))! }
    /// The first year of the encoded century: 0,1 -> 1900; 2,3 -> 2000; ... 8,9 -> 2300.
    var century: Int { 1900 + (centuryCode / 2) * 100 }
    /// The encoded sex.
    var encodedSex: EncodedSex { centuryCode % 2 == 0 ? .male : .female }
    /// The encoded year of birth: century plus digits 5-6.
    var encodedBirthYear: Int {
        let start = digits.index(digits.startIndex, offsetBy: 4)
        return century + Int(String(digits[start..<digits.index(start, offsetBy: 2)]))!
    }

    var description: String { digits }

    /// Parses and checks a citizen ID number against its structure and, where
    /// the date of birth is known, against it.
    static func validated(_ raw: String, field: String, dateOfBirth: PartialDate?, today: CalendarDay) throws(ValidationError) -> CitizenID {
        // Decree 137/2015/ND-CP Art 13: a sequence of 12 digits.
        guard raw.utf8.count == 12, raw.utf8.allSatisfy({ (0x30...0x39).contains($0) }) else {
            throw ValidationError(field: field, rule: "twelve_digits", "a citizen ID number is exactly 12 digits")
        }
        let id = CitizenID(digits: raw)
        // Circular 59/2021/TT-BCA Art 7 and its annex: the province codes.
        guard ProvinceCode.birthRegistration.contains(id.provinceCode) else {
            throw ValidationError(field: field, rule: "province_code", "digits 1-3 are not a province code of birth registration")
        }
        // Circular 59/2021/TT-BCA Art 7: century-and-sex code and year of birth.
        if id.encodedBirthYear > today.year {
            throw ValidationError(field: field, rule: "birth_year_in_future", "digits 4-6 encode a year of birth in the future")
        }
        if let dateOfBirth, dateOfBirth.year != id.encodedBirthYear {
            throw ValidationError(field: field, rule: "birth_year_mismatch", "digits 4-6 do not match the year of birth")
        }
        return id
    }

    /// Builds a number known to be valid (stored data).
    init(digits: String) { self.digits = digits }
}
