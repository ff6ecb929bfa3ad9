import Contracts
import SyntheticPopulation

/// The synthetic population as BulkIntake rows (D77 Art 4.2b, a converted
/// database), so that `immigctl demo-data` and the RecordsService benchmark
/// send the same rows for the same persons through one conversion.
public enum SyntheticIntake {
    /// The intake rows of persons `persons` (0-based indices) of `population`,
    /// grouped in the order the intake needs them: the persons, then their
    /// documents, then their crossings (which name those documents). Row
    /// numbers are left for the caller, who knows the batch.
    public static func rows(_ population: SyntheticPopulation, persons: Range<Int>) -> (
        persons: [Immigration_Records_V1_IntakeRow], documents: [Immigration_Records_V1_IntakeRow],
        crossings: [Immigration_Records_V1_IntakeRow]
    ) {
        var personRows: [Immigration_Records_V1_IntakeRow] = []
        var documentRows: [Immigration_Records_V1_IntakeRow] = []
        var crossingRows: [Immigration_Records_V1_IntakeRow] = []
        personRows.reserveCapacity(persons.count)
        documentRows.reserveCapacity(persons.count * 2)
        crossingRows.reserveCapacity(persons.count * 6)
        for index in persons {
            let person = population.person(index)
            let documents = population.documents(of: person)
            personRows.append(.with { $0.person = Self.person(person) })
            var references: [Int: Immigration_Common_V1_DocumentReference] = [:]
            for document in documents {
                let reference = Self.reference(document)
                references[document.slot] = reference
                documentRows.append(.with { $0.document = Self.document(document, reference: reference, of: person) })
            }
            for crossing in population.crossings(of: person, documents: documents) {
                guard let reference = references[crossing.documentSlot] else { continue }
                crossingRows.append(.with { $0.crossing = Self.crossing(crossing, reference: reference, of: person) })
            }
        }
        return (personRows, documentRows, crossingRows)
    }

    public static func person(_ person: SyntheticPerson) -> Immigration_Records_V1_IntakePerson {
        .with {
            $0.sourceKey = person.sourceKey
            $0.details = .with {
                $0.citizenID = person.citizenID ?? ""
                $0.name = .with {
                    $0.familyName = person.familyName
                    $0.middleName = person.middleName
                    $0.givenName = person.givenName
                }
                $0.dateOfBirth = .with {
                    $0.year = Int32(person.birthYear)
                    $0.month = Int32(person.birthMonth)
                    $0.day = Int32(person.birthDay)
                }
                $0.sex = switch person.sex { case .female: .female; case .male: .male; case .x: .x }
                $0.nationalities = person.nationalities
                if !person.residenceAddress.isEmpty {
                    $0.residence = .with {
                        $0.address = person.residenceAddress
                        $0.province = person.residenceProvince
                    }
                }
            }
        }
    }

    public static func reference(_ document: SyntheticDocument) -> Immigration_Common_V1_DocumentReference {
        .with {
            $0.kind = kind(document.kind)
            $0.number = document.number
            $0.issuingState = document.issuingState
        }
    }

    /// A synthetic checkpoint as the contract's reference data (UpsertCheckpoint).
    public static func checkpoint(_ checkpoint: SyntheticCheckpoint) -> Immigration_Records_V1_Checkpoint {
        .with {
            $0.code = checkpoint.code
            $0.name = checkpoint.name
            $0.kind = switch checkpoint.kind { case .air: .air; case .land: .land; case .sea: .sea }
            $0.ministry = checkpoint.ministry == .publicSecurity ? .publicSecurity : .nationalDefence
            $0.borderCountry = checkpoint.borderCountry
        }
    }

    public static func kind(_ kind: SyntheticDocumentKind) -> Immigration_Common_V1_DocumentKind {
        switch kind {
        case .ordinaryPassport: .ordinaryPassport
        case .officialPassport: .officialPassport
        case .diplomaticPassport: .diplomaticPassport
        case .laissezPasser: .laissezPasser
        case .entryExitPermit: .entryExitPermit
        case .temporaryResidenceCard: .temporaryResidenceCard
        case .permanentResidenceCard: .permanentResidenceCard
        case .visa: .visa
        }
    }

    public static func document(_ document: SyntheticDocument, reference: Immigration_Common_V1_DocumentReference,
                                of person: SyntheticPerson) -> Immigration_Records_V1_IntakeDocument {
        .with {
            $0.personSourceKey = person.sourceKey
            $0.status = switch document.status {
            case .issued: .issued
            case .expired: .expired
            case .cancelled: .cancelled
            case .reportedLost: .reportedLost
            case .revoked: .revoked
            }
            $0.details = .with {
                $0.reference = reference
                $0.symbol = document.symbol
                $0.hasChip = document.hasChip
                $0.issuingAuthority = document.issuingAuthority
                $0.issuedOn = date(document.issuedOn)
                $0.validFrom = date(document.issuedOn)
                $0.validUntil = date(document.validUntil)
            }
        }
    }

    public static func crossing(_ crossing: SyntheticCrossing, reference: Immigration_Common_V1_DocumentReference,
                                of person: SyntheticPerson) -> Immigration_Records_V1_IntakeCrossing {
        .with {
            $0.personSourceKey = person.sourceKey
            $0.document = reference
            $0.direction = crossing.isEntry ? .entry : .exit
            $0.checkpointCode = crossing.checkpointCode
            $0.crossedAt = ProtoTimestamp(seconds: crossing.crossedAtEpochSeconds)
            $0.lane = crossing.abcGate ? .abcGate : .manual
            $0.gateID = crossing.gateID
        }
    }

    public static func date(_ date: SyntheticDate) -> Immigration_Common_V1_CalendarDate {
        .with {
            $0.year = Int32(date.year)
            $0.month = Int32(date.month)
            $0.day = Int32(date.day)
        }
    }
}
