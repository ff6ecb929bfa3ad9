/// A date as three numbers from a request (common.v1.CalendarDate), not yet checked.
struct DateParts: Hashable, Sendable {
    var year: Int
    var month: Int
    var day: Int
}

/// A document's details as callers send them (IssueDocument, intake), before
/// any check; "" and nil mean absent.
struct DocumentDetailsInput: Hashable, Sendable {
    var kind: DocumentKind?
    var number = ""
    var issuingState = ""
    var symbol = ""
    var hasChip = false
    var issuingAuthority = ""
    var issuedOn: DateParts?
    var validFrom: DateParts?
    var validUntil: DateParts?
}

/// A document's details after every rule passed.
struct DocumentDetails: Hashable, Sendable {
    var kind: DocumentKind
    var number: String
    var issuingState: String
    var symbol: String
    var hasChip: Bool
    var issuingAuthority: String
    var issuedOn: CalendarDay
    var validFrom: CalendarDay
    var validUntil: CalendarDay
}

/// The rules of a document registered as issued (D77 Art 4.1b: number, sign,
/// date of issue, type and issuing authority; Art 6.2: issuance).
enum DocumentRules {
    /// Kinds only Vietnam issues: laissez-passers (Law 49/2019 Art 2.5),
    /// Q679 permits, residence cards and visas for Vietnam.
    static let vietnameseOnly: Set<DocumentKind> = [
        .laissezPasser, .entryExitPermit, .temporaryResidenceCard, .permanentResidenceCard, .visa,
    ]

    static func validated(_ input: DocumentDetailsInput, field: String, today: CalendarDay) throws(ValidationErrors) -> DocumentDetails {
        var report = ValidationReport()
        if input.kind == nil {
            report.add(ValidationError(field: "\(field).reference.kind", rule: "required", "the kind of document is required"))
        }
        let number = report.check { () throws(ValidationError) in
            try DocumentNumber.validated(input.number, field: "\(field).reference.number")
        }
        let state = report.check { () throws(ValidationError) in
            try NationalityCode.validated(input.issuingState, field: "\(field).reference.issuing_state")
        }
        if let kind = input.kind, let state, vietnameseOnly.contains(kind), state != NationalityCode.vietnam {
            report.add(ValidationError(field: "\(field).reference.issuing_state", rule: "issued_by_vietnam",
                                       "this kind of document is issued by Vietnam only"))
        }
        // A chip is a passport's (Law 49/2019 Art 2.4: "passport containing an electronic chip").
        if input.hasChip, let kind = input.kind, !kind.isPassport {
            report.add(ValidationError(field: "\(field).has_chip", rule: "passports_only", "only passports carry a chip"))
        }
        if input.symbol.count > 16 {
            report.add(ValidationError(field: "\(field).symbol", rule: "max_length", "at most 16 characters"))
        }
        if input.issuingAuthority.trimmed.isEmpty || input.issuingAuthority.count > 200 {
            report.add(ValidationError(field: "\(field).issuing_authority", rule: "required", "the issuing authority, up to 200 characters"))
        }
        let issued = report.check { () throws(ValidationError) -> CalendarDay? in
            guard let d = input.issuedOn else {
                throw ValidationError(field: "\(field).issued_on", rule: "required", "the date of issue is required")
            }
            return try CalendarDay.validated(year: d.year, month: d.month, day: d.day, field: "\(field).issued_on")
        } ?? nil
        if let issued, issued > today {
            report.add(ValidationError(field: "\(field).issued_on", rule: "not_in_future", "the date of issue is in the future"))
        }
        let from = report.check { () throws(ValidationError) -> CalendarDay? in
            guard let d = input.validFrom else { return issued }
            return try CalendarDay.validated(year: d.year, month: d.month, day: d.day, field: "\(field).valid_from")
        } ?? nil
        let until = report.check { () throws(ValidationError) -> CalendarDay? in
            guard let d = input.validUntil else {
                throw ValidationError(field: "\(field).valid_until", rule: "required", "the last day of validity is required")
            }
            return try CalendarDay.validated(year: d.year, month: d.month, day: d.day, field: "\(field).valid_until")
        } ?? nil
        if let from, let until, until < from {
            report.add(ValidationError(field: "\(field).valid_until", rule: "not_before_valid_from", "the last day is before the first"))
        }
        if let issued, let until, until < issued {
            report.add(ValidationError(field: "\(field).valid_until", rule: "not_before_issued_on", "the last day is before the date of issue"))
        }
        try report.throwIfAny()
        return DocumentDetails(kind: input.kind!, number: number!, issuingState: state!, symbol: input.symbol,
                               hasChip: input.hasChip, issuingAuthority: input.issuingAuthority,
                               issuedOn: issued!, validFrom: from!, validUntil: until!)
    }
}
