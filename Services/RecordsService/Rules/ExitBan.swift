/// The term of a temporary exit ban ("tạm hoãn xuất cảnh": Law 49/2019
/// Art 36-37 for citizens; Law 47/2014 Art 28 for foreigners): from its first
/// day to its last (or until lifted), and whether it was lifted. A ban blocks
/// exit on every day it is active (DESIGN.md; CrossingEligibility).
struct ExitBanTerm: Hashable, Sendable {
    /// First day of the ban.
    var startsOn: CalendarDay
    /// Last day, inclusive; nil means until lifted.
    var endsOn: CalendarDay?
    /// The first day on which it no longer applies, once lifted.
    var liftedFrom: CalendarDay?

    /// Whether the ban applies on `day`.
    func isActive(on day: CalendarDay) -> Bool {
        guard day >= startsOn else { return false }
        if let endsOn, day > endsOn { return false }
        if let liftedFrom, day >= liftedFrom { return false }
        return true
    }

    /// The first day after `day` on which `isActive` may answer otherwise
    /// than on `day` (the ban begins, ends or its lifting takes effect); nil
    /// when it never will. A GetPerson answer that sorts bans into active and
    /// other, kept ready, is good until the earliest such day of its bans.
    func nextChange(after day: CalendarDay) -> CalendarDay? {
        let boundaries = [startsOn, endsOn.map { $0.adding(days: 1) }, liftedFrom].compactMap { $0 }
        return boundaries.filter { $0 > day }.min()
    }

    /// The first day after `day` on which any of `terms` may apply otherwise:
    /// how long a sorting of bans into active and other made on `day` holds.
    static func firstChange(of terms: [ExitBanTerm], after day: CalendarDay) -> CalendarDay? {
        terms.compactMap { $0.nextChange(after: day) }.min()
    }

    /// Checks a new ban: a deciding authority and a legal basis are required
    /// (D77 Art 4.2: who decided, on what basis); the last day is not before
    /// the first.
    static func validatedPlacement(decidingAuthority: String, legalBasis: String,
                                   startsOn: CalendarDay, endsOn: CalendarDay?) throws(ValidationErrors) -> ExitBanTerm {
        var report = ValidationReport()
        if decidingAuthority.trimmed.isEmpty {
            report.add(ValidationError(field: "deciding_authority", rule: "required", "the deciding authority is required"))
        }
        if legalBasis.trimmed.isEmpty {
            report.add(ValidationError(field: "legal_basis", rule: "required", "the decision and the law it applies are required"))
        }
        if let endsOn, endsOn < startsOn {
            report.add(ValidationError(field: "ends_on", rule: "not_before_starts_on", "the last day is before the first"))
        }
        try report.throwIfAny()
        return ExitBanTerm(startsOn: startsOn, endsOn: endsOn, liftedFrom: nil)
    }

    /// A ban that cannot be lifted (FAILED_PRECONDITION).
    struct LiftRefusal: Error, Hashable, Sendable {
        var rule: String
        var message: String
    }

    /// Lifts the ban from `effectiveOn`; refused when it is already lifted.
    func lifted(from effectiveOn: CalendarDay) throws(LiftRefusal) -> ExitBanTerm {
        guard liftedFrom == nil else {
            throw LiftRefusal(rule: "already_lifted", message: "the exit ban is already lifted")
        }
        var copy = self
        copy.liftedFrom = effectiveOn
        return copy
    }
}

/// Q679 Art 7.1 (brief, reading 7): recording an exit ban withdraws the
/// holder's usable entry and exit permits at once, with the ban as the reason
/// and the Department as the deciding authority. Lifting the ban restores none.
enum PermitWithdrawal {
    /// A document of the banned person, as far as the rule needs it.
    struct Holding: Hashable, Sendable {
        var documentID: String
        var kind: DocumentKind
        var status: DocumentStatus
    }

    /// The documents to withdraw when a ban is placed.
    static func documentsToWithdraw(_ holdings: [Holding]) -> [String] {
        holdings.filter { $0.kind == .entryExitPermit && $0.status.isUsable }.map(\.documentID)
    }

    /// The reason written on each withdrawal.
    static func reason(exitBanID: String) -> String {
        "withdrawn on exit ban \(exitBanID) (Q679 Art 7.1)"
    }
}
