/// Sex as a travel document shows it (ICAO 9303: F, M, X).
public enum SyntheticSex: String, Sendable, Hashable, CaseIterable { case female = "F", male = "M", x = "X" }

/// The document kinds of the immigration database (common.v1.DocumentKind).
public enum SyntheticDocumentKind: String, Sendable, Hashable, CaseIterable {
    case ordinaryPassport = "ordinary_passport"
    case officialPassport = "official_passport"
    case diplomaticPassport = "diplomatic_passport"
    case laissezPasser = "laissez_passer"
    case entryExitPermit = "entry_exit_permit"
    case temporaryResidenceCard = "temporary_residence_card"
    case permanentResidenceCard = "permanent_residence_card"
    case visa
}

/// Document statuses the generator produces (common.v1.DocumentStatus).
public enum SyntheticDocumentStatus: String, Sendable, Hashable {
    case issued, expired, cancelled, reportedLost = "reported_lost", revoked
}

/// Checkpoint kinds (common.v1.CheckpointKind).
public enum SyntheticCheckpointKind: String, Sendable, Hashable { case air, land, sea }

/// Ministries that control checkpoints (common.v1.Ministry).
public enum SyntheticMinistry: String, Sendable, Hashable {
    case publicSecurity = "public_security", nationalDefence = "national_defence"
}

/// A day on the civil calendar.
public struct SyntheticDate: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var year: Int
    public var month: Int
    public var day: Int

    public init(year: Int, month: Int, day: Int) {
        self.year = year
        self.month = month
        self.day = day
    }

    public static func < (a: SyntheticDate, b: SyntheticDate) -> Bool { (a.year, a.month, a.day) < (b.year, b.month, b.day) }

    public var description: String {
        let m = month < 10 ? "0\(month)" : "\(month)"
        let d = day < 10 ? "0\(day)" : "\(day)"
        return "\(year)-\(m)-\(d)"
    }

    static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: return (year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)) ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    /// The same day `years` years later (29 February becomes 28).
    func adding(years: Int) -> SyntheticDate {
        SyntheticDate(year: year + years, month: month, day: min(day, SyntheticDate.daysIn(month: month, year: year + years)))
    }
}

/// A synthetic person: a Vietnamese citizen or a foreigner.
public struct SyntheticPerson: Sendable, Hashable {
    /// The person's index in the population, 0-based; stable for a seed.
    public var index: Int
    /// A key for bulk intake ("P" and the index).
    public var sourceKey: String
    /// The 12-digit citizen ID for citizens; nil for foreigners.
    public var citizenID: String?
    public var familyName: String
    public var middleName: String
    public var givenName: String
    /// Year of birth; always known.
    public var birthYear: Int
    /// Month of birth, or 0 when unknown.
    public var birthMonth: Int
    /// Day of birth, or 0 when unknown (a day always comes with a month).
    public var birthDay: Int
    public var sex: SyntheticSex
    /// ISO 3166-1 alpha-3 (XXA for stateless); the first is the main one.
    public var nationalities: [String]
    /// Residence in Vietnam; empty when none.
    public var residenceAddress: String
    public var residenceProvince: String
}

/// A synthetic travel or residence document.
public struct SyntheticDocument: Sendable, Hashable {
    /// The holder's index.
    public var personIndex: Int
    /// The document's slot among the holder's documents, 0-based.
    public var slot: Int
    public var kind: SyntheticDocumentKind
    /// Upper-case letters and digits; unique per issuing state and kind.
    public var number: String
    /// Alpha-3 of the issuing state.
    public var issuingState: String
    public var issuingAuthority: String
    /// A visa's purpose symbol ("DL", "LĐ1"...); empty for other kinds.
    public var symbol: String
    public var hasChip: Bool
    public var issuedOn: SyntheticDate
    public var validUntil: SyntheticDate
    public var status: SyntheticDocumentStatus
}

/// A synthetic border checkpoint.
public struct SyntheticCheckpoint: Sendable, Hashable {
    public var code: String
    public var name: String
    public var kind: SyntheticCheckpointKind
    public var ministry: SyntheticMinistry
    /// For land checkpoints, the neighbouring country.
    public var borderCountry: String
    /// ABC gates installed (gate ids are "<code>-ABC-nn").
    public var abcGates: Int
}

/// A synthetic crossing.
public struct SyntheticCrossing: Sendable, Hashable {
    public var personIndex: Int
    /// The document used: the holder's slot.
    public var documentSlot: Int
    /// True for entry into Vietnam, false for exit.
    public var isEntry: Bool
    public var checkpointCode: String
    /// Seconds since 1970-01-01 UTC.
    public var crossedAtEpochSeconds: Int64
    /// True at an ABC gate.
    public var abcGate: Bool
    /// The gate's id at an ABC gate; empty otherwise.
    public var gateID: String
    /// A stable request id for idempotent recording (UUID text).
    public var requestID: String
}
