import Contracts
import Foundation
import GRPCRuntime
import Postgres
import XCTest
@testable import RecordsService

/// The gates' hot reads, each one statement (GetPerson with its lists as
/// arrays of records; the eligibility check with the holder's bans), answer
/// exactly what the RPCs that read the same rows one by one answer; and the
/// checkpoint cache follows changes made through this replica and others.
final class HotReadsTests: RecordsOverGRPCTestCase {
    override func setUp() async throws {
        try await super.setUp()
        _ = try await client.upsertCheckpoint(Sample.checkpoint(), options: caller("ops"))
        _ = try await client.upsertCheckpoint(Sample.checkpoint(code: "HUU-NGHI", kind: .land), options: caller("ops"))
    }

    func testGetPersonAnswersWhatTheListingRPCsAnswerForDocumentsBansAndCrossings() async throws {
        let person = try await client.createPerson(Sample.createPerson(Sample.foreigner()), options: caller("ops")).person!
        let passport = try await client.issueDocument(Sample.issue(personID: person.personID), options: caller("ops")).document!
        let permit = try await client.issueDocument(Sample.issue(personID: person.personID, kind: .entryExitPermit),
                                                    options: caller("ops")).document!
        let card = try await client.issueDocument(Sample.issue(personID: person.personID, kind: .temporaryResidenceCard),
                                                  options: caller("ops")).document!
        func ban(startingIn days: Int) -> Immigration_Records_V1_PlaceExitBanRequest {
            .with {
                $0.requestID = UUID().uuidString
                $0.personID = person.personID
                $0.decidingAuthority = "Cơ quan điều tra Công an Hà Nội"
                $0.legalBasis = "QĐ 12/2026"
                $0.startsOn = CalendarDay.today.adding(days: days).proto
                $0.provenance = Sample.provenance(unit: "C01", actor: "investigator-2")
            }
        }
        let active = try await client.placeExitBan(ban(startingIn: -1), options: caller("control-unit")).exitBan!
        let later = try await client.placeExitBan(ban(startingIn: 30), options: caller("control-unit")).exitBan!
        var recorded: [Immigration_Records_V1_Crossing] = []
        for (index, checkpoint) in ["HAN", "HUU-NGHI", "HAN"].enumerated() {
            let at = Date().addingTimeInterval(Double(-3600 + index * 600))
            recorded.append(try await client.recordCrossing(Sample.crossing(key: passport, direction: index % 2 == 0 ? .exit : .entry,
                                                                            checkpoint: checkpoint, at: at),
                                                            options: caller("gate")).crossing!)
        }

        let read = try await client.getPerson(.with { $0.personID = person.personID; $0.recentCrossingsLimit = 2 },
                                              options: caller("gate"))
        XCTAssertEqual(read.person, person)
        let listed = try await client.listDocuments(.with { $0.personID = person.personID; $0.pageSize = 100 }, options: caller("ops"))
        XCTAssertEqual(read.documents, listed.documents)
        XCTAssertEqual(Set(read.documents.map(\.documentID)), [passport.documentID, permit.documentID, card.documentID])
        XCTAssertEqual(read.documents.first { $0.documentID == permit.documentID }?.status, .withdrawn)
        XCTAssertEqual(read.activeExitBans.map(\.exitBanID), [active.exitBanID])
        XCTAssertEqual(read.otherExitBans.map(\.exitBanID), [later.exitBanID])
        XCTAssertEqual(read.activeExitBans.first?.withdrawnDocumentIds, [permit.documentID])
        let crossings = try await client.listCrossings(.with { $0.personID = person.personID; $0.pageSize = 2 }, options: caller("ops"))
        XCTAssertEqual(read.recentCrossings, crossings.crossings)
        XCTAssertEqual(read.recentCrossings.map(\.crossingID), [recorded[2].crossingID, recorded[1].crossingID])
        XCTAssertEqual(read.recentCrossings.map(\.checkpoint?.kind), [.air, .land])
        XCTAssertEqual(read.recentCrossings, [recorded[2], recorded[1]])

        let none = try await client.createPerson(Sample.createPerson(Sample.foreigner(family: "Lee")), options: caller("ops")).person!
        let empty = try await client.getPerson(.with { $0.personID = none.personID }, options: caller("gate"))
        XCTAssertEqual(empty.person, none)
        XCTAssertTrue(empty.documents.isEmpty && empty.activeExitBans.isEmpty && empty.otherExitBans.isEmpty
                      && empty.recentCrossings.isEmpty)
    }

    func testGetPersonShowsACheckpointAsCommittedBeforeTheCallEvenWhenNoReplicaWasTold() async throws {
        let person = try await client.createPerson(Sample.createPerson(Sample.foreigner()), options: caller("ops")).person!
        let passport = try await client.issueDocument(Sample.issue(personID: person.personID), options: caller("ops")).document!
        _ = try await client.recordCrossing(Sample.crossing(key: passport), options: caller("gate"))
        let store = records.provider.persons
        let key = PersonStore.ProfileKey(personID: UUID(uuidString: person.personID)!, recentCrossings: 10)
        // Read in a batch (the checkpoints from the table checked by fingerprint) and alone (joined).
        func batched() async throws -> Immigration_Records_V1_Crossing? {
            let decode = try await PersonStore.profiles(of: [key, key], reads: store.reads, checkpoints: store.checkpoints)
            let answers = try await decode()
            XCTAssertEqual(answers.count, 2)
            return try answers[1].get()?.recentCrossings.first
        }
        let first = try await batched()
        XCTAssertEqual(first?.checkpoint?.retired, false)
        let readsBefore = store.checkpoints.reads

        // Changed behind the service's back: no upsert, no notification (as if
        // another replica's NOTIFY were still on its way).
        _ = try await records.pool.query("UPDATE checkpoints SET name = 'Nội Bài (T2)', retired = true WHERE code = 'HAN'")
        let listed = try await client.listCrossings(.with { $0.personID = person.personID }, options: caller("ops"))
        XCTAssertEqual(listed.crossings.first?.checkpoint?.name, "Nội Bài (T2)")
        let second = try await batched()
        XCTAssertEqual(second, listed.crossings.first)
        XCTAssertEqual(store.checkpoints.reads, readsBefore + 1, "the table was read again once")
        _ = try await batched()
        XCTAssertEqual(store.checkpoints.reads, readsBefore + 1, "an unchanged table is not read again")
        let alone = try await client.getPerson(.with { $0.personID = person.personID }, options: caller("gate"))
        XCTAssertEqual(alone.recentCrossings, listed.crossings)
    }

    func testACrossingWithADocumentBeyondTheFirstThousandListedShowsItsDocumentsReference() async throws {
        let person = try await client.createPerson(Sample.createPerson(Sample.foreigner()), options: caller("ops")).person!
        let old = try await client.issueDocument(Sample.issue(personID: person.personID, issued: CalendarDay.today.adding(days: -3000)),
                                                 options: caller("ops")).document!
        _ = try await client.recordCrossing(Sample.crossing(key: old), options: caller("gate"))
        // A thousand newer visas (GetPerson lists the newest 1,000 documents).
        _ = try await records.pool.query("""
            INSERT INTO documents (person_id, document_id, kind, number, issuing_state, issuing_authority, issued_on, valid_from,
                valid_until, status, status_source, status_unit_code, status_actor_id, created_source, created_unit_code,
                created_actor_id)
            SELECT \(UUID(uuidString: person.personID)!), gen_random_uuid(), 'visa', 'V' || lpad(n::text, 7, '0'), 'VNM', 'A08',
                current_date - 10, current_date - 10, current_date + 90, 'issued', 'procedure', 'A08', 'officer-1',
                'procedure', 'A08', 'officer-1'
            FROM generate_series(1, 1000) n
            """)
        let read = try await client.getPerson(.with { $0.personID = person.personID }, options: caller("gate"))
        XCTAssertEqual(read.documents.count, 1000)
        XCTAssertFalse(read.documents.contains { $0.documentID == old.documentID })
        XCTAssertEqual(read.recentCrossings.first?.document, old.details?.reference)
        let listed = try await client.listCrossings(.with { $0.personID = person.personID }, options: caller("ops"))
        XCTAssertEqual(read.recentCrossings, listed.crossings)
        // The same in a batch.
        let store = records.provider.persons
        let key = PersonStore.ProfileKey(personID: UUID(uuidString: person.personID)!, recentCrossings: 10)
        let decode = try await PersonStore.profiles(of: [key, key], reads: store.reads, checkpoints: store.checkpoints)
        let batched = try await decode()
        XCTAssertEqual(try batched[0].get()?.recentCrossings, listed.crossings)
    }

    func testTheEligibilityCheckWeighsOnlyUnliftedBansInForceOnTheDay() async throws {
        let person = try await client.createPerson(Sample.createPerson(Sample.foreigner()), options: caller("ops")).person!
        let passport = try await client.issueDocument(Sample.issue(personID: person.personID), options: caller("ops")).document!
        let placed = try await client.placeExitBan(.with {
            $0.requestID = UUID().uuidString
            $0.personID = person.personID
            $0.decidingAuthority = "Tòa án nhân dân TP Hà Nội"
            $0.legalBasis = "QĐ 7/2026"
            $0.startsOn = CalendarDay.today.adding(days: 2).proto
            $0.endsOn = CalendarDay.today.adding(days: 5).proto
            $0.provenance = Sample.provenance(unit: "C01", actor: "judge-1")
        }, options: caller("control-unit")).exitBan!
        func check(inDays days: Int, _ direction: Immigration_Common_V1_Direction)
            async throws -> Immigration_Records_V1_CheckCrossingEligibilityResponse {
            try await client.checkCrossingEligibility(.with {
                $0.document = .with { $0.reference = passport.details!.reference! }
                $0.direction = direction
                $0.checkpoint = .with { $0.code = "HAN" }
                $0.at = ProtoTimestamp(Date().addingTimeInterval(Double(days) * 86_400))
            }, options: caller("gate"))
        }
        let today = try await check(inDays: 0, .exit)
        XCTAssertTrue(today.allowed)
        XCTAssertEqual(today.personID, person.personID)
        XCTAssertEqual(today.documentStatus, .issued)
        XCTAssertEqual(today.validUntil, passport.details?.validUntil)
        let banned = try await check(inDays: 3, .exit)
        XCTAssertEqual(banned.reasons.map(\.code), [.exitBan])
        XCTAssertEqual(banned.reasons.first?.exitBanID, placed.exitBanID)
        let entering = try await check(inDays: 3, .entry)
        XCTAssertTrue(entering.allowed)
        let afterTheBan = try await check(inDays: 6, .exit)
        XCTAssertTrue(afterTheBan.allowed)
    }

    func testARetiredCheckpointRefusesCrossingsAtOnceHereAndAfterItsNotificationOnAnotherReplica() async throws {
        let person = try await client.createPerson(Sample.createPerson(Sample.foreigner()), options: caller("ops")).person!
        let passport = try await client.issueDocument(Sample.issue(personID: person.personID), options: caller("ops")).document!
        // A second replica of the service on the same schema, with a cache of its own.
        let other = RecordsServiceProvider(pool: records.pool, logger: RecordsTestServer.logger)
        let listener = other.startFeedListener()
        let server = try RecordsTestServer.makeServer(other, security: .plaintextForDevelopment)
        let channel = try Channel(target: "127.0.0.1:\(server.port)", security: .plaintext)
        let otherClient = Immigration_Records_V1_RecordsService.Client(channel: channel)
        defer { channel.close(); listener.cancel() }
        // Both caches hold HAN open.
        _ = try await client.recordCrossing(Sample.crossing(key: passport), options: caller("gate"))
        _ = try await otherClient.recordCrossing(Sample.crossing(key: passport), options: caller("gate"))

        var retired = Sample.checkpoint()
        retired.checkpoint?.retired = true
        retired.requestID = UUID().uuidString
        _ = try await client.upsertCheckpoint(retired, options: caller("ops"))
        await expectStatus(.failedPrecondition) {
            try await self.client.recordCrossing(Sample.crossing(key: passport), options: caller("gate"))
        }
        // The other replica learns it from the NOTIFY, long before its cache's maximum age.
        XCTAssertGreaterThan(other.checkpointCache.maxAge, .seconds(10))
        let deadline = ContinuousClock.now + .seconds(10)
        var refused = false
        while !refused && ContinuousClock.now < deadline {
            do {
                _ = try await otherClient.recordCrossing(Sample.crossing(key: passport), options: caller("gate"))
                try await Task.sleep(for: .milliseconds(50))
            } catch let error as RPCError where error.code == .failedPrecondition {
                refused = true
            }
        }
        XCTAssertTrue(refused, "the other replica still records crossings at a retired checkpoint")
        await server.shutdown(gracePeriod: .seconds(1))

        // A checkpoint added after the cache was filled is found at once.
        _ = try await client.upsertCheckpoint(Sample.checkpoint(code: "CAT-BI", kind: .air), options: caller("ops"))
        let crossing = try await client.recordCrossing(Sample.crossing(key: passport, checkpoint: "CAT-BI"), options: caller("gate"))
        XCTAssertEqual(crossing.crossing?.checkpoint?.code, "CAT-BI")
    }
}

/// The readers' own decoders: a uuid column as text, arrays of records.
final class RowReadingTests: XCTestCase {
    func testAUUIDColumnReadsAsTheLowerCaseTextOfUUID() throws {
        for _ in 0..<100 {
            let uuid = UUID()
            var bytes: [UInt8] = []
            uuid.encode(into: &bytes)
            let text = try bytes.withUnsafeBytes { try UUIDText.decode(from: $0, type: .uuid).text }
            XCTAssertEqual(text, uuid.uuidString.lowercased())
        }
        XCTAssertThrowsError(try [UInt8](repeating: 0, count: 15).withUnsafeBytes { try UUIDText.decode(from: $0, type: .uuid) })
        XCTAssertThrowsError(try UUIDText.decode(from: nil, type: .uuid))
    }

    func testASelectListNamesEachFieldByItsAliasOrColumnAndKeepsCommasInsideParentheses() {
        let list = SelectList("d.kind, coalesce(k.border_country::text, '') AS border_country, ARRAY(SELECT c.id FROM c ORDER BY c.a, c.b) AS ids")
        XCTAssertEqual(list.names, ["kind", "border_country", "ids"])
        XCTAssertEqual(list.record, "ROW(d.kind, coalesce(k.border_country::text, ''), ARRAY(SELECT c.id FROM c ORDER BY c.a, c.b))")
        XCTAssertEqual(list.position(of: "ids"), 2)
        XCTAssertEqual(list.position(of: "kind"), 0)
        XCTAssertNil(list.position(of: "kinds"))
    }

    func testFieldPositionsFindEveryNameOfALongListAndNoOther() {
        let names = PersonRows.list.names + DocumentRows.list.names + CrossingRows.list.names + ["", "a", "ab", "ba"]
        let positions = FieldPositions(names)
        for (index, name) in names.enumerated() {
            XCTAssertEqual(positions.position(of: name), names.firstIndex(of: name), "\(name) at \(index)")
        }
        for missing in ["persons", "created_ax", "b", "crossed_at_", "é", "person_idd"] {
            XCTAssertNil(positions.position(of: missing), missing)
        }
    }
}
