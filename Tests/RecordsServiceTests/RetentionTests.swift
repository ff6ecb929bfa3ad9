import Contracts
import Foundation
import GRPCRuntime
import Postgres
import XCTest
@testable import RecordsService

/// Retention: old feed events, request log entries and finished intake jobs
/// purged in batches under an advisory lock; a consumer behind the purge is
/// told precisely.
final class RetentionTests: RecordsOverGRPCTestCase {
    var policy: RetentionPolicy { RetentionPolicy(feedDays: 90, requestLogDays: 30, intervalSeconds: 60, batchSize: 2) }

    /// Creates `count` persons and returns the feed's events (one per person), numbered.
    func persons(_ count: Int) async throws -> [Immigration_Records_V1_ChangeEvent] {
        for index in 0..<count {
            _ = try await client.createPerson(Sample.createPerson(Sample.foreigner(given: "Jane\(index)")), options: caller("ops"))
        }
        return try await caughtUp(after: "")
    }

    func caughtUp(after position: String) async throws -> [Immigration_Records_V1_ChangeEvent] {
        try await client.streamChanges(.with { $0.afterPosition = position; $0.stopWhenCaughtUp = true },
                                       options: caller("service")) { responses in
            var events: [Immigration_Records_V1_ChangeEvent] = []
            for try await event in responses { events.append(event) }
            return events
        }
    }

    func age(positions: [String], days: Int) async throws {
        let numbers = positions.map { try! FeedPosition.parse($0) }
        _ = try await records.pool.query("""
            UPDATE outbox SET occurred_at = now() - make_interval(days => \(Int32(days))) WHERE position = ANY(\(numbers)::bigint[])
            """)
    }

    func testEventsOlderThanTheRetentionArePurgedAndAConsumerBehindThemIsToldWhereToResume() async throws {
        let events = try await persons(5)
        XCTAssertEqual(events.count, 5)
        try await age(positions: events.prefix(3).map(\.position), days: 91)

        let run = try await records.provider.retention.run(policy)
        XCTAssertEqual(run, .init(feedEvents: 3, requestLogEntries: 0, completed: true))
        let remaining = try await records.pool.query("SELECT count(*) FROM outbox").scalar(Int64.self)
        XCTAssertEqual(remaining, 2)

        let error = await expectStatus(.outOfRange) { try await self.caughtUp(after: events[0].position) }
        XCTAssertTrue(error?.message.contains("\"\(events[2].position)\"") ?? false, "\(String(describing: error))")
        let resumed = try await caughtUp(after: events[2].position)
        XCTAssertEqual(resumed.map(\.position), events.suffix(2).map(\.position))
        let fromOldest = try await caughtUp(after: "")
        XCTAssertEqual(fromOldest.map(\.position), events.suffix(2).map(\.position))
        let again = try await records.provider.retention.run(policy)
        XCTAssertEqual(again.feedEvents, 0)
    }

    func testThePurgeStopsAtTheFirstRecentEventSoThatWhatIsPurgedIsAlwaysAPrefixOfThePositions() async throws {
        let events = try await persons(4)
        try await age(positions: [events[0].position, events[1].position, events[3].position], days: 200)
        let run = try await records.provider.retention.run(policy)
        XCTAssertEqual(run.feedEvents, 2)
        let purged = try await records.pool.query("SELECT purged_through FROM outbox_retention").scalar(Int64.self)
        XCTAssertEqual(purged, try FeedPosition.parse(events[1].position))
        let left = try await caughtUp(after: events[1].position)
        XCTAssertEqual(left.map(\.position), [events[2].position, events[3].position])
    }

    func testRequestLogEntriesOlderThanTheRetentionArePurgedAndARetryAfterThatIsANewRequest() async throws {
        let person = try await client.createPerson(Sample.createPerson(Sample.foreigner()), options: caller("ops")).person!
        let update = Immigration_Records_V1_UpdatePersonRequest.with {
            $0.requestID = UUID().uuidString
            $0.personID = person.personID
            $0.details = Sample.foreigner(given: "Janet")
            $0.reason = "spelling corrected"
            $0.provenance = Sample.provenance()
        }
        let first = try await client.updatePerson(update, options: caller("ops")).person!
        let retried = try await client.updatePerson(update, options: caller("ops")).person!
        XCTAssertEqual(retried.version, first.version, "a retry inside the retention is the first answer")
        _ = try await records.pool.query("""
            UPDATE request_log SET recorded_at = now() - interval '31 days' WHERE request_id = \(UUID(uuidString: update.requestID)!)
            """)
        let run = try await records.provider.retention.run(policy)
        XCTAssertEqual(run.requestLogEntries, 1)
        XCTAssertEqual(run.feedEvents, 0)
        let entries = try await records.pool.query("SELECT count(*) FROM request_log").scalar(Int64.self)
        XCTAssertEqual(entries, 1, "CreatePerson's entry is recent and stays")
        let late = try await client.updatePerson(update, options: caller("ops")).person!
        XCTAssertEqual(late.version, first.version + 1, "after the retention a retry is a new request")
    }

    /// Loads one batch of persons (one good, three refused) as a job; `last` completes it.
    func intakeJob(last: Bool) async throws -> String {
        let jobID = UUID().uuidString
        _ = try await client.bulkIntake(options: caller("ops")) { writer in
            try await writer.send(.with {
                $0.jobID = jobID
                $0.job = .with {
                    $0.sourceSystem = "legacy-a08"
                    $0.provenance = Sample.provenance(.convertedDatabase, unit: "A08", actor: "loader")
                }
                $0.batchSequence = 1
                $0.lastBatch = last
                $0.rows = [Int64(1), 2, 3, 4].map { n in
                    .with {
                        $0.rowNumber = n
                        $0.person = .with {
                            $0.sourceKey = "\(jobID)-\(n)"
                            $0.details = n == 1 ? Sample.foreigner() : Sample.citizen(citizenID: "99908501234\(n)")
                        }
                    }
                }
            })
        }
        return jobID
    }

    func testFinishedIntakeJobsOlderThanTheRetentionArePurgedWithTheirBatchesAndRejectedRowsAndOthersAreKept() async throws {
        let old = try await intakeJob(last: true)
        let recent = try await intakeJob(last: true)
        let open = try await intakeJob(last: false)
        _ = try await records.pool.query("""
            UPDATE intake_jobs SET updated_at = now() - interval '181 days'
            WHERE job_id = ANY(\([old, open].map { UUID(uuidString: $0)! }))
            """)
        let run = try await records.provider.retention.run(policy)
        XCTAssertEqual(run.intakeRows, 3 + 1 + 1, "three rejected rows (two purge batches of two), the batch and the job")
        XCTAssertEqual(run.feedEvents, 0)
        await expectStatus(.notFound) { try await self.client.getIntakeStatus(.with { $0.jobID = old }, options: caller("ops")) }
        for kept in [recent, open] {
            let status = try await client.getIntakeStatus(.with { $0.jobID = kept }, options: caller("ops"))
            XCTAssertEqual(status.rejectedRows, 3)
            XCTAssertEqual(status.rejected.count, 3, "a kept job keeps its rejected rows")
        }
        let rows = try await records.pool.query("""
            SELECT (SELECT count(*) FROM intake_jobs) + (SELECT count(*) FROM intake_batches) + (SELECT count(*) FROM intake_rejections)
            """).scalar(Int64.self)
        XCTAssertEqual(rows, 2 * (1 + 1 + 3))
        let persons = try await records.pool.query("SELECT count(*) FROM persons").scalar(Int64.self)
        XCTAssertEqual(persons, 3, "what a purged job loaded is kept for good")
    }

    func testWhileAnotherReplicaHoldsThePurgeLockThisOneDeletesNothing() async throws {
        let events = try await persons(3)
        try await age(positions: events.map(\.position), days: 100)
        let store = records.provider.retention
        let policy = self.policy
        let (blocked, count) = try await records.pool.transaction { tx in
            _ = try await tx.query("SELECT pg_advisory_xact_lock(\(RetentionStore.lockKey), hashtext(current_schema()))")
            let run = try await store.run(policy)
            return (run, try await tx.query("SELECT count(*) FROM outbox").scalar(Int64.self))
        }
        XCTAssertEqual(blocked, .init(feedEvents: 0, requestLogEntries: 0, completed: false))
        XCTAssertEqual(count, 3)
        let run = try await store.run(policy)
        XCTAssertEqual(run.feedEvents, 3)
    }
}

/// The retention settings read from the environment.
final class RetentionPolicyTests: XCTestCase {
    func testAbsentVariablesKeepTheDocumentedDefaults() throws {
        let policy = try RetentionPolicy.from(environment: [:])
        XCTAssertEqual(policy, RetentionPolicy(feedDays: 90, requestLogDays: 30, intakeJobDays: 180, intervalSeconds: 3600,
                                               batchSize: 5000))
    }

    func testEachVariableIsReadAndABadOneIsNamed() throws {
        let policy = try RetentionPolicy.from(environment: [
            "RECORDS_FEED_RETENTION_DAYS": "7", "RECORDS_REQUEST_LOG_RETENTION_DAYS": "2",
            "RECORDS_INTAKE_RETENTION_DAYS": "400", "RECORDS_RETENTION_INTERVAL_SECONDS": "30", "RECORDS_RETENTION_BATCH": "100",
        ])
        XCTAssertEqual(policy, RetentionPolicy(feedDays: 7, requestLogDays: 2, intakeJobDays: 400, intervalSeconds: 30,
                                               batchSize: 100))
        XCTAssertThrowsError(try RetentionPolicy.from(environment: ["RECORDS_FEED_RETENTION_DAYS": "0"])) { error in
            XCTAssertEqual(error as? RetentionPolicy.Invalid,
                           RetentionPolicy.Invalid(variable: "RECORDS_FEED_RETENTION_DAYS", rule: "between 1 and 36500"))
        }
        XCTAssertThrowsError(try RetentionPolicy.from(environment: ["RECORDS_RETENTION_BATCH": "many"])) { error in
            XCTAssertEqual((error as? RetentionPolicy.Invalid)?.rule, "a whole number")
        }
    }
}
