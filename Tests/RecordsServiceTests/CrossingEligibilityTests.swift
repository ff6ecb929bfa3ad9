import XCTest
@testable import RecordsService

final class CrossingEligibilityTests: XCTestCase {
    let day = CalendarDay(year: 2026, month: 3, day: 15)!

    func passport(_ status: DocumentStatus = .issued, kind: DocumentKind = .ordinaryPassport,
                  from: CalendarDay? = nil, until: CalendarDay? = nil) -> CrossingEligibility.DocumentFacts {
        CrossingEligibility.DocumentFacts(kind: kind, status: status,
                                          validFrom: from ?? CalendarDay(year: 2020, month: 1, day: 1)!,
                                          validUntil: until ?? CalendarDay(year: 2030, month: 1, day: 1)!)
    }

    func ban(_ id: String, _ starts: CalendarDay, _ ends: CalendarDay? = nil, lifted: CalendarDay? = nil) -> CrossingEligibility.BanFacts {
        CrossingEligibility.BanFacts(exitBanID: id, term: ExitBanTerm(startsOn: starts, endsOn: ends, liftedFrom: lifted))
    }

    func testAValidPassportWithoutABanMayCrossBothWays() {
        for direction in [CrossingEligibility.Direction.entry, .exit] {
            XCTAssertEqual(CrossingEligibility.reasons(document: passport(), direction: direction, checkpointKind: .air, day: day, exitBans: []), [])
        }
        XCTAssertEqual(CrossingEligibility.reasons(document: passport(.restored), direction: .exit, checkpointKind: nil, day: day, exitBans: []), [])
    }

    func testAnUnknownDocumentIsARefusalNotAnError() {
        XCTAssertEqual(CrossingEligibility.reasons(document: nil, direction: .entry, checkpointKind: nil, day: day, exitBans: []),
                       [.documentUnknown])
    }

    func testEveryUnusableStatusIsAReason() {
        for status in DocumentStatus.allCases where !status.isUsable {
            XCTAssertEqual(CrossingEligibility.reasons(document: passport(status), direction: .entry, checkpointKind: nil, day: day, exitBans: []),
                           [.documentStatus(status)], status.rawValue)
        }
    }

    func testAStatusReasonTellsTheOfficerTheStatusInWords() {
        let reason = CrossingEligibility.Reason.documentStatus(.reportedLost).proto
        XCTAssertEqual(reason.code, .documentStatus)
        XCTAssertEqual(reason.documentStatus, .reportedLost)
        XCTAssertEqual(reason.message, "The document is reported lost.")
        for status in DocumentStatus.allCases {
            XCTAssertEqual(CrossingEligibility.Reason.documentStatus(status).proto.message,
                           "The document is \(status.rawValue.replacingOccurrences(of: "_", with: " ")).", status.rawValue)
        }
    }

    func testADocumentIsValidThroughItsLastDayAndNotAfter() {
        XCTAssertEqual(CrossingEligibility.reasons(document: passport(until: day), direction: .exit, checkpointKind: nil, day: day, exitBans: []), [])
        let yesterday = day.adding(days: -1)
        XCTAssertEqual(CrossingEligibility.reasons(document: passport(until: yesterday), direction: .exit, checkpointKind: nil, day: day, exitBans: []),
                       [.documentExpired(validUntil: yesterday)])
    }

    func testADocumentIsNotValidBeforeItsFirstDay() {
        let tomorrow = day.adding(days: 1)
        XCTAssertEqual(CrossingEligibility.reasons(document: passport(from: tomorrow), direction: .entry, checkpointKind: nil, day: day, exitBans: []),
                       [.documentNotYetValid(validFrom: tomorrow)])
    }

    func testAnActiveExitBanBlocksExitButNotEntry() {
        let bans = [ban("B1", day.adding(days: -10), day.adding(days: 10))]
        XCTAssertEqual(CrossingEligibility.reasons(document: passport(), direction: .exit, checkpointKind: .air, day: day, exitBans: bans),
                       [.exitBan(exitBanID: "B1")])
        XCTAssertEqual(CrossingEligibility.reasons(document: passport(), direction: .entry, checkpointKind: .air, day: day, exitBans: bans), [])
    }

    func testLiftedEndedAndFutureBansDoNotBlockExit() {
        let bans = [ban("lifted", day.adding(days: -10), nil, lifted: day),
                    ban("ended", day.adding(days: -10), day.adding(days: -1)),
                    ban("future", day.adding(days: 1))]
        XCTAssertEqual(CrossingEligibility.reasons(document: passport(), direction: .exit, checkpointKind: nil, day: day, exitBans: bans), [])
    }

    func testEveryReasonThatAppliesIsReported() {
        let bans = [ban("B1", day.adding(days: -1)), ban("B2", day)]
        let reasons = CrossingEligibility.reasons(document: passport(.reportedLost, until: day.adding(days: -3)),
                                                  direction: .exit, checkpointKind: nil, day: day, exitBans: bans)
        XCTAssertEqual(reasons, [.documentStatus(.reportedLost), .documentExpired(validUntil: day.adding(days: -3)),
                                 .exitBan(exitBanID: "B1"), .exitBan(exitBanID: "B2")])
    }

    func testAnExpiredStatusIsReportedOnceNotTwice() {
        let reasons = CrossingEligibility.reasons(document: passport(.expired, until: day.adding(days: -3)), direction: .entry,
                                                  checkpointKind: nil, day: day, exitBans: [])
        XCTAssertEqual(reasons, [.documentStatus(.expired)])
    }

    func testVisasAndResidenceCardsAreNotTravelDocuments() {
        for kind in [DocumentKind.visa, .temporaryResidenceCard, .permanentResidenceCard] {
            XCTAssertEqual(CrossingEligibility.reasons(document: passport(kind: kind), direction: .entry, checkpointKind: nil, day: day, exitBans: []),
                           [.notATravelDocument(kind)])
        }
        XCTAssertEqual(CrossingEligibility.reasons(document: passport(kind: .entryExitPermit), direction: .exit, checkpointKind: .air, day: day, exitBans: []), [])
    }

    func testALaissezPasserCrossesOnlyAtLandCheckpoints() {
        let lp = passport(kind: .laissezPasser)
        XCTAssertEqual(CrossingEligibility.reasons(document: lp, direction: .exit, checkpointKind: .land, day: day, exitBans: []), [])
        XCTAssertEqual(CrossingEligibility.reasons(document: lp, direction: .exit, checkpointKind: .air, day: day, exitBans: []), [.laissezPasserLandOnly])
        XCTAssertEqual(CrossingEligibility.reasons(document: lp, direction: .exit, checkpointKind: .sea, day: day, exitBans: []), [.laissezPasserLandOnly])
    }
}
