import Contracts
import Foundation
import GRPCRuntime
import XCTest
@testable import RecordsService

/// What bulk intake writes to the change feed: a DOCUMENT_STATUS_CHANGED
/// event for each document loaded in a status other than issued, nothing for
/// persons, issued documents and crossings (docs/records.md, "Bulk intake").
final class IntakeFeedEventsTests: RecordsOverGRPCTestCase {
    func testADocumentLoadedReportedLostReachesTheFeedAndHistoryLoadedAsIssuedDoesNot() async throws {
        _ = try await client.upsertCheckpoint(Sample.checkpoint(), options: caller("ops"))
        let issued = Sample.issue(personID: "", number: "B1000001").details!
        let lost = Sample.issue(personID: "", number: "B1000002").details!
        let spec = Immigration_Records_V1_IntakeJobSpec.with {
            $0.sourceSystem = "legacy-a08"
            $0.description = "feed events"
            $0.provenance = Sample.provenance(.convertedDatabase, unit: "A08", actor: "loader")
        }
        let response = try await client.bulkIntake(options: caller("ops")) { writer in
            try await writer.send(.with {
                $0.jobID = UUID().uuidString
                $0.job = spec
                $0.batchSequence = 1
                $0.lastBatch = true
                $0.rows = [
                    .with { $0.rowNumber = 1; $0.person = .with { $0.sourceKey = "P1"; $0.details = Sample.citizen() } },
                    .with { $0.rowNumber = 2; $0.document = .with { $0.personSourceKey = "P1"; $0.details = issued } },
                    .with {
                        $0.rowNumber = 3
                        $0.document = .with { $0.personSourceKey = "P1"; $0.details = lost; $0.status = .reportedLost }
                    },
                    .with {
                        $0.rowNumber = 4   // rejected (unknown person): no event either
                        $0.document = .with {
                            $0.personSourceKey = "NOBODY"; $0.details = Sample.issue(personID: "", number: "B1000003").details!
                            $0.status = .cancelled
                        }
                    },
                    .with {
                        $0.rowNumber = 5
                        $0.crossing = .with {
                            $0.personSourceKey = "P1"; $0.document = issued.reference!; $0.direction = .exit
                            $0.checkpointCode = "HAN"; $0.crossedAt = ProtoTimestamp(Date().addingTimeInterval(-3600))
                            $0.lane = .manual
                        }
                    },
                ]
            })
        }
        XCTAssertEqual(response.acceptedRows, 4)
        XCTAssertEqual(response.rejected.map(\.rowNumber), [4])

        let events = try await client.streamChanges(.with { $0.stopWhenCaughtUp = true }, options: caller("service")) { responses in
            var events: [Immigration_Records_V1_ChangeEvent] = []
            for try await event in responses { events.append(event) }
            return events
        }
        XCTAssertEqual(events.map(\.type), [.documentStatusChanged])
        let event = try XCTUnwrap(events.first)
        let changed = try XCTUnwrap(event.documentStatusChanged)
        XCTAssertEqual(changed.document?.details?.reference?.number, "B1000002")
        XCTAssertEqual(changed.document?.status, .reportedLost)
        XCTAssertEqual(changed.change?.toStatus, .reportedLost)
        XCTAssertEqual(changed.change?.fromStatus, .unspecified)
        XCTAssertEqual(changed.change?.provenance?.source, .convertedDatabase)
        XCTAssertEqual(event.personID, changed.document?.personID)
    }
}
