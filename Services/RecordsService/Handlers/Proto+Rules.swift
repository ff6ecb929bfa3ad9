import Contracts
import Foundation
import Postgres

// Conversions between the generated proto enums and the rules' enums, and
// between proto dates and times and the rules' and database's. One place, so
// that every handler and store reads them alike.

extension Immigration_Common_V1_Sex {
    var rule: Sex? {
        switch self {
        case .female: .female
        case .male: .male
        case .x: .x
        default: nil
        }
    }
    init(rule: Sex) {
        switch rule {
        case .female: self = .female
        case .male: self = .male
        case .x: self = .x
        }
    }
}

extension Immigration_Common_V1_DocumentKind {
    var rule: DocumentKind? {
        switch self {
        case .ordinaryPassport: .ordinaryPassport
        case .officialPassport: .officialPassport
        case .diplomaticPassport: .diplomaticPassport
        case .laissezPasser: .laissezPasser
        case .entryExitPermit: .entryExitPermit
        case .temporaryResidenceCard: .temporaryResidenceCard
        case .permanentResidenceCard: .permanentResidenceCard
        case .visa: .visa
        default: nil
        }
    }
    init(rule: DocumentKind) {
        switch rule {
        case .ordinaryPassport: self = .ordinaryPassport
        case .officialPassport: self = .officialPassport
        case .diplomaticPassport: self = .diplomaticPassport
        case .laissezPasser: self = .laissezPasser
        case .entryExitPermit: self = .entryExitPermit
        case .temporaryResidenceCard: self = .temporaryResidenceCard
        case .permanentResidenceCard: self = .permanentResidenceCard
        case .visa: self = .visa
        }
    }
}

extension Immigration_Common_V1_DocumentStatus {
    var rule: DocumentStatus? {
        switch self {
        case .issued: .issued
        case .revoked: .revoked
        case .cancelled: .cancelled
        case .restored: .restored
        case .reportedLost: .reportedLost
        case .expired: .expired
        case .withdrawn: .withdrawn
        default: nil
        }
    }
    init(rule: DocumentStatus) {
        switch rule {
        case .issued: self = .issued
        case .revoked: self = .revoked
        case .cancelled: self = .cancelled
        case .restored: self = .restored
        case .reportedLost: self = .reportedLost
        case .expired: self = .expired
        case .withdrawn: self = .withdrawn
        }
    }
}

extension Immigration_Common_V1_Direction {
    var rule: CrossingEligibility.Direction? {
        switch self {
        case .entry: .entry
        case .exit: .exit
        default: nil
        }
    }
    init(rule: CrossingEligibility.Direction) {
        self = rule == .entry ? .entry : .exit
    }
}

extension Immigration_Common_V1_CheckpointKind {
    var rule: CheckpointKind? {
        switch self {
        case .air: .air
        case .land: .land
        case .sea: .sea
        default: nil
        }
    }
    init(rule: CheckpointKind) {
        switch rule {
        case .air: self = .air
        case .land: self = .land
        case .sea: self = .sea
        }
    }
}

extension Immigration_Common_V1_Ministry {
    var rule: Ministry? {
        switch self {
        case .publicSecurity: .publicSecurity
        case .nationalDefence: .nationalDefence
        case .foreignAffairs: .foreignAffairs
        default: nil
        }
    }
    init(rule: Ministry) {
        switch rule {
        case .publicSecurity: self = .publicSecurity
        case .nationalDefence: self = .nationalDefence
        case .foreignAffairs: self = .foreignAffairs
        }
    }
}

extension Immigration_Common_V1_InformationSource {
    var rule: InformationSource? {
        switch self {
        case .procedure: .procedure
        case .convertedDatabase: .convertedDatabase
        case .nationalPopulationDatabase: .nationalPopulationDatabase
        case .otherNationalDatabase: .otherNationalDatabase
        case .provided: .provided
        default: nil
        }
    }
    init(rule: InformationSource) {
        switch rule {
        case .procedure: self = .procedure
        case .convertedDatabase: self = .convertedDatabase
        case .nationalPopulationDatabase: self = .nationalPopulationDatabase
        case .otherNationalDatabase: self = .otherNationalDatabase
        case .provided: self = .provided
        }
    }
}

extension Immigration_Records_V1_CrossingLane {
    var rule: CrossingRules.Lane? {
        switch self {
        case .manual: .manual
        case .abcGate: .abcGate
        default: nil
        }
    }
    init(rule: CrossingRules.Lane) {
        self = rule == .manual ? .manual : .abcGate
    }
}

extension CalendarDay {
    /// The proto form.
    var proto: Immigration_Common_V1_CalendarDate {
        .with { $0.year = Int32(year); $0.month = Int32(month); $0.day = Int32(day) }
    }
    /// The database form.
    var postgres: PostgresDate { PostgresDate(year: year, month: month, day: day)! }
    init(_ date: PostgresDate) {
        let c = date.components
        self = CalendarDay(year: c.year, month: c.month, day: c.day)!
    }
}

extension Immigration_Common_V1_CalendarDate {
    var parts: DateParts { DateParts(year: Int(year), month: Int(month), day: Int(day)) }
    /// Checks the date, naming `field` in the error.
    func validated(field: String) throws(ValidationError) -> CalendarDay {
        try CalendarDay.validated(year: Int(year), month: Int(month), day: Int(day), field: field)
    }
}

extension ProtoTimestamp {
    var date: Date { Date(timeIntervalSince1970: Double(seconds) + Double(nanos) / 1e9) }
    init(_ date: Date) {
        let micros = (date.timeIntervalSince1970 * 1_000_000).rounded()
        let seconds = (micros / 1_000_000).rounded(.down)
        self.init(seconds: Int64(seconds), nanos: Int32((micros - seconds * 1_000_000) * 1000))
    }
}

extension PartialDate {
    var proto: Immigration_Common_V1_PartialDate {
        .with { $0.year = Int32(year); $0.month = Int32(month ?? 0); $0.day = Int32(day ?? 0) }
    }
}
