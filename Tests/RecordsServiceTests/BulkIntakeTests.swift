import Contracts
import Foundation
import GRPCRuntime
import Postgres
import XCTest
@testable import RecordsService

/// BulkIntake over gRPC: batches through COPY, rejected rows with reasons,
/// resume from the last committed batch with nothing lost or doubled.
final class BulkIntakeTests: RecordsOverGRPCTestCase {
    override func setUp() async throws {
        try await super.setUp()
        _ = try await client.upsertCheckpoint(Sample.checkpoint(), options: caller("ops"))
    }

    static let spec = Immigration_Records_V1_IntakeJobSpec.with {
        $0.sourceSystem = "legacy-a08"
        $0.description = "test load"
        $0.provenance = Sample.provenance(.convertedDatabase, unit: "A08", actor: "loader")
    }

    func personsBatch(_ jobID: String) -> Immigration_Records_V1_BulkIntakeRequest {
        .with {
            $0.jobID = jobID
            $0.job = Self.spec
            $0.batchSequence = 1
            $0.rows = [
                .with { $0.rowNumber = 1; $0.person = .with { $0.sourceKey = "P1"; $0.details = Sample.citizen() } },
                .with { $0.rowNumber = 2; $0.person = .with { $0.sourceKey = "P2"; $0.details = Sample.foreigner() } },
                .with { $0.rowNumber = 3; $0.person = .with { $0.sourceKey = "P3"; $0.details = Sample.citizen(citizenID: "999085012345") } },
                .with { $0.rowNumber = 4; $0.person = .with { $0.sourceKey = "P4"; $0.details = Sample.citizen(given: "Bình") } },
            ]
        }
    }

    func documentsBatch(_ jobID: String, last: Bool) -> Immigration_Records_V1_BulkIntakeRequest {
        let passport = Sample.issue(personID: "", number: "B1234567").details!
        return .with {
            $0.jobID = jobID
            $0.batchSequence = 2
            $0.lastBatch = last
            $0.rows = [
                .with { $0.rowNumber = 5; $0.document = .with { $0.personSourceKey = "P1"; $0.details = passport } },
                .with { $0.rowNumber = 6; $0.document = .with { $0.personSourceKey = "NOBODY"; $0.details = Sample.issue(personID: "").details! } },
                .with {
                    $0.rowNumber = 7
                    $0.crossing = .with {
                        $0.personSourceKey = "P1"; $0.document = passport.reference!; $0.direction = .exit
                        $0.checkpointCode = "HAN"; $0.crossedAt = ProtoTimestamp(Date().addingTimeInterval(-3600)); $0.lane = .manual
                    }
                },
                .with {
                    $0.rowNumber = 8
                    $0.crossing = .with {
                        $0.personSourceKey = "P1"; $0.document = passport.reference!; $0.direction = .entry
                        $0.checkpointCode = "NOWHERE"; $0.crossedAt = ProtoTimestamp(Date().addingTimeInterval(-60)); $0.lane = .manual
                    }
                },
            ]
        }
    }

    func send(_ batches: [Immigration_Records_V1_BulkIntakeRequest]) async throws -> Immigration_Records_V1_BulkIntakeResponse {
        try await client.bulkIntake(options: caller("ops")) { writer in
            for batch in batches { try await writer.send(batch) }
        }
    }

    func count(_ table: String) async throws -> Int64? {
        try await records.pool.query(PostgresQueryText.count(table)).scalar(Int64.self)
    }

    func testALoadThatFailedResumesFromTheLastCommittedBatchWithNothingLostOrDoubled() async throws {
        let jobID = UUID().uuidString
        // The first attempt commits batch 1, then sends a batch with a gap and fails.
        var gap = documentsBatch(jobID, last: false)
        gap.batchSequence = 3
        let error = await expectStatus(.failedPrecondition) { try await self.send([self.personsBatch(jobID), gap]) }
        XCTAssertTrue(error?.message.hasPrefix("batch_gap") ?? false)
        let status = try await client.getIntakeStatus(.with { $0.jobID = jobID }, options: caller("ops"))
        XCTAssertEqual(status.lastCommittedBatch, 1)
        XCTAssertEqual(status.acceptedRows, 2)
        XCTAssertEqual(status.rejected.map(\.rowNumber), [3, 4])
        XCTAssertEqual(status.rejected.map(\.rule), ["province_code", "duplicate_in_batch"])

        // The resumed attempt sends everything again: batch 1 is skipped, batch 2 loads.
        let resumed = try await send([personsBatch(jobID), documentsBatch(jobID, last: true)])
        XCTAssertEqual(resumed.skippedBatches, 1)
        XCTAssertEqual(resumed.lastCommittedBatch, 2)
        XCTAssertEqual(resumed.acceptedRows, 2)
        XCTAssertEqual(Set(resumed.rejected.map(\.rule)), ["unknown_person", "known_checkpoint"])
        let persons = try await count("persons")
        let documents = try await count("documents")
        let crossings = try await count("crossings")
        XCTAssertEqual([persons, documents, crossings], [2, 1, 1])
        let done = try await client.getIntakeStatus(.with { $0.jobID = jobID }, options: caller("ops"))
        XCTAssertEqual(done.state, .completed)
        XCTAssertEqual(done.acceptedRows, 4)
        XCTAssertEqual(done.rejectedRows, 4)

        // The same source rows in another job are the same persons: rejected, never doubled.
        let again = try await send([personsBatch(UUID().uuidString)])
        XCTAssertEqual(again.acceptedRows, 0)
        XCTAssertEqual(Set(again.rejected.map(\.rule)), ["duplicate", "province_code", "citizen_id_taken"])
        let personsAfter = try await count("persons")
        XCTAssertEqual(personsAfter, 2)
        let found = try await client.searchPersons(.with { $0.citizenID = "001085012345" }, options: caller("ops"))
        XCTAssertEqual(found.persons.first?.created?.source, .convertedDatabase)
    }

    func testAPersonLoadedByIntakeHasItsFirstRevisionWithTheLoadedDetailsAndTheJobsProvenance() async throws {
        let response = try await send([personsBatch(UUID().uuidString)])
        XCTAssertEqual(response.acceptedRows, 2)
        let found = try await client.searchPersons(.with { $0.citizenID = "001085012345" }, options: caller("ops"))
        let person = try XCTUnwrap(found.persons.first)
        let history = try await client.getPersonHistory(.with { $0.personID = person.personID }, options: caller("ops"))
        XCTAssertEqual(history.revisions.map(\.version), [1])
        let revision = try XCTUnwrap(history.revisions.first)
        XCTAssertEqual(revision.details, person.details)
        XCTAssertEqual(revision.details?.name?.familyName, "Nguyễn")
        XCTAssertEqual(revision.reason, "bulk intake")
        XCTAssertEqual(revision.provenance?.source, .convertedDatabase)
        XCTAssertEqual(revision.provenance?.unitCode, "A08")
        XCTAssertEqual(revision.provenance?.actorID, "loader")
    }

    func testABatchWhoseCitizenIDAConcurrentWriterTakesAfterTheLookUpStillGetsItsReasonPerRow() async throws {
        // Another transaction holds the citizen ID uncommitted while the batch
        // is looked up and copied: the batch's COPY waits on it and meets the
        // unique key when it commits; the batch is rolled back to its
        // savepoint, looked up again and decided again by IntakeRules.check.
        let passport = Sample.issue(personID: "", number: "B7654321").details!
        let batch = Immigration_Records_V1_BulkIntakeRequest.with {
            $0.jobID = UUID().uuidString
            $0.job = Self.spec
            $0.batchSequence = 1
            $0.lastBatch = true
            $0.rows = [
                .with { $0.rowNumber = 1; $0.person = .with { $0.sourceKey = "P1"; $0.details = Sample.citizen() } },
                .with {
                    $0.rowNumber = 2
                    $0.person = .with { $0.sourceKey = "P2"; $0.details = Sample.citizen(citizenID: "001090012345", given: "Bình", year: 1990) }
                },
                .with { $0.rowNumber = 3; $0.document = .with { $0.personSourceKey = "P2"; $0.details = passport } },
                .with { $0.rowNumber = 4; $0.document = .with { $0.personSourceKey = "P1"; $0.details = Sample.issue(personID: "").details! } },
                .with {
                    $0.rowNumber = 5
                    $0.crossing = .with {
                        $0.personSourceKey = "P2"; $0.document = passport.reference!; $0.direction = .exit
                        $0.checkpointCode = "HAN"; $0.crossedAt = ProtoTimestamp(Date().addingTimeInterval(-3600)); $0.lane = .manual
                    }
                },
            ]
        }
        let pool = records.pool
        let client = self.client!, options = caller("ops")
        let intake = try await pool.withConnection { connection in
            try await connection.transaction { tx in
                _ = try await tx.query("INSERT INTO citizen_ids (citizen_id, person_id) VALUES ('001085012345', \(UUID()))")
                let intake = Task { try await client.bulkIntake(options: options) { try await $0.send(batch) } }
                var waiting: Int64 = 0
                for _ in 0..<400 where waiting == 0 {
                    try await Task.sleep(for: .milliseconds(50))
                    waiting = try await pool.query("SELECT count(*) FROM pg_locks WHERE NOT granted").scalar(Int64.self) ?? 0
                }
                XCTAssertEqual(waiting, 1, "the batch's COPY waits on the uncommitted citizen ID")
                return intake
            }
        }
        let response = try await intake.value
        XCTAssertEqual(response.acceptedRows, 3)
        XCTAssertEqual(response.rejected.map(\.rowNumber), [1, 4])
        XCTAssertEqual(response.rejected.map(\.rule), ["citizen_id_taken", "unknown_person"])
        let persons = try await count("persons")
        let documents = try await count("documents")
        let crossings = try await count("crossings")
        let citizenIDs = try await count("citizen_ids")
        XCTAssertEqual([persons, documents, crossings, citizenIDs], [1, 1, 1, 2])
    }

    func testFourJobsLoadingTheSameRowsAtOnceStoreEachRowOnce() async throws {
        let crossedAt = ProtoTimestamp(Date().addingTimeInterval(-3600))
        var rows: [Immigration_Records_V1_IntakeRow] = []
        for n in 1...4 {
            rows.append(.with {
                $0.rowNumber = Int64(n)
                $0.person = .with {
                    $0.sourceKey = "P\(n)"
                    $0.details = Sample.citizen(citizenID: "00108501234\(n)", given: "An \(n)")
                }
            })
        }
        for n in 1...2 {
            let passport = Sample.issue(personID: "", number: "B765432\(n)").details!
            rows.append(.with { $0.rowNumber = Int64(4 + n); $0.document = .with { $0.personSourceKey = "P\(n)"; $0.details = passport } })
            rows.append(.with {
                $0.rowNumber = Int64(6 + n)
                $0.crossing = .with {
                    $0.personSourceKey = "P\(n)"; $0.document = passport.reference!; $0.direction = .exit
                    $0.checkpointCode = "HAN"; $0.crossedAt = crossedAt; $0.lane = .manual
                }
            })
        }
        let client = self.client!, options = caller("ops"), spec = Self.spec, batch = rows
        let responses = try await withThrowingTaskGroup(of: Immigration_Records_V1_BulkIntakeResponse.self) { group in
            for _ in 0..<4 {
                group.addTask {
                    try await client.bulkIntake(options: options) { writer in
                        try await writer.send(.with {
                            $0.jobID = UUID().uuidString; $0.job = spec; $0.batchSequence = 1; $0.lastBatch = true; $0.rows = batch
                        })
                    }
                }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        XCTAssertEqual(responses.map(\.acceptedRows).reduce(0, +), 8, "each row accepted by exactly one job")
        XCTAssertEqual(responses.map(\.rejectedRows).reduce(0, +), 24)
        let persons = try await count("persons")
        let citizenIDs = try await count("citizen_ids")
        let documents = try await count("documents")
        let crossings = try await count("crossings")
        let revisions = try await count("person_revisions")
        XCTAssertEqual([persons, citizenIDs, documents, crossings, revisions], [4, 4, 2, 2, 4])
    }

    func testANewJobWithoutItsDescriptionIsInvalid() async throws {
        var batch = personsBatch(UUID().uuidString)
        batch.job = nil
        let error = await expectStatus(.invalidArgument) { try await self.send([batch]) }
        XCTAssertEqual(error?.fieldViolations.first?.field, "job")
        var wrongSource = personsBatch(UUID().uuidString)
        wrongSource.job?.provenance?.source = .procedure
        let refused = await expectStatus(.invalidArgument) { try await self.send([wrongSource]) }
        XCTAssertEqual(refused?.fieldViolations.first?.field, "job.provenance.source")
    }
}

/// Counting rows of a table of the test's schema.
enum PostgresQueryText {
    static func count(_ table: String) -> PostgresQuery { PostgresQuery(unsafeSQL: "SELECT count(*)::int8 FROM \(table)") }
}
