import Contracts
import Foundation
import GRPCRuntime
import Postgres
import Synchronization
import XCTest
@testable import RecordsService

/// GetPerson's kept answers (`ReadyAnswers`, migration 0006) over real
/// PostgreSQL and gRPC: an answer kept after a first call is sent as stored
/// and is the same answer, byte for byte, as the one computed from the
/// records; every write that changes what GetPerson shows (each person write,
/// a crossing, a checkpoint change, an intake batch for a person loaded
/// earlier) makes it unusable, so the next call shows the write; an answer
/// computed before a write committed is never kept over it (the generation
/// rule); rows out of date by day, format or checkpoint epoch are not used;
/// and only calls with the default number of crossings use or keep answers.
final class ReadyAnswersTests: RecordsOverGRPCTestCase {
    typealias Response = Immigration_Records_V1_GetPersonResponse

    var ready: ReadyAnswers { records.provider.persons.ready }

    override func setUp() async throws {
        try await super.setUp()
        _ = try await client.upsertCheckpoint(Sample.checkpoint(), options: caller("ops"))
        _ = try await client.upsertCheckpoint(Sample.checkpoint(code: "HUU-NGHI", kind: .land), options: caller("ops"))
    }

    // MARK: Helpers

    func getPerson(_ personID: String, limit: Int32 = 0) async throws -> Response {
        try await client.getPerson(.with { $0.personID = personID; $0.recentCrossingsLimit = limit }, options: caller("gate"))
    }

    /// GetPerson, which must be answered from the records (no kept answer used);
    /// then waits until what it handed to the keeper is written.
    func computed(_ personID: String, _ what: String, limit: Int32 = 0,
                  file: StaticString = #filePath, line: UInt = #line) async throws -> Response {
        let before = ready.used
        let response = try await getPerson(personID, limit: limit)
        XCTAssertEqual(ready.used, before, "\(what): a kept answer was used", file: file, line: line)
        await ready.settled()
        return response
    }

    /// GetPerson, which must be sent as kept.
    func sentAsKept(_ personID: String, _ what: String, limit: Int32 = 0,
                    file: StaticString = #filePath, line: UInt = #line) async throws -> Response {
        let before = ready.used
        let response = try await getPerson(personID, limit: limit)
        XCTAssertEqual(ready.used, before + 1, "\(what): the kept answer was not used", file: file, line: line)
        return response
    }

    /// Makes sure the person's answer is kept: a call (computed or not), the
    /// keeper settled, and a call that must be answered as kept.
    @discardableResult
    func makeKept(_ personID: String, _ what: String, file: StaticString = #filePath, line: UInt = #line) async throws -> Response {
        let first = try await getPerson(personID)
        await ready.settled()
        let kept = try await sentAsKept(personID, "\(what) (before)", file: file, line: line)
        XCTAssertEqual(kept, first, "\(what): the kept answer is not the computed one", file: file, line: line)
        return kept
    }

    struct Row {
        var generation: Int64
        var bodyIsNull: Bool
        /// fresh_until - written_on in days; nil when fresh_until is NULL.
        var freshDays: Int32?
        var writtenToday: Bool?
    }

    func row(_ personID: String) async throws -> Row? {
        let rows = try await records.pool.query("""
            SELECT generation, body IS NULL, (fresh_until - written_on)::int4, written_on = \(CalendarDay.today.postgres)
            FROM ready_answers WHERE person_id = \(UUID(uuidString: personID)!)
            """)
        guard let first = rows.first else { return nil }
        let (generation, bodyIsNull, freshDays, writtenToday) = try first.decode((Int64, Bool, Int32?, Bool?).self)
        return Row(generation: generation, bodyIsNull: bodyIsNull, freshDays: freshDays, writtenToday: writtenToday)
    }

    func createPerson(family: String = "Smith") async throws -> Immigration_Records_V1_Person {
        try await client.createPerson(Sample.createPerson(Sample.foreigner(family: family)), options: caller("ops")).person!
    }

    static func ban(_ personID: String, startingIn days: Int, endingIn end: Int? = nil) -> Immigration_Records_V1_PlaceExitBanRequest {
        .with {
            $0.requestID = UUID().uuidString
            $0.personID = personID
            $0.decidingAuthority = "Cơ quan điều tra Công an Hà Nội"
            $0.legalBasis = "QĐ 12/2026"
            $0.startsOn = CalendarDay.today.adding(days: days).proto
            if let end { $0.endsOn = CalendarDay.today.adding(days: end).proto }
            $0.provenance = Sample.provenance(unit: "C01", actor: "investigator-2")
        }
    }

    /// Keeps the person's answer, runs `write`, and checks that the next
    /// GetPerson is computed (not sent as kept) and shows the write.
    func assertUnusableAfter(_ what: String, personID: String, emptiesRow: Bool = true,
                             file: StaticString = #filePath, line: UInt = #line,
                             write: () async throws -> Void, shows: (Response) -> Bool) async throws {
        let kept = try await makeKept(personID, what, file: file, line: line)
        XCTAssertFalse(shows(kept), "\(what): shown before the write", file: file, line: line)
        let generation = try await row(personID)?.generation
        try await write()
        if emptiesRow {
            let after = try await row(personID)
            XCTAssertEqual(after?.bodyIsNull, true, "\(what): the row still holds an answer", file: file, line: line)
            XCTAssertGreaterThan(after?.generation ?? 0, generation ?? 0, "\(what): generation not raised", file: file, line: line)
        }
        let response = try await computed(personID, what, file: file, line: line)
        XCTAssertTrue(shows(response), "\(what): GetPerson does not show the write: \(response)", file: file, line: line)
        // The new answer is kept again and is what the records say.
        let again = try await sentAsKept(personID, "\(what) (after)", file: file, line: line)
        XCTAssertEqual(again, response, what, file: file, line: line)
    }

    // MARK: 1. Kept and sent as stored

    func testTheAnswerKeptAfterTheFirstCallIsSentAsStoredAndIsTheComputedAnswer() async throws {
        let person = try await createPerson()
        let passport = try await client.issueDocument(Sample.issue(personID: person.personID), options: caller("ops")).document!
        let permit = try await client.issueDocument(Sample.issue(personID: person.personID, kind: .entryExitPermit),
                                                    options: caller("ops")).document!
        let active = try await client.placeExitBan(Self.ban(person.personID, startingIn: -1), options: caller("control-unit")).exitBan!
        let later = try await client.placeExitBan(Self.ban(person.personID, startingIn: 30), options: caller("control-unit")).exitBan!
        for (index, checkpoint) in ["HAN", "HUU-NGHI", "HAN"].enumerated() {
            _ = try await client.recordCrossing(Sample.crossing(key: passport, direction: index % 2 == 0 ? .exit : .entry,
                                                                checkpoint: checkpoint, at: Date().addingTimeInterval(Double(-3600 + index * 600))),
                                                options: caller("gate"))
        }
        let noRow = try await row(person.personID)
        XCTAssertEqual(noRow?.bodyIsNull ?? true, true, "no answer is kept before the first GetPerson")

        let dayOfFirstCall = CalendarDay.today
        let first = try await computed(person.personID, "first call")
        XCTAssertEqual(Set(first.documents.map(\.documentID)), [passport.documentID, permit.documentID])
        XCTAssertEqual(first.activeExitBans.map(\.exitBanID), [active.exitBanID])
        XCTAssertEqual(first.otherExitBans.map(\.exitBanID), [later.exitBanID])
        XCTAssertEqual(first.recentCrossings.count, 3)
        XCTAssertEqual(first.recentCrossings.map { $0.checkpoint?.code }, ["HAN", "HUU-NGHI", "HAN"])
        let kept = try await row(person.personID)
        XCTAssertEqual(kept?.bodyIsNull, false, "the answer was kept")
        if CalendarDay.today == dayOfFirstCall { XCTAssertEqual(kept?.writtenToday, true) }
        XCTAssertEqual(kept?.freshDays, 30, "good until the later ban begins")

        let second = try await sentAsKept(person.personID, "second call")
        XCTAssertEqual(second, first)
        XCTAssertEqual(try second.serializedBytes(), try first.serializedBytes())
        XCTAssertTrue(second.unknownFields.isEmpty, "the client decodes every field of the kept answer")
        let third = try await sentAsKept(person.personID, "third call")
        XCTAssertEqual(third, first)
        // The stored bytes are the computed answer's encoding.
        let body = try await records.pool.query("SELECT body FROM ready_answers WHERE person_id = \(UUID(uuidString: person.personID)!)")
            .scalar([UInt8].self)
        XCTAssertEqual(body, try first.serializedBytes())
    }

    // MARK: 2. Every write makes it unusable

    func testEveryWriteThatChangesWhatGetPersonShowsMakesTheKeptAnswerUnusable() async throws {
        let person = try await createPerson()
        let id = person.personID
        let passport = try await client.issueDocument(Sample.issue(personID: id), options: caller("ops")).document!
        let permit = try await client.issueDocument(Sample.issue(personID: id, kind: .entryExitPermit), options: caller("ops")).document!
        _ = try await client.recordCrossing(Sample.crossing(key: passport, at: Date().addingTimeInterval(-7200)), options: caller("gate"))
        // Another person's kept answer stays usable through all of this.
        let other = try await createPerson(family: "Lee")
        let otherKept = try await makeKept(other.personID, "other person")
        let otherGeneration = try await row(other.personID)?.generation
        let options = caller("ops")

        try await assertUnusableAfter("UpdatePerson", personID: id, write: {
            _ = try await client.updatePerson(.with {
                $0.requestID = UUID().uuidString
                $0.personID = id
                $0.details = Sample.foreigner(given: "Janet")
                $0.reason = "spelling corrected"
                $0.provenance = Sample.provenance()
            }, options: options)
        }, shows: { $0.person?.details?.name?.givenName == "Janet" && $0.person?.version == person.version + 1 })

        var visa: Immigration_Records_V1_Document?
        try await assertUnusableAfter("IssueDocument", personID: id, write: {
            visa = try await client.issueDocument(Sample.issue(personID: id, kind: .temporaryResidenceCard), options: options).document
        }, shows: { response in response.documents.contains { $0.documentID == visa?.documentID } && response.documents.count == 3 })

        var crossing: Immigration_Records_V1_Crossing?
        try await assertUnusableAfter("RecordCrossing", personID: id, write: {
            crossing = try await client.recordCrossing(Sample.crossing(key: passport, direction: .entry), options: caller("gate")).crossing
        }, shows: { $0.recentCrossings.first?.crossingID == crossing?.crossingID && $0.recentCrossings.count == 2 })

        try await assertUnusableAfter("ChangeDocumentStatus", personID: id, write: {
            _ = try await client.changeDocumentStatus(.with {
                $0.requestID = UUID().uuidString
                $0.document = .with { $0.personID = id; $0.documentID = passport.documentID }
                $0.targetStatus = .reportedLost
                $0.reason = "loss report 55"
                $0.provenance = Sample.provenance()
            }, options: caller("issuing-authority"))
        }, shows: { response in response.documents.first { $0.documentID == passport.documentID }?.status == .reportedLost })

        var placed: Immigration_Records_V1_ExitBan?
        try await assertUnusableAfter("PlaceExitBan", personID: id, write: {
            placed = try await client.placeExitBan(Self.ban(id, startingIn: 0), options: caller("control-unit")).exitBan
        }, shows: { response in
            response.activeExitBans.map(\.exitBanID) == [placed?.exitBanID]
                && response.documents.first { $0.documentID == permit.documentID }?.status == .withdrawn
        })

        try await assertUnusableAfter("LiftExitBan", personID: id, write: {
            _ = try await client.liftExitBan(Sample.lift(personID: id, exitBanID: placed!.exitBanID, legalBasis: "QĐ 20/2026"), options: options)
        }, shows: { response in
            response.activeExitBans.isEmpty && response.otherExitBans.map(\.exitBanID) == [placed?.exitBanID]
                && response.otherExitBans.first?.lifted != nil
        })

        // A checkpoint a crossing of the answer shows, renamed: the epoch, not the row.
        try await assertUnusableAfter("UpsertCheckpoint", personID: id, emptiesRow: false, write: {
            var renamed = Sample.checkpoint()
            renamed.checkpoint?.name = "Nội Bài, nhà ga T2"
            _ = try await client.upsertCheckpoint(renamed, options: options)
        }, shows: { response in
            !response.recentCrossings.isEmpty && response.recentCrossings.allSatisfy { $0.checkpoint?.name == "Nội Bài, nhà ga T2" }
        })

        // The checkpoint change made every kept answer unusable, the other
        // person's too; none of the person writes touched it.
        let otherAfter = try await computed(other.personID, "other person after the checkpoint change")
        XCTAssertEqual(otherAfter, otherKept)
        let otherRow = try await row(other.personID)
        XCTAssertEqual(otherRow?.generation, otherGeneration, "no write to the other person raised its generation")
    }

    /// Writes of every kind racing GetPersons that keep answers, for several
    /// persons at once: once they have all ended and the keeper has settled,
    /// the first GetPerson of each person, sent as kept, is what the records
    /// say: GetPerson with 11 crossings, never kept, cut to 10. A write that left a kept answer usable, or a keep that
    /// landed over a later write, leaves an answer behind the records here.
    func testWritesRacingKeepsLeaveNoAnswerBehindTheRecords() async throws {
        struct Traveller: Sendable { let id: String; let passport: Immigration_Records_V1_Document }
        var travellers: [Traveller] = []
        for index in 0..<4 {
            let person = try await createPerson(family: "Race\(index)")
            let passport = try await client.issueDocument(Sample.issue(personID: person.personID), options: caller("ops")).document!
            // Two crossings before the rounds, so that the third round's answers hold 11 and show 10.
            for minutes in [-120, -110] {
                _ = try await client.recordCrossing(Sample.crossing(key: passport, at: Date().addingTimeInterval(Double(minutes * 60))),
                                                    options: caller("gate"))
            }
            travellers.append(Traveller(id: person.personID, passport: passport))
        }
        let client = client!, ops = caller("ops"), everyone = travellers
        /// One person's writes, one after another: every kind GetPerson shows.
        @Sendable func writes(_ t: Traveller, round: Int) async throws {
            for step in 0..<3 {
                _ = try await client.recordCrossing(Sample.crossing(key: t.passport, direction: step % 2 == 0 ? .exit : .entry,
                                                                    at: Date().addingTimeInterval(Double(-3000 + round * 600 + step))),
                                                    options: caller("gate"))
            }
            _ = try await client.updatePerson(.with {
                $0.requestID = UUID().uuidString
                $0.personID = t.id
                $0.details = Sample.foreigner(family: "Race", given: "Round\(round)")
                $0.reason = "spelling corrected"
                $0.provenance = Sample.provenance()
            }, options: ops)
            let placed = try await client.placeExitBan(ReadyAnswersTests.ban(t.id, startingIn: 0), options: caller("control-unit")).exitBan!
            let visa = try await client.issueDocument(Sample.issue(personID: t.id, kind: .temporaryResidenceCard), options: ops).document!
            _ = try await client.changeDocumentStatus(.with {
                $0.requestID = UUID().uuidString
                $0.document = .with { $0.personID = t.id; $0.documentID = visa.documentID }
                $0.targetStatus = .reportedLost
                $0.reason = "loss report \(round)"
                $0.provenance = Sample.provenance()
            }, options: caller("issuing-authority"))
            _ = try await client.liftExitBan(Sample.lift(personID: t.id, exitBanID: placed.exitBanID, legalBasis: "QĐ \(round)/2026"), options: ops)
        }
        for round in 0..<3 {
            let writing = WritesEnded()
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask {
                    // Raised however the writes end, so that a failed write fails the test, not hangs it.
                    defer { writing.ended.store(true, ordering: .releasing) }
                    try await withThrowingTaskGroup(of: Void.self) { writers in
                        for t in everyone { writers.addTask { try await writes(t, round: round) } }
                        writers.addTask {   // the checkpoint epoch, raised in the middle of it all
                            var renamed = Sample.checkpoint()
                            renamed.checkpoint?.name = "Nội Bài, round \(round)"
                            _ = try await client.upsertCheckpoint(renamed, options: ops)
                        }
                        try await writers.waitForAll()
                    }
                }
                for reader in 0..<4 {
                    group.addTask {
                        // Reads while the writes run, and a few after, whose answers are kept.
                        var after = 0, index = reader
                        while after < 8, !Task.isCancelled {
                            if writing.ended.load(ordering: .acquiring) { after += 1 }
                            _ = try await client.getPerson(.with { $0.personID = everyone[index % everyone.count].id },
                                                           options: caller("gate"))
                            index += 1
                        }
                    }
                }
                try await group.waitForAll()
            }
            await ready.settled()
            let before = ready.used
            for t in travellers {
                let first = try await getPerson(t.id)
                var records = try await getPerson(t.id, limit: 11)
                XCTAssertEqual(records.recentCrossings.count, min(11, 2 + 3 * (round + 1)))
                records.recentCrossings = Array(records.recentCrossings.prefix(10))
                XCTAssertEqual(first, records, "round \(round): the answer of \(t.id) is behind the records")
                // And what the records say is every write of the round.
                XCTAssertEqual(first.person?.details?.name?.givenName, "Round\(round)")
                XCTAssertTrue(first.activeExitBans.isEmpty)
                XCTAssertEqual(first.otherExitBans.count, round + 1)
                XCTAssertEqual(first.recentCrossings.count, min(10, 2 + 3 * (round + 1)))
                XCTAssertEqual(Set(first.recentCrossings.compactMap { $0.checkpoint?.name }), ["Nội Bài, round \(round)"])
            }
            // Each person was read after the writes ended: the first GetPerson above was sent as kept.
            XCTAssertEqual(ready.used - before, travellers.count, "round \(round): not every answer checked was a kept one")
        }
    }

    func testAnIntakeBatchAddingADocumentOrCrossingForAPersonLoadedEarlierMakesTheKeptAnswerUnusable() async throws {
        let spec = Immigration_Records_V1_IntakeJobSpec.with {
            $0.sourceSystem = "legacy-a08"
            $0.description = "ready answers"
            $0.provenance = Sample.provenance(.convertedDatabase, unit: "A08", actor: "loader")
        }
        func send(_ batch: Immigration_Records_V1_BulkIntakeRequest) async throws -> Immigration_Records_V1_BulkIntakeResponse {
            try await client.bulkIntake(options: caller("ops")) { try await $0.send(batch) }
        }
        let jobID = UUID().uuidString
        let loaded = try await send(.with {
            $0.jobID = jobID
            $0.job = spec
            $0.batchSequence = 1
            $0.rows = [.with { $0.rowNumber = 1; $0.person = .with { $0.sourceKey = "P1"; $0.details = Sample.citizen() } }]
        })
        XCTAssertEqual(loaded.acceptedRows, 1)
        let found = try await client.searchPersons(.with { $0.citizenID = "001085012345" }, options: caller("ops"))
        let id = try XCTUnwrap(found.persons.first?.personID)
        let passport = Sample.issue(personID: "", number: "B1234567").details!

        // The job's next batch: a document for P1.
        try await assertUnusableAfter("intake batch 2 (document)", personID: id, write: {
            let response = try await send(.with {
                $0.jobID = jobID
                $0.batchSequence = 2
                $0.lastBatch = true
                $0.rows = [.with { $0.rowNumber = 2; $0.document = .with { $0.personSourceKey = "P1"; $0.details = passport } }]
            })
            XCTAssertEqual(response.acceptedRows, 1, "\(response.rejected)")
        }, shows: { $0.documents.map { $0.details?.reference?.number } == ["B1234567"] })

        // Another job of the same source system: a crossing for P1.
        try await assertUnusableAfter("second intake job (crossing)", personID: id, write: {
            let response = try await send(.with {
                $0.jobID = UUID().uuidString
                $0.job = spec
                $0.batchSequence = 1
                $0.lastBatch = true
                $0.rows = [.with {
                    $0.rowNumber = 1
                    $0.crossing = .with {
                        $0.personSourceKey = "P1"; $0.document = passport.reference!; $0.direction = .exit
                        $0.checkpointCode = "HAN"; $0.crossedAt = ProtoTimestamp(Date().addingTimeInterval(-3600)); $0.lane = .manual
                    }
                }]
            })
            XCTAssertEqual(response.acceptedRows, 1, "\(response.rejected)")
        }, shows: { $0.recentCrossings.count == 1 && $0.recentCrossings.first?.checkpoint?.code == "HAN" })

        // A batch creating a person and its document together leaves other persons' answers alone.
        let kept = try await makeKept(id, "P1 before an unrelated batch")
        let unrelated = try await send(.with {
            $0.jobID = UUID().uuidString
            $0.job = spec
            $0.batchSequence = 1
            $0.lastBatch = true
            $0.rows = [
                .with { $0.rowNumber = 1; $0.person = .with { $0.sourceKey = "P9"; $0.details = Sample.foreigner(family: "Lee") } },
                .with { $0.rowNumber = 2; $0.document = .with { $0.personSourceKey = "P9"; $0.details = Sample.issue(personID: "").details! } },
            ]
        })
        XCTAssertEqual(unrelated.acceptedRows, 2, "\(unrelated.rejected)")
        let after = try await sentAsKept(id, "P1 after an unrelated batch")
        XCTAssertEqual(after, kept)
    }

    // MARK: 3. An answer read before a write is not kept over it

    func testAnAnswerComputedBeforeAWriteCommitsIsNotKeptOverIt() async throws {
        let store = records.provider.persons
        for keptBefore in [false, true] {
            let what = keptBefore ? "with a kept answer before" : "without a row before"
            let person = try await createPerson(family: keptBefore ? "Lee" : "Smith")
            let uuid = UUID(uuidString: person.personID)!
            let passport = try await client.issueDocument(Sample.issue(personID: person.personID), options: caller("ops")).document!
            _ = try await client.recordCrossing(Sample.crossing(key: passport, at: Date().addingTimeInterval(-7200)), options: caller("gate"))
            if keptBefore {
                try await makeKept(person.personID, what)
            } else {
                // As for a person loaded by intake: no row at all, the generation read is 0.
                _ = try await records.pool.query("DELETE FROM ready_answers WHERE person_id = \(uuid)")
            }

            // Read with the records' generation, then a crossing commits, then the old answer is handed to the keeper.
            let read = try await store.profile(personID: uuid, recentCrossings: 10)
            let profile = try XCTUnwrap(read)
            XCTAssertEqual(profile.recentCrossings.count, 1)
            if !keptBefore { XCTAssertEqual(profile.readyGeneration, 0) }
            let crossing = try await client.recordCrossing(Sample.crossing(key: passport, direction: .entry), options: caller("gate")).crossing!
            let stale = PersonAnswer(profile, today: .today)
            ready.keep(try XCTUnwrap(stale.computed(personID: uuid, readWith: profile)))
            await ready.settled()
            let afterStale = try await row(person.personID)
            XCTAssertEqual(afterStale?.bodyIsNull, true, "\(what): the answer read before the crossing was kept over it")

            let response = try await computed(person.personID, what)
            XCTAssertEqual(response.recentCrossings.count, 2, what)
            XCTAssertEqual(response.recentCrossings.first?.crossingID, crossing.crossingID, what)

            // The same way of keeping keeps an answer read after the write.
            let readAgain = try await store.profile(personID: uuid, recentCrossings: 10)
            let fresh = try XCTUnwrap(readAgain)
            _ = try await records.pool.query("UPDATE ready_answers SET body = NULL WHERE person_id = \(uuid)")
            ready.keep(try XCTUnwrap(PersonAnswer(fresh, today: .today).computed(personID: uuid, readWith: fresh)))
            await ready.settled()
            let kept = try await sentAsKept(person.personID, "\(what): the answer read after the write")
            XCTAssertEqual(kept, response)
        }
    }

    /// A keep never waits for a writer. A row a writer holds means the answer
    /// is out of date already (the writer's commit raises the generation), so
    /// the keep is skipped at once and the keeps after it go on while the
    /// writer's transaction lasts. The keeper that waited for the writer (no
    /// `lock_timeout`) fails this test: it settles only when the writer ends
    /// (tried). One that wrote the answers handed over together in one
    /// transaction fails it too: A's answer would go with B's skipped one.
    func testAKeepMeetingARowAWriterHoldsIsSkippedAndHoldsNothingBack() async throws {
        let store = records.provider.persons
        let (a, b) = (try await createPerson(family: "Lee"), try await createPerson(family: "Smith"))
        let ids = [a, b].map { UUID(uuidString: $0.personID)! }
        _ = try await records.pool.query("DELETE FROM ready_answers WHERE person_id = ANY(\(ids))")
        var answers: [ReadyAnswers.Computed] = []
        for id in ids {
            let read = try await store.profile(personID: id, recentCrossings: 10)
            let profile = try XCTUnwrap(read)
            answers.append(try XCTUnwrap(PersonAnswer(profile, today: .today).computed(personID: id, readWith: profile)))
        }

        // A writer holds B's row (inserted, not committed) until told to end.
        let pool = records.pool
        let (holding, held) = AsyncStream<Void>.makeStream()
        let (ending, end) = AsyncStream<Void>.makeStream()
        let writer = Task {
            defer { held.finish() }   // a writer that failed before holding the row ends the wait below
            try await pool.transaction(maxAttempts: 1) { tx in
                _ = try await tx.query("INSERT INTO ready_answers (person_id, generation) VALUES (\(ids[1]), 1)")
                held.yield()
                for await _ in ending { break }
            }
        }
        var holds = false
        for await _ in holding { holds = true; break }
        guard holds else {
            _ = try await writer.value   // throws the writer's error
            return XCTFail("the writer ended without holding B's row")
        }

        // B's keep first, A's behind it; the keeper settles while B's writer still holds its row.
        let ready = self.ready
        let skipped = ready.skipped
        ready.keep(answers[1])
        ready.keep(answers[0])
        let settledWhileHeld = await withTaskGroup(of: Bool.self) { group in
            group.addTask { await ready.settled(); return true }
            group.addTask { try? await Task.sleep(for: .seconds(20)); return false }
            let first = await group.next() ?? false
            if !first { end.yield() }   // lets a waiting keeper go on, so that the group can end
            group.cancelAll()
            return first
        }
        guard settledWhileHeld else {
            _ = try? await writer.value
            return XCTFail("the keeper waited for B's writer")
        }
        let skippedB = ready.skipped - skipped
        let afterA: Row?
        do {
            afterA = try await row(a.personID)
        } catch {
            end.yield()   // the writer ends, so that the pool can stop
            throw error
        }
        end.yield()
        _ = try await writer.value
        XCTAssertEqual(skippedB, 1, "B's keep was not skipped")
        XCTAssertEqual(afterA?.bodyIsNull, false, "A's answer, behind B's, was not kept")
        _ = try await sentAsKept(a.personID, "A, whose answer was kept behind B's skipped one")

        // B's row is the writer's (generation 1, no body); B's next GetPerson is computed and kept.
        let afterB = try await row(b.personID)
        XCTAssertEqual(afterB?.generation, 1)
        XCTAssertEqual(afterB?.bodyIsNull, true, "B's answer, read before B's writer committed, was kept over it")
        let computedB = try await computed(b.personID, "B after its writer")
        let keptB = try await sentAsKept(b.personID, "B kept after its writer")
        XCTAssertEqual(keptB, computedB)
    }

    // MARK: 4. Out-of-date rows

    func testRowsOutOfDateByDayFormatOrEpochAreNotUsed() async throws {
        let person = try await createPerson()
        let id = person.personID
        let uuid = UUID(uuidString: id)!
        let passport = try await client.issueDocument(Sample.issue(personID: id), options: caller("ops")).document!
        _ = try await client.recordCrossing(Sample.crossing(key: passport), options: caller("gate"))
        _ = try await client.placeExitBan(Self.ban(id, startingIn: -2, endingIn: 5), options: caller("control-unit"))
        let expected = try await makeKept(id, "first")
        XCTAssertEqual(expected.activeExitBans.count, 1)
        let rowBefore = try await row(id)
        XCTAssertEqual(rowBefore?.freshDays, 6, "good until the day after the ban's last")

        let outOfDate: [(String, String)] = [
            ("fresh_until reached", "UPDATE ready_answers SET fresh_until = written_on WHERE person_id = $1"),
            ("fresh_until passed", "UPDATE ready_answers SET written_on = written_on - 3, fresh_until = written_on - 1 WHERE person_id = $1"),
            ("written on a later day", "UPDATE ready_answers SET written_on = written_on + 1 WHERE person_id = $1"),
            ("another format", "UPDATE ready_answers SET format = 0 WHERE person_id = $1"),
            ("a later format", "UPDATE ready_answers SET format = format + 1 WHERE person_id = $1"),
            ("an older epoch", "UPDATE ready_answers SET epoch = epoch - 1 WHERE person_id = $1"),
            ("the epoch raised", "UPDATE ready_answers_epoch SET epoch = epoch + 1 WHERE $1::uuid IS NOT NULL"),
        ]
        /// Runs `sql` on the kept row ($1: the person's id); the rows it changed.
        func rewrite(_ sql: String) async throws -> Int {
            var bindings = PostgresBindings()
            bindings.append(uuid)
            return try await records.pool.query(PostgresQuery(unsafeSQL: sql, bindings: bindings)).affectedRows
        }
        for (what, sql) in outOfDate {
            try await makeKept(id, what)
            let changed = try await rewrite(sql)
            XCTAssertEqual(changed, 1, what)
            let response = try await computed(id, what)
            XCTAssertEqual(response, expected, what)
        }

        // Still usable: written today, good until tomorrow or later; no fresh-until day.
        let usable: [(String, String)] = [
            ("fresh_until tomorrow", "UPDATE ready_answers SET fresh_until = written_on + 1 WHERE person_id = $1"),
            ("no fresh_until", "UPDATE ready_answers SET fresh_until = NULL WHERE person_id = $1"),
            ("written yesterday", "UPDATE ready_answers SET written_on = written_on - 1 WHERE person_id = $1"),
        ]
        for (what, sql) in usable {
            try await makeKept(id, what)
            _ = try await rewrite(sql)
            let response = try await sentAsKept(id, what)
            XCTAssertEqual(response, expected, what)
        }
    }

    // MARK: 5. Other crossing limits

    func testARequestWithAnotherCrossingsLimitNeitherUsesNorKeepsAnswers() async throws {
        let person = try await createPerson()
        let id = person.personID
        let passport = try await client.issueDocument(Sample.issue(personID: id), options: caller("ops")).document!
        for index in 0..<3 {
            _ = try await client.recordCrossing(Sample.crossing(key: passport, direction: index % 2 == 0 ? .exit : .entry,
                                                                at: Date().addingTimeInterval(Double(-3600 + index * 600))),
                                                options: caller("gate"))
        }
        let two = try await computed(id, "limit 2", limit: 2)
        XCTAssertEqual(two.recentCrossings.count, 2)
        let notKept = try await row(id)
        XCTAssertEqual(notKept?.bodyIsNull ?? true, true, "an answer with 2 crossings was kept")

        let all = try await makeKept(id, "default limit")
        XCTAssertEqual(all.recentCrossings.count, 3)
        XCTAssertEqual(Array(all.recentCrossings.prefix(2)), two.recentCrossings)
        let twoAgain = try await computed(id, "limit 2 with a kept answer", limit: 2)
        XCTAssertEqual(twoAgain, two)
        let one = try await computed(id, "limit 1 with a kept answer", limit: 1)
        XCTAssertEqual(one.recentCrossings, Array(two.recentCrossings.prefix(1)))
        let eleven = try await computed(id, "limit 11 with a kept answer", limit: 11)
        XCTAssertEqual(eleven, all)
        let ten = try await sentAsKept(id, "limit 10 (the default, asked for)", limit: 10)
        XCTAssertEqual(ten, all)
        let body = try await records.pool.query("SELECT body FROM ready_answers WHERE person_id = \(UUID(uuidString: id)!)")
            .scalar([UInt8].self)
        XCTAssertEqual(body, try all.serializedBytes(), "the kept answer is still the default one")
    }
}

/// Raised when a round's writes have all ended (the readers then read a few more times).
private final class WritesEnded: Sendable {
    let ended = Atomic<Bool>(false)
}

/// The days over which a kept answer's exit bans stay sorted as they were:
/// `ExitBanTerm.nextChange(after:)` and `PersonAnswer`'s fresh-until day.
final class ReadyAnswerDaysTests: XCTestCase {
    let today = CalendarDay(year: 2026, month: 3, day: 31)!
    func day(_ offset: Int) -> CalendarDay { today.adding(days: offset) }

    func testTheNextChangeIsTheEarliestOfTheBeginningTheDayAfterTheEndAndTheLifting() {
        XCTAssertEqual(ExitBanTerm(startsOn: day(5), endsOn: nil, liftedFrom: nil).nextChange(after: today), day(5), "starts later")
        XCTAssertEqual(ExitBanTerm(startsOn: day(-5), endsOn: day(3), liftedFrom: nil).nextChange(after: today), day(4), "ends later")
        XCTAssertEqual(ExitBanTerm(startsOn: day(-5), endsOn: today, liftedFrom: nil).nextChange(after: today), day(1), "ends today")
        XCTAssertEqual(ExitBanTerm(startsOn: today, endsOn: today, liftedFrom: nil).nextChange(after: today), day(1), "one day, today")
        XCTAssertEqual(ExitBanTerm(startsOn: day(-5), endsOn: nil, liftedFrom: day(2)).nextChange(after: today), day(2), "lifted later")
        XCTAssertEqual(ExitBanTerm(startsOn: day(-5), endsOn: day(9), liftedFrom: day(2)).nextChange(after: today), day(2),
                       "lifted before its end")
        XCTAssertEqual(ExitBanTerm(startsOn: day(10), endsOn: day(20), liftedFrom: day(3)).nextChange(after: today), day(3),
                       "several: the earliest")
        XCTAssertEqual(ExitBanTerm(startsOn: day(2), endsOn: day(2), liftedFrom: nil).nextChange(after: today), day(2),
                       "one day later: its beginning")
        XCTAssertNil(ExitBanTerm(startsOn: day(-10), endsOn: day(-5), liftedFrom: day(-7)).nextChange(after: today), "all in the past")
        XCTAssertNil(ExitBanTerm(startsOn: day(-10), endsOn: day(-1), liftedFrom: nil).nextChange(after: today), "ended yesterday")
        XCTAssertNil(ExitBanTerm(startsOn: day(-10), endsOn: nil, liftedFrom: today).nextChange(after: today), "lifted from today")
        XCTAssertNil(ExitBanTerm(startsOn: today, endsOn: nil, liftedFrom: nil).nextChange(after: today), "starts today, no end")
        XCTAssertNil(ExitBanTerm(startsOn: day(-10), endsOn: nil, liftedFrom: nil).nextChange(after: today), "until lifted")
    }

    /// For every small term: the sorting holds on every day before the next
    /// change, and the day before a change that differs is the last that holds.
    func testTheSortingHoldsUntilTheNextChangeForEveryTerm() {
        var terms: [ExitBanTerm] = []
        for start in -4...4 {
            for end in [nil] + (start...start + 4).map(Optional.some) {
                for lifted in [nil] + (-4...6).map(Optional.some) {
                    terms.append(ExitBanTerm(startsOn: day(start), endsOn: end.map(day), liftedFrom: lifted.map(day)))
                }
            }
        }
        for term in terms {
            for from in -2...2 {
                let start = day(from)
                let next = term.nextChange(after: start)
                if let next { XCTAssertGreaterThan(next, start, "\(term)") }
                let last = next.map { $0.daysSinceEpoch - start.daysSinceEpoch } ?? 30
                for offset in 0..<last {
                    XCTAssertEqual(term.isActive(on: start.adding(days: offset)), term.isActive(on: start),
                                   "\(term) from \(start): changed \(offset) days later, before \(String(describing: next))")
                }
                // A change that is no change (a lifting before the start) may end the period early; past the
                // last boundary nothing changes any more.
                if next == nil {
                    XCTAssertEqual(term.isActive(on: start.adding(days: 1000)), term.isActive(on: start), "\(term)")
                }
            }
        }
    }

    func exitBan(_ id: String) -> Immigration_Records_V1_ExitBan { .with { $0.exitBanID = id } }

    func profile(_ bans: [(String, ExitBanTerm)]) -> PersonStore.Profile {
        PersonStore.Profile(person: .with { $0.personID = UUID().uuidString }, documents: [],
                            exitBans: bans.map { (exitBan($0.0), $0.1) }, recentCrossings: [],
                            readyGeneration: 7, readyEpoch: 3)
    }

    func testAnAnswerIsFreshUntilTheEarliestChangeOfAnyOfItsBans() throws {
        let bans: [(String, ExitBanTerm)] = [
            ("ended", ExitBanTerm(startsOn: day(-20), endsOn: day(-15), liftedFrom: nil)),
            ("active-until-9", ExitBanTerm(startsOn: day(-3), endsOn: day(8), liftedFrom: nil)),
            ("lifted", ExitBanTerm(startsOn: day(-10), endsOn: nil, liftedFrom: day(-2))),
            ("later", ExitBanTerm(startsOn: day(5), endsOn: nil, liftedFrom: nil)),
            ("active-lifted-in-12", ExitBanTerm(startsOn: day(-1), endsOn: nil, liftedFrom: day(12))),
            ("open", ExitBanTerm(startsOn: day(-30), endsOn: nil, liftedFrom: nil)),
        ]
        let profile = profile(bans)
        let answer = PersonAnswer(profile, today: today)
        XCTAssertEqual(answer.freshUntil, day(5))
        XCTAssertEqual(answer.response.activeExitBans.map(\.exitBanID), ["active-until-9", "active-lifted-in-12", "open"])
        XCTAssertEqual(answer.response.otherExitBans.map(\.exitBanID), ["ended", "lifted", "later"])
        // Whatever the order of the bans.
        XCTAssertEqual(PersonAnswer(self.profile(bans.reversed()), today: today).freshUntil, day(5))
        XCTAssertEqual(PersonAnswer(self.profile(Array(bans.dropLast(3))), today: today).freshUntil, day(9))
        // On the day it stops being fresh, the sorting differs.
        let then = PersonAnswer(profile, today: day(5))
        XCTAssertNotEqual(then.response.activeExitBans, answer.response.activeExitBans)
        XCTAssertEqual(then.freshUntil, day(9))

        let computed = try XCTUnwrap(answer.computed(personID: UUID(uuidString: profile.person.personID)!, readWith: profile))
        XCTAssertEqual(computed.personID.uuidString.lowercased(), profile.person.personID.lowercased())
        XCTAssertEqual(computed.generation, 7)
        XCTAssertEqual(computed.epoch, 3)
        XCTAssertEqual(computed.writtenOn, today)
        XCTAssertEqual(computed.freshUntil, day(5))
        XCTAssertEqual(computed.body, try answer.response.serializedBytes())
    }

    func testAnAnswerWithoutBansThatWillChangeIsFreshForever() {
        XCTAssertNil(PersonAnswer(profile([]), today: today).freshUntil)
        let settled = profile([("ended", ExitBanTerm(startsOn: day(-20), endsOn: day(-15), liftedFrom: nil)),
                               ("open", ExitBanTerm(startsOn: day(-30), endsOn: nil, liftedFrom: nil))])
        XCTAssertNil(PersonAnswer(settled, today: today).freshUntil)
    }
}

/// `ReadyAnswers.format` must be raised when GetPerson's answer could come out
/// differently from the same rows; kept answers of the old format are then not
/// used. A change of the contracts the answer is made of is the likeliest
/// cause, so their descriptors are pinned here beside the format: a change to
/// records.proto or common.proto fails this test until someone decides whether
/// the answer changed (raise the format) and pins the new descriptors.
final class ReadyAnswerFormatTests: XCTestCase {
    func testTheFormatIsPinnedToTheContractsTheAnswerIsMadeOf() throws {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325   // FNV-1a, 64 bits
        for name in ["immigration/common/v1/common.proto", "immigration/records/v1/records.proto"] {
            let file = try XCTUnwrap(ContractDescriptors.file(named: name), name)
            for byte in file.serializedDescriptor {
                hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01b3
            }
        }
        let pinned: (format: Int16, contracts: UInt64) = (1, 0x0e6a_4081_79e4_80e3)
        XCTAssertEqual(ReadyAnswers.format, pinned.format, "the format changed: pin it with the contracts' hash below")
        XCTAssertEqual(hash, pinned.contracts, String(format: """
            records.proto or common.proto changed (hash 0x%016llx): if GetPersonResponse or a message in it changed, \
            raise ReadyAnswers.format; then pin the format and this hash here
            """, hash))
    }
}
