/// The kinds of document the database holds (D77 Art 4.1b, 6.2, 10.1; Q679);
/// mirrors common.v1.DocumentKind.
enum DocumentKind: String, Hashable, Sendable, CaseIterable {
    case ordinaryPassport = "ordinary_passport"
    case officialPassport = "official_passport"
    case diplomaticPassport = "diplomatic_passport"
    case laissezPasser = "laissez_passer"
    case entryExitPermit = "entry_exit_permit"
    case temporaryResidenceCard = "temporary_residence_card"
    case permanentResidenceCard = "permanent_residence_card"
    case visa

    /// Passports of the three kinds (Law 49/2019 Art 6).
    var isPassport: Bool {
        self == .ordinaryPassport || self == .officialPassport || self == .diplomaticPassport
    }

    /// Documents one crosses a border with. Visas and residence cards go with
    /// a passport or permit; they are not travel documents themselves
    /// (Q679 Art 3.3: a permit holder crosses with the permit and the card).
    var isTravelDocument: Bool { isPassport || self == .laissezPasser || self == .entryExitPermit }
}
