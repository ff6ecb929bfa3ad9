/// Sex as the travel document shows it (brief, reading 11; ICAO 9303: F, M, X).
enum Sex: String, Hashable, Sendable, CaseIterable { case female = "F", male = "M", x = "X" }

/// A name as in the travel document (D77 Art 4.1b), diacritics kept.
struct PersonName: Hashable, Sendable {
    var family: String
    var middle: String
    var given: String

    /// The search form (NameFolding), family name first.
    var folded: String { NameFolding.fold(family: family, middle: middle, given: given) }
}

/// A person's details as callers send them, before any check; handlers fill
/// it from the request message (0 and "" meaning absent, as in proto3).
struct PersonDetailsInput: Hashable, Sendable {
    var citizenID: String = ""
    var name = PersonName(family: "", middle: "", given: "")
    var birthYear = 0
    var birthMonth = 0
    var birthDay = 0
    var sex: Sex?
    var nationalities: [String] = []
    var residenceAddress = ""
    var residenceProvince = ""
    /// Since when the person lives there: year, month, day, 0 meaning
    /// unknown; year 0 means not given at all.
    var residenceSinceYear = 0
    var residenceSinceMonth = 0
    var residenceSinceDay = 0
    var biometricSubjectID = ""
    var remarks = ""
}

/// A person's details after every rule passed.
struct PersonDetails: Hashable, Sendable {
    var citizenID: CitizenID?
    var name: PersonName
    var dateOfBirth: PartialDate
    var sex: Sex
    var nationalities: [String]
    var residenceAddress: String
    var residenceProvince: String
    var residenceSince: PartialDate?
    var biometricSubjectID: String
    var remarks: String
    /// The folded name the search index holds, folded once by the rules
    /// (the intake writes it to the row, the revision and the check).
    let foldedName: String
}

/// The rules of a person's details (D77 Art 4.1b), checked on creation,
/// correction and intake; every broken rule is reported.
enum PersonRules {
    /// The longest name part accepted, in characters.
    static let maximumNamePart = 100

    static func validated(_ input: PersonDetailsInput, field: String, today: CalendarDay) throws(ValidationErrors) -> PersonDetails {
        var report = ValidationReport()
        // D77 Art 4.1b: family, middle and given name as in the document.
        // Some people have one name only; at least one part is required, and
        // it must fold to something searchable.
        let name = input.name
        for (part, value) in [("family_name", name.family), ("middle_name", name.middle), ("given_name", name.given)]
        where value.count > maximumNamePart {
            report.add(ValidationError(field: "\(field).name.\(part)", rule: "max_length", "at most \(maximumNamePart) characters"))
        }
        let foldedName = name.folded
        if foldedName.isEmpty {
            report.add(ValidationError(field: "\(field).name", rule: "required", "a family or given name is required"))
        }
        // Brief, reading 11: partial dates of birth; never in the future.
        let dateOfBirth = report.check { () throws(ValidationError) in
            try PartialDate.dateOfBirth(year: input.birthYear, month: input.birthMonth, day: input.birthDay,
                                        field: "\(field).date_of_birth", today: today)
        }
        // Brief, reading 11: F, M or X as the document shows.
        if input.sex == nil {
            report.add(ValidationError(field: "\(field).sex", rule: "required", "F, M or X as the travel document shows"))
        }
        // D77 Art 4.1b: nationality; several allowed.
        _ = report.check { () throws(ValidationError) in
            try NationalityCode.validatedList(input.nationalities, field: "\(field).nationalities")
        }
        // Citizens are keyed by their citizen ID number (DESIGN.md).
        var citizenID: CitizenID?
        if !input.citizenID.isEmpty {
            citizenID = report.check { () throws(ValidationError) in
                try CitizenID.validated(input.citizenID, field: "\(field).citizen_id", dateOfBirth: dateOfBirth, today: today)
            }
        }
        // D77 Art 4.1b: residence in Vietnam; its start, when given, is a
        // partial date not in the future.
        var residenceSince: PartialDate?
        if input.residenceSinceYear != 0 || input.residenceSinceMonth != 0 || input.residenceSinceDay != 0 {
            residenceSince = report.check { () throws(ValidationError) in
                let since = try PartialDate.validated(year: input.residenceSinceYear, month: input.residenceSinceMonth,
                                                      day: input.residenceSinceDay, field: "\(field).residence.since")
                guard since.earliestDay <= today else {
                    throw ValidationError(field: "\(field).residence.since", rule: "not_in_future", "the residence starts in the future")
                }
                return since
            }
        }
        for (part, value, limit) in [("residence.address", input.residenceAddress, 300),
                                     ("residence.province", input.residenceProvince, 100),
                                     ("biometric_subject_id", input.biometricSubjectID, 128),
                                     ("remarks", input.remarks, 2000)] where value.count > limit {
            report.add(ValidationError(field: "\(field).\(part)", rule: "max_length", "at most \(limit) characters"))
        }
        try report.throwIfAny()
        return PersonDetails(citizenID: citizenID, name: name, dateOfBirth: dateOfBirth!, sex: input.sex!,
                             nationalities: input.nationalities, residenceAddress: input.residenceAddress,
                             residenceProvince: input.residenceProvince, residenceSince: residenceSince,
                             biometricSubjectID: input.biometricSubjectID,
                             remarks: input.remarks, foldedName: foldedName)
    }
}
