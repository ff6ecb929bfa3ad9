import Contracts
import Foundation
import GRPCRuntime
import Synchronization
import XCTest
@testable import RecordsService

/// StreamChanges: events in commit order, resumable from the last handled
/// position after a reconnect, woken by LISTEN/NOTIFY while open.
final class ChangeFeedTests: RecordsOverGRPCTestCase {
    func caughtUp(after position: String, types: [Immigration_Records_V1_ChangeType] = []) async throws -> [Immigration_Records_V1_ChangeEvent] {
        try await client.streamChanges(.with {
            $0.afterPosition = position
            $0.stopWhenCaughtUp = true
            $0.types = types
        }, options: caller("service", "agency-access")) { responses in
            var events: [Immigration_Records_V1_ChangeEvent] = []
            for try await event in responses { events.append(event) }
            return events
        }
    }

    func testAConsumerThatReconnectsAfterARestartWithItsLastPositionMissesNothingAndSeesNothingTwice() async throws {
        let person = try await client.createPerson(Sample.createPerson(Sample.citizen()), options: caller("ops")).person!
        let document = try await client.issueDocument(Sample.issue(personID: person.personID), options: caller("ops")).document!
        let first = try await caughtUp(after: "")
        XCTAssertEqual(first.map(\.type), [.personCreated, .documentIssued])
        XCTAssertEqual(first.last?.document.documentID, document.documentID)
        XCTAssertEqual(first.first?.person.personID, person.personID)

        _ = try await client.upsertCheckpoint(Sample.checkpoint(), options: caller("ops"))
        _ = try await client.recordCrossing(Sample.crossing(key: document), options: caller("gate"))
        _ = try await client.placeExitBan(.with {
            $0.requestID = UUID().uuidString
            $0.personID = person.personID
            $0.decidingAuthority = "Tòa án nhân dân Hà Nội"
            $0.legalBasis = "QĐ 7/2026"
            $0.startsOn = CalendarDay.today.proto
            $0.provenance = Sample.provenance()
        }, options: caller("control-unit"))

        // The service restarts; the consumer connects anew and resumes after the last event it handled.
        channel.close()
        try await records.restart()
        (client, channel) = try records.client()
        let resumed = try await caughtUp(after: first.last!.position)
        XCTAssertEqual(resumed.map(\.type), [.crossingRecorded, .exitBanPlaced])
        let positions = (first + resumed).map { try! FeedPosition.parse($0.position) }
        XCTAssertEqual(positions, positions.sorted())
        XCTAssertEqual(Set(positions).count, 4)
        let onlyBans = try await caughtUp(after: "", types: [.exitBanPlaced])
        XCTAssertEqual(onlyBans.map(\.type), [.exitBanPlaced])
        let error = await expectStatus(.invalidArgument) { try await self.caughtUp(after: "garbage") }
        XCTAssertEqual(error?.fieldViolations.first?.field, "after_position")
    }

    func testAnOpenStreamReceivesAChangeSoonAfterItCommits() async throws {
        let client = self.client!
        let received = try await withThrowingTaskGroup(of: Immigration_Records_V1_ChangeEvent?.self) { group in
            group.addTask {
                try await client.streamChanges(.with { $0.startAtNewest = true }, options: caller("ops")) { responses in
                    for try await event in responses { return event }
                    return nil
                }
            }
            group.addTask {
                try await Task.sleep(for: .milliseconds(300))
                _ = try await client.createPerson(Sample.createPerson(Sample.foreigner()), options: caller("ops"))
                try await Task.sleep(for: .seconds(10))
                return nil
            }
            let first = try await group.next() ?? nil
            group.cancelAll()
            return first
        }
        XCTAssertEqual(received?.type, .personCreated)
        XCTAssertEqual(received?.person.details?.name?.familyName, "Smith")
    }

    func testAnOpenStreamReceivesEveryOneOfManyConcurrentCrossingsOnceInPositionOrder() async throws {
        let client = self.client!
        _ = try await client.upsertCheckpoint(Sample.checkpoint(), options: caller("ops"))
        let person = try await client.createPerson(Sample.createPerson(Sample.citizen()), options: caller("ops")).person!
        let document = try await client.issueDocument(Sample.issue(personID: person.personID), options: caller("ops")).document!
        let count = 80
        let received = try await withThrowingTaskGroup(of: [Immigration_Records_V1_ChangeEvent].self) { group in
            group.addTask {
                try await client.streamChanges(.with { $0.startAtNewest = true; $0.types = [.crossingRecorded] },
                                               options: caller("ops")) { responses in
                    var events: [Immigration_Records_V1_ChangeEvent] = []
                    for try await event in responses {
                        events.append(event)
                        if events.count == count { break }
                    }
                    return events
                }
            }
            // Many commits, many NOTIFYs: the listener's sequencing passes are coalesced.
            try await Task.sleep(for: .milliseconds(300))
            try await withThrowingTaskGroup(of: Void.self) { writers in
                for index in 0..<count {
                    writers.addTask {
                        _ = try await client.recordCrossing(Sample.crossing(key: document, at: Date().addingTimeInterval(Double(-index))),
                                                            options: caller("gate"))
                    }
                }
                try await writers.waitForAll()
            }
            let events = try await group.next() ?? []
            group.cancelAll()
            return events
        }
        XCTAssertEqual(received.count, count)
        XCTAssertEqual(Set(received.map(\.crossing.crossingID)).count, count)
        let positions = received.map { try! FeedPosition.parse($0.position) }
        XCTAssertEqual(positions, positions.sorted())
    }

    func testTheSequencerWaitsOnlyForItsOwnSchemasLock() async throws {
        _ = try await client.createPerson(Sample.createPerson(Sample.foreigner()), options: caller("ops"))
        let feed = records.provider.feed
        // Another schema's sequencer, or one still holding the old database-wide key, does not hold this one up.
        let numbered = try await records.superuser.transaction { tx in
            _ = try await tx.query("SELECT pg_advisory_xact_lock(7417001, hashtext('records_other'))")
            _ = try await tx.query("SELECT pg_advisory_xact_lock(7417001)")
            return try await Self.within(.seconds(10)) { try await feed.sequence() }
        }
        XCTAssertEqual(numbered, 1)
        // This schema's key does: a pass waits until the holder commits.
        _ = try await client.createPerson(Sample.createPerson(Sample.foreigner(family: "Lee")), options: caller("ops"))
        let schema = records.schema
        let passed = Flag()
        let waited = try await records.superuser.transaction { tx in
            _ = try await tx.query("SELECT pg_advisory_xact_lock(7417001, hashtext(\(schema)))")
            let pass = Task {
                let highest = try await feed.sequence()
                passed.value.store(true, ordering: .releasing)
                return highest
            }
            try await Task.sleep(for: .milliseconds(500))
            XCTAssertFalse(passed.value.load(ordering: .acquiring), "the sequencer ran while another session held this schema's lock")
            return pass
        }
        let highest = try await Self.within(.seconds(10)) { try await waited.value }
        XCTAssertEqual(highest, 2)
    }

    /// The result of `body`, or a failure after `limit`.
    static func within<T: Sendable>(_ limit: Duration, _ body: @escaping @Sendable () async throws -> T) async throws -> T {
        try await withThrowingTaskGroup(of: T?.self) { group in
            group.addTask { try await body() }
            group.addTask { try await Task.sleep(for: limit); return nil }
            guard let first = try await group.next(), let value = first else {
                group.cancelAll()
                throw RPCError(.deadlineExceeded, "not done within \(limit)")
            }
            group.cancelAll()
            return value
        }
    }
}

/// A flag shared with a task.
final class Flag: Sendable {
    let value = Atomic<Bool>(false)
}
