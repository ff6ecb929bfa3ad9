import Contracts
import Foundation
import GRPCRuntime
import SyntheticPopulation
import Synchronization

/// The synthetic population as BulkIntake messages: one batch per slice of
/// persons, rows in the order the intake needs them (the slice's persons,
/// then their documents, then their crossings, which name those documents).
/// The same conversions as `immigctl demo-data`, which keeps them private.
struct IntakeBatches: Sendable {
    let population: SyntheticPopulation
    let persons: Int
    let personsPerBatch: Int
    let jobID: String
    let sourceSystem: String

    var count: Int { (persons + personsPerBatch - 1) / personsPerBatch }

    static let provenance = Immigration_Common_V1_Provenance.with {
        $0.source = .convertedDatabase
        $0.unitCode = "A08"
        $0.actorID = "records-benchmark"
    }

    /// What batch `index` (0-based) holds, and how many rows of each kind.
    func batch(_ index: Int) -> (request: Immigration_Records_V1_BulkIntakeRequest, persons: Int, documents: Int, crossings: Int) {
        let first = index * personsPerBatch
        let end = min(first + personsPerBatch, persons)
        var personRows: [Immigration_Records_V1_IntakeRow] = []
        var documentRows: [Immigration_Records_V1_IntakeRow] = []
        var crossingRows: [Immigration_Records_V1_IntakeRow] = []
        personRows.reserveCapacity(end - first)
        documentRows.reserveCapacity((end - first) * 2)
        crossingRows.reserveCapacity((end - first) * 6)
        for i in first..<end {
            let person = population.person(i)
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
        var rows = personRows
        rows.append(contentsOf: documentRows)
        rows.append(contentsOf: crossingRows)
        for n in rows.indices { rows[n].rowNumber = Int64(n + 1) }
        let request = Immigration_Records_V1_BulkIntakeRequest.with {
            $0.jobID = jobID
            if index == 0 {
                $0.job = .with {
                    $0.sourceSystem = sourceSystem
                    $0.description = "records benchmark: synthetic population, seed \(population.seed), \(persons) persons"
                    $0.provenance = Self.provenance
                }
            }
            $0.batchSequence = Int64(index + 1)
            $0.rows = rows
            $0.lastBatch = index == count - 1
        }
        return (request, personRows.count, documentRows.count, crossingRows.count)
    }

    static func person(_ person: SyntheticPerson) -> Immigration_Records_V1_IntakePerson {
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
            $0.kind = kind(document.kind)
            $0.number = document.number
            $0.issuingState = document.issuingState
        }
    }

    static func kind(_ kind: SyntheticDocumentKind) -> Immigration_Common_V1_DocumentKind {
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

    static func document(_ document: SyntheticDocument, reference: Immigration_Common_V1_DocumentReference,
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

    static func crossing(_ crossing: SyntheticCrossing, reference: Immigration_Common_V1_DocumentReference,
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

    static func date(_ date: SyntheticDate) -> Immigration_Common_V1_CalendarDate {
        .with {
            $0.year = Int32(date.year)
            $0.month = Int32(date.month)
            $0.day = Int32(date.day)
        }
    }
}

/// Sends every batch in order, as the intake CLI does: a stream of at most
/// `perStream` batches at a time, each with a deadline; after a stream ends or
/// fails, the job's `last_committed_batch` (GetIntakeStatus) says where the
/// next stream starts, so nothing is lost or doubled. Batches are made a few
/// ahead on the client's threads while earlier ones are on the wire. Returns
/// the job's accepted and rejected rows, the rows sent, and the resumptions
/// after a failed stream.
func intake(_ batches: IntakeBatches, client: Immigration_Records_V1_RecordsService.Client, perStream: Int = 25,
            ahead: Int = 4) async throws -> (accepted: Int64, rejected: Int64, rows: Int, resumed: Int) {
    let sent = RowCount()
    var last = 0
    var resumed = 0
    while last < batches.count {
        let first = last
        let end = min(batches.count, first + perStream)
        do {
            let response = try await client.bulkIntake(options: CallOptions(timeout: .seconds(120), metadata: options.metadata)) { writer in
                var pending: [Task<Immigration_Records_V1_BulkIntakeRequest, Never>] = []
                var next = first
                while next < end || !pending.isEmpty {
                    while next < end && pending.count < ahead {
                        let index = next
                        pending.append(Task {
                            let batch = batches.batch(index)
                            sent.rows.withLock { $0 += batch.persons + batch.documents + batch.crossings }
                            return batch.request
                        })
                        next += 1
                    }
                    try await writer.send(await pending.removeFirst().value)
                }
            }
            last = Int(response.lastCommittedBatch)
        } catch {
            resumed += 1
            FileHandle.standardError.write(Data("RecordsBenchmark: intake stream from batch \(first + 1) failed (\(error)); resuming\n".utf8))
            let status = try await client.getIntakeStatus(.with { $0.jobID = batches.jobID }, options: options)
            last = Int(status.lastCommittedBatch)
            if resumed > 50 { throw error }
        }
    }
    let status = try await client.getIntakeStatus(.with { $0.jobID = batches.jobID; $0.pageSize = 5 }, options: options)
    for rejected in status.rejected {
        FileHandle.standardError.write(Data("rejected: batch \(rejected.batchSequence) row \(rejected.rowNumber) \(rejected.field) \(rejected.rule)\n".utf8))
    }
    return (status.acceptedRows, status.rejectedRows, sent.rows.withLock { $0 }, resumed)
}

/// Rows made so far, counted by the tasks that make batches.
final class RowCount: Sendable {
    let rows = Mutex<Int>(0)
}
