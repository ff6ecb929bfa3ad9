import Contracts
import Foundation
import GRPCRuntime
import XCTest
@testable import RecordsService

/// RecordCrossing (idempotent, also under racing retries), ListCrossings,
/// CheckCrossingEligibility, exit bans withdrawing permits, and statistics.
final class CrossingsOverGRPCTests: RecordsOverGRPCTestCase {
    override func setUp() async throws {
        try await super.setUp()
        _ = try await client.upsertCheckpoint(Sample.checkpoint(), options: caller("ops"))
        _ = try await client.upsertCheckpoint(Sample.checkpoint(code: "HUU-NGHI", kind: .land), options: caller("ops"))
    }

    func passportHolder() async throws -> Immigration_Records_V1_Document {
        let person = try await client.createPerson(Sample.createPerson(Sample.citizen()), options: caller("ops")).person!
        return try await client.issueDocument(Sample.issue(personID: person.personID), options: caller("ops")).document!
    }

    func testConcurrentRetriesOfOneCrossingStoreItExactlyOnce() async throws {
        let document = try await passportHolder()
        let request = Sample.crossing(key: document)
        let client = self.client!
        let responses = try await withThrowingTaskGroup(of: Immigration_Records_V1_RecordCrossingResponse.self) { group in
            for _ in 0..<16 {
                group.addTask { try await client.recordCrossing(request, options: caller("gate", "HAN-T2-07")) }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        XCTAssertEqual(responses.count, 16)
        XCTAssertEqual(Set(responses.compactMap(\.crossing?.crossingID)).count, 1)
        XCTAssertEqual(responses.filter { !$0.replayed }.count, 1)
        let stored = try await records.pool.query("SELECT count(*)::int8 FROM crossings").scalar(Int64.self)
        XCTAssertEqual(stored, 1)
        let events = try await records.pool.query("SELECT count(*)::int8 FROM outbox WHERE change_type = 'crossing_recorded'")
            .scalar(Int64.self)
        XCTAssertEqual(events, 1)
        var other = request
        other.direction = .entry
        await expectStatus(.alreadyExists) { try await client.recordCrossing(other, options: caller("gate", "HAN-T2-07")) }
    }

    func testConcurrentRetriesOfOneExitBanPlaceItOnceAndWithdrawOnce() async throws {
        let person = try await client.createPerson(Sample.createPerson(Sample.foreigner()), options: caller("ops")).person!
        _ = try await client.issueDocument(Sample.issue(personID: person.personID, kind: .entryExitPermit), options: caller("ops"))
        let ban = Immigration_Records_V1_PlaceExitBanRequest.with {
            $0.requestID = UUID().uuidString
            $0.personID = person.personID
            $0.decidingAuthority = "Tòa án nhân dân TP Hồ Chí Minh"
            $0.legalBasis = "QĐ 3/2026"
            $0.startsOn = CalendarDay.today.proto
            $0.provenance = Sample.provenance()
        }
        let client = self.client!
        let answers = try await withThrowingTaskGroup(of: Immigration_Records_V1_PlaceExitBanResponse.self) { group in
            for _ in 0..<8 { group.addTask { try await client.placeExitBan(ban, options: caller("control-unit")) } }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        XCTAssertEqual(Set(answers).count, 1)
        let bans = try await records.pool.query("SELECT count(*)::int8 FROM exit_bans").scalar(Int64.self)
        let withdrawals = try await records.pool.query("SELECT count(*)::int8 FROM document_status_changes WHERE to_status = 'withdrawn'")
            .scalar(Int64.self)
        XCTAssertEqual(bans, 1)
        XCTAssertEqual(withdrawals, 1)
    }

    func testACrossingNeedsAKnownCheckpointAKnownDocumentAndAGateForABCLanes() async throws {
        let document = try await passportHolder()
        var unknownCheckpoint = Sample.crossing(key: document, checkpoint: "XYZ")
        var error = await expectStatus(.invalidArgument) {
            try await self.client.recordCrossing(unknownCheckpoint, options: caller("gate"))
        }
        XCTAssertEqual(error?.fieldViolations.first?.field, "checkpoint.code")
        unknownCheckpoint.checkpoint = .with { $0.code = "HAN" }
        unknownCheckpoint.gateID = ""
        unknownCheckpoint.crossedAt = ProtoTimestamp(Date().addingTimeInterval(3600))
        error = await expectStatus(.invalidArgument) { try await self.client.recordCrossing(unknownCheckpoint, options: caller("gate")) }
        XCTAssertEqual(Set(error?.fieldViolations.map(\.field) ?? []), ["gate_id", "crossed_at"])
        var unknownDocument = Sample.crossing(key: document)
        unknownDocument.document = .with { $0.reference = .with { $0.kind = .ordinaryPassport; $0.number = "Z9999999"; $0.issuingState = "VNM" } }
        await expectStatus(.notFound) { try await self.client.recordCrossing(unknownDocument, options: caller("gate")) }
    }

    func testCrossingsAreListedNewestFirstByPeriodAndDirectionInPages() async throws {
        let document = try await passportHolder()
        let now = Date()
        for (hoursAgo, direction) in [(50.0, Immigration_Common_V1_Direction.exit), (40, .entry), (30, .exit), (20, .entry), (10, .exit)] {
            _ = try await client.recordCrossing(Sample.crossing(key: document, direction: direction, at: now.addingTimeInterval(-hoursAgo * 3600)),
                                                options: caller("control-unit"))
        }
        let exits = try await client.listCrossings(.with { $0.personID = document.personID; $0.direction = .exit }, options: caller("ops"))
        XCTAssertEqual(exits.crossings.count, 3)
        XCTAssertTrue(zip(exits.crossings, exits.crossings.dropFirst()).allSatisfy { $0.crossedAt! > $1.crossedAt! })
        let recent = try await client.listCrossings(.with {
            $0.personID = document.personID
            $0.startTime = ProtoTimestamp(now.addingTimeInterval(-45 * 3600))
        }, options: caller("ops"))
        XCTAssertEqual(recent.crossings.count, 4)
        var seen: [String] = []
        var token = ""
        repeat {
            let page = try await client.listCrossings(.with { $0.personID = document.personID; $0.pageSize = 2; $0.pageToken = token },
                                                      options: caller("ops"))
            seen += page.crossings.map(\.crossingID)
            token = page.nextPageToken
        } while !token.isEmpty
        XCTAssertEqual(seen.count, 5)
        XCTAssertEqual(Set(seen).count, 5)
        let statistics = try await client.getCrossingStatistics(.with {
            $0.firstDay = CalendarDay.today.adding(days: -3).proto
            $0.lastDay = CalendarDay.today.proto
            $0.period = .year
            $0.byDirection = true
        }, options: caller("ops"))
        XCTAssertEqual(statistics.rows.reduce(0) { $0 + $1.crossings }, 5)
        XCTAssertEqual(statistics.rows.filter { $0.direction == .exit }.reduce(0) { $0 + $1.crossings }, 3)
    }

    func testEligibilityAnswersWithEveryReasonAndTreatsUnknownDocumentsAsRefusals() async throws {
        let document = try await passportHolder()
        let allowed = try await client.checkCrossingEligibility(.with {
            $0.document = .with { $0.reference = document.details!.reference! }
            $0.direction = .exit
            $0.checkpoint = .with { $0.code = "HAN" }
        }, options: caller("gate"))
        XCTAssertTrue(allowed.allowed)
        XCTAssertEqual(allowed.documentID, document.documentID)
        let unknown = try await client.checkCrossingEligibility(.with {
            $0.document = .with { $0.reference = .with { $0.kind = .ordinaryPassport; $0.number = "N0000000"; $0.issuingState = "VNM" } }
            $0.direction = .entry
        }, options: caller("gate"))
        XCTAssertFalse(unknown.allowed)
        XCTAssertEqual(unknown.reasons.map(\.code), [.documentUnknown])
        let person = try await client.createPerson(Sample.createPerson(Sample.citizen(citizenID: "001090012345", year: 1990)), options: caller("ops")).person!
        let pass = try await client.issueDocument(Sample.issue(personID: person.personID, kind: .laissezPasser,
                                                                until: CalendarDay.today.adding(days: -1)), options: caller("ops")).document!
        let refused = try await client.checkCrossingEligibility(.with {
            $0.document = .with { $0.key = .with { $0.personID = pass.personID; $0.documentID = pass.documentID } }
            $0.direction = .exit
            $0.checkpoint = .with { $0.code = "HAN" }
        }, options: caller("control-unit"))
        XCTAssertEqual(Set(refused.reasons.map(\.code)), [.documentExpired, .laissezPasserLandOnly])
        await expectStatus(.invalidArgument) {
            try await self.client.checkCrossingEligibility(.with {
                $0.document = .with { $0.key = .with { $0.personID = pass.personID; $0.documentID = pass.documentID } }
            }, options: caller("gate"))
        }
    }

    func testAnExitBanWithdrawsActivePermitsAtOnceBlocksExitAndStaysWithdrawnWhenLifted() async throws {
        let person = try await client.createPerson(Sample.createPerson(Sample.foreigner()), options: caller("ops")).person!
        let permit = try await client.issueDocument(Sample.issue(personID: person.personID, kind: .entryExitPermit), options: caller("ops")).document!
        let card = try await client.issueDocument(Sample.issue(personID: person.personID, kind: .temporaryResidenceCard), options: caller("ops")).document!
        let ban = Immigration_Records_V1_PlaceExitBanRequest.with {
            $0.requestID = UUID().uuidString
            $0.personID = person.personID
            $0.decidingAuthority = "Cơ quan điều tra Công an Hà Nội"
            $0.legalBasis = "QĐ 12/2026 (BLTTHS Art 124)"
            $0.startsOn = CalendarDay.today.adding(days: 3).proto
            $0.provenance = Sample.provenance(unit: "C01", actor: "investigator-2")
        }
        let placed = try await client.placeExitBan(ban, options: caller("control-unit"))
        XCTAssertEqual(placed.withdrawnDocuments.map(\.documentID), [permit.documentID])
        XCTAssertEqual(placed.withdrawnDocuments.first?.status, .withdrawn)
        XCTAssertEqual(placed.exitBan?.withdrawnDocumentIds, [permit.documentID])
        let retried = try await client.placeExitBan(ban, options: caller("control-unit"))
        XCTAssertEqual(retried, placed)
        let read = try await client.getDocument(.with {
            $0.document = .with { $0.key = .with { $0.personID = card.personID; $0.documentID = card.documentID } }
        }, options: caller("ops"))
        XCTAssertEqual(read.document?.status, .issued)
        let history = try await client.getDocument(.with {
            $0.document = .with { $0.key = .with { $0.personID = permit.personID; $0.documentID = permit.documentID } }
        }, options: caller("ops"))
        XCTAssertEqual(history.statusHistory.last?.exitBanID, placed.exitBan?.exitBanID)

        let atExit = try await client.checkCrossingEligibility(.with {
            $0.document = .with { $0.key = .with { $0.personID = permit.personID; $0.documentID = permit.documentID } }
            $0.direction = .exit
            $0.at = ProtoTimestamp(Date().addingTimeInterval(4 * 86_400))
        }, options: caller("gate"))
        XCTAssertEqual(Set(atExit.reasons.map(\.code)), [.documentStatus, .exitBan])
        XCTAssertEqual(atExit.reasons.first { $0.code == .exitBan }?.exitBanID, placed.exitBan?.exitBanID)

        let lift = Immigration_Records_V1_LiftExitBanRequest.with {
            $0.requestID = UUID().uuidString
            $0.personID = person.personID
            $0.exitBanID = placed.exitBan!.exitBanID
            $0.decidingAuthority = "Cơ quan điều tra Công an Hà Nội"
            $0.legalBasis = "QĐ 20/2026"
            $0.provenance = Sample.provenance(unit: "C01", actor: "investigator-2")
        }
        let lifted = try await client.liftExitBan(lift, options: caller("ops"))
        XCTAssertNotNil(lifted.exitBan?.lifted)
        var again = lift
        again.requestID = UUID().uuidString
        await expectStatus(.failedPrecondition) { try await self.client.liftExitBan(again, options: caller("ops")) }
        let after = try await client.getPerson(.with { $0.personID = person.personID }, options: caller("ops"))
        XCTAssertEqual(after.documents.first { $0.documentID == permit.documentID }?.status, .withdrawn)
        XCTAssertTrue(after.activeExitBans.isEmpty)
        XCTAssertEqual(after.otherExitBans.count, 1)
    }
}
