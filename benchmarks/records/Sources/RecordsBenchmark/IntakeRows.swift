import Contracts
import Foundation
import GRPCRuntime
import SyntheticIntake
import SyntheticPopulation

/// The synthetic population as BulkIntake messages: one batch per slice of
/// persons, rows in the order the intake needs them (the slice's persons,
/// then their documents, then their crossings, which name those documents).
/// The rows are `SyntheticIntake`'s, as `immigctl demo-data` sends them.
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
        let grouped = SyntheticIntake.rows(population, persons: first..<min(first + personsPerBatch, persons))
        var rows = grouped.persons
        rows.append(contentsOf: grouped.documents)
        rows.append(contentsOf: grouped.crossings)
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
        return (request, grouped.persons.count, grouped.documents.count, grouped.crossings.count)
    }

    /// The contract's document kind (for the samples main.swift reads).
    static func kind(_ kind: SyntheticDocumentKind) -> Immigration_Common_V1_DocumentKind { SyntheticIntake.kind(kind) }
}

/// Sends every batch in order, as the intake CLI does: a stream of at most
/// `perStream` batches at a time, each with a deadline; after a stream ends or
/// fails, the job's `last_committed_batch` (GetIntakeStatus) says where the
/// next stream starts, so nothing is lost or doubled. Batches are made a few
/// ahead on the client's threads while earlier ones are on the wire. Returns
/// the job's accepted and rejected rows, its source rows (each counted once,
/// also when a failed stream's batches are sent again: the rate is of rows
/// loaded), and the resumptions after a failed stream.
func intake(_ batches: IntakeBatches, client: Immigration_Records_V1_RecordsService.Client, perStream: Int = 25,
            ahead: Int = 4) async throws -> (accepted: Int64, rejected: Int64, rows: Int, resumed: Int) {
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
                        pending.append(Task { batches.batch(index).request })
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
    return (status.acceptedRows, status.rejectedRows, Int(status.acceptedRows + status.rejectedRows), resumed)
}
