import Contracts
import SyntheticPopulation

/// Turns the synthetic population into RecordsService requests.
enum DemoRecords {
    static let batchSize = 500

    static var provenance: Immigration_Common_V1_Provenance {
        .with {
            $0.source = .convertedDatabase
            $0.unitCode = "A08"
            $0.actorID = "immigctl-demo-data"
        }
    }

    static func upsert(_ checkpoint: SyntheticCheckpoint, seed: UInt64) -> Immigration_Records_V1_UpsertCheckpointRequest {
        .with {
            $0.requestID = uuid(seed: seed, salt: "checkpoint-\(checkpoint.code)")
            $0.provenance = provenance
            $0.checkpoint = .with {
                $0.code = checkpoint.code
                $0.name = checkpoint.name
                $0.kind = switch checkpoint.kind { case .air: .air; case .land: .land; case .sea: .sea }
                $0.ministry = checkpoint.ministry == .publicSecurity ? .publicSecurity : .nationalDefence
                $0.borderCountry = checkpoint.borderCountry
            }
        }
    }

    /// Persons first, then their documents, then their crossings, in batches.
    static func batches(_ population: SyntheticPopulation, persons count: Int, seed: UInt64) -> [Immigration_Records_V1_BulkIntakeRequest] {
        var personRows: [Immigration_Records_V1_IntakeRow] = []
        var documentRows: [Immigration_Records_V1_IntakeRow] = []
        var crossingRows: [Immigration_Records_V1_IntakeRow] = []
        for person in population.persons(count) {
            let documents = population.documents(of: person)
            personRows.append(.with { $0.person = intakePerson(person) })
            for document in documents { documentRows.append(.with { $0.document = intakeDocument(document, of: person) }) }
            for crossing in population.crossings(of: person, documents: documents) {
                guard let document = documents.first(where: { $0.slot == crossing.documentSlot }) else { continue }
                crossingRows.append(.with { $0.crossing = intakeCrossing(crossing, document: document, of: person) })
            }
        }
        var rows = personRows + documentRows + crossingRows
        for index in rows.indices { rows[index].rowNumber = Int64(index + 1) }
        let jobID = uuid(seed: seed, salt: "intake-\(count)")
        let chunks = stride(from: 0, to: rows.count, by: batchSize).map { Array(rows[$0..<min($0 + batchSize, rows.count)]) }
        return chunks.enumerated().map { index, chunk in
            .with {
                $0.jobID = jobID
                if index == 0 {
                    $0.job = .with {
                        $0.sourceSystem = "demo-synthetic-\(seed)"
                        $0.description = "synthetic demo population, seed \(seed)"
                        $0.provenance = provenance
                    }
                }
                $0.batchSequence = Int64(index + 1)
                $0.rows = chunk
                $0.lastBatch = index == chunks.count - 1
            }
        }
    }

    static func intakePerson(_ person: SyntheticPerson) -> Immigration_Records_V1_IntakePerson {
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

    static func reference(_ document: SyntheticDocument) -> Immigration_Common_V1_DocumentReference {
        .with {
            $0.kind = switch document.kind {
            case .ordinaryPassport: .ordinaryPassport
            case .officialPassport: .officialPassport
            case .diplomaticPassport: .diplomaticPassport
            case .laissezPasser: .laissezPasser
            case .entryExitPermit: .entryExitPermit
            case .temporaryResidenceCard: .temporaryResidenceCard
            case .permanentResidenceCard: .permanentResidenceCard
            case .visa: .visa
            }
            $0.number = document.number
            $0.issuingState = document.issuingState
        }
    }

    static func intakeDocument(_ document: SyntheticDocument, of person: SyntheticPerson) -> Immigration_Records_V1_IntakeDocument {
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
                $0.reference = reference(document)
                $0.symbol = document.symbol
                $0.hasChip = document.hasChip
                $0.issuingAuthority = document.issuingAuthority
                $0.issuedOn = date(document.issuedOn)
                $0.validFrom = date(document.issuedOn)
                $0.validUntil = date(document.validUntil)
            }
        }
    }

    static func intakeCrossing(_ crossing: SyntheticCrossing, document: SyntheticDocument,
                               of person: SyntheticPerson) -> Immigration_Records_V1_IntakeCrossing {
        .with {
            $0.personSourceKey = person.sourceKey
            $0.document = reference(document)
            $0.direction = crossing.isEntry ? .entry : .exit
            $0.checkpointCode = crossing.checkpointCode
            $0.crossedAt = ProtoTimestamp(seconds: crossing.crossedAtEpochSeconds)
            $0.lane = crossing.abcGate ? .abcGate : .manual
            $0.gateID = crossing.gateID
        }
    }

    static func date(_ date: SyntheticDate) -> Immigration_Common_V1_CalendarDate {
        .with {
            $0.year = Int32(date.year)
            $0.month = Int32(date.month)
            $0.day = Int32(date.day)
        }
    }

    /// A stable UUID-shaped id from the seed and a salt (FNV-1a, twice), so a
    /// second run sends the same request ids and nothing is written twice.
    static func uuid(seed: UInt64, salt: String) -> String {
        func fnv(_ start: UInt64) -> UInt64 {
            var hash = start
            for byte in "\(seed)/\(salt)".utf8 { hash = (hash ^ UInt64(byte)) &* 0x100000001b3 }
            return hash
        }
        let high = fnv(0xcbf29ce484222325), low = fnv(0x84222325cbf29ce4)
        let hex = String(format: "%016llx%016llx", high, low)
        let h = Array(hex)
        // Version 4 and variant bits, so that servers checking the UUID form accept it.
        return String(h[0..<8]) + "-" + String(h[8..<12]) + "-4" + String(h[13..<16]) + "-a" + String(h[17..<20]) + "-" + String(h[20..<32])
    }
}
