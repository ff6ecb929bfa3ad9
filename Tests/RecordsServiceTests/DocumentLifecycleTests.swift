import XCTest
@testable import RecordsService

/// The document state table of docs/records.md, pair by pair.
final class DocumentLifecycleTests: XCTestCase {
    let today = CalendarDay(year: 2026, month: 3, day: 1)!

    func facts(kind: DocumentKind = .ordinaryPassport, state: String = "VNM", validUntil: CalendarDay? = nil,
               superseded: Bool = false) -> DocumentLifecycle.Facts {
        DocumentLifecycle.Facts(kind: kind, issuingState: state, validUntil: validUntil ?? CalendarDay(year: 2030, month: 1, day: 1)!,
                                today: today, supersededByNewerPassport: superseded)
    }

    /// The expected answer for a Vietnamese passport (or, for withdrawal, a
    /// Q679 permit) whose term has not ended, or has for expiry.
    static let allowed: Set<String> = [
        "issued>revoked", "issued>cancelled", "issued>reported_lost", "issued>expired", "issued>withdrawn",
        "restored>revoked", "restored>cancelled", "restored>reported_lost", "restored>expired", "restored>withdrawn",
        "reported_lost>restored", "reported_lost>cancelled",
        "revoked>cancelled",
    ]

    func testEveryPairOfStatusesFollowsTheStateTable() {
        for from in DocumentStatus.allCases {
            for to in DocumentStatus.allCases {
                let key = "\(from.rawValue)>\(to.rawValue)"
                // Choose the facts under which the pair's own conditions hold,
                // so that only the table decides.
                var f = facts()
                if to == .withdrawn { f.kind = .entryExitPermit }
                if to == .expired { f.validUntil = CalendarDay(year: 2025, month: 12, day: 31)! }
                let result = Result { () throws(DocumentLifecycle.Refusal) in try DocumentLifecycle.check(from: from, to: to, facts: f) }
                if Self.allowed.contains(key) {
                    XCTAssertNoThrow(try result.get(), key)
                } else {
                    XCTAssertThrowsError(try result.get(), key)
                }
            }
        }
    }

    func testACancelledPassportCanNeverBeUsedAgain() {
        for to in DocumentStatus.allCases {
            XCTAssertThrowsError(try DocumentLifecycle.check(from: .cancelled, to: to, facts: facts())) { error in
                let refusal = error as? DocumentLifecycle.Refusal
                XCTAssertEqual(refusal?.rule, to == .cancelled ? "same_status" : "cancelled_is_final")
            }
        }
    }

    func testAWithdrawnPermitStaysWithdrawnAfterTheBanIsLifted() {
        XCTAssertThrowsError(try DocumentLifecycle.check(from: .withdrawn, to: .restored, facts: facts(kind: .entryExitPermit))) {
            XCTAssertEqual(($0 as? DocumentLifecycle.Refusal)?.rule, "withdrawn_is_final")
        }
        XCTAssertThrowsError(try DocumentLifecycle.check(from: .withdrawn, to: .issued, facts: facts(kind: .entryExitPermit)))
    }

    func testALostVietnameseOrdinaryPassportFoundWithinItsTermIsRestored() throws {
        try DocumentLifecycle.check(from: .reportedLost, to: .restored, facts: facts())
        try DocumentLifecycle.check(from: .reportedLost, to: .restored, facts: facts(validUntil: today))
    }

    func testALostPassportCannotBeRestoredAfterItsTermEnded() {
        XCTAssertThrowsError(try DocumentLifecycle.check(from: .reportedLost, to: .restored,
                                                         facts: facts(validUntil: CalendarDay(year: 2026, month: 2, day: 28)!))) {
            XCTAssertEqual(($0 as? DocumentLifecycle.Refusal)?.rule, "restoration_after_term")
        }
    }

    func testALostPassportReplacedByANewOneCannotBeRestored() {
        XCTAssertThrowsError(try DocumentLifecycle.check(from: .reportedLost, to: .restored, facts: facts(superseded: true))) {
            XCTAssertEqual(($0 as? DocumentLifecycle.Refusal)?.rule, "restoration_after_replacement")
        }
    }

    func testOnlyVietnameseOrdinaryPassportsAreRestored() {
        for kind in DocumentKind.allCases where kind != .ordinaryPassport {
            XCTAssertThrowsError(try DocumentLifecycle.check(from: .reportedLost, to: .restored, facts: facts(kind: kind)), kind.rawValue)
        }
        XCTAssertThrowsError(try DocumentLifecycle.check(from: .reportedLost, to: .restored, facts: facts(state: "USA"))) {
            XCTAssertEqual(($0 as? DocumentLifecycle.Refusal)?.rule, "restoration_only_for_ordinary_passports")
        }
    }

    func testOnlyEntryAndExitPermitsAreWithdrawn() {
        for kind in DocumentKind.allCases {
            let result = Result { () throws(DocumentLifecycle.Refusal) in
                try DocumentLifecycle.check(from: .issued, to: .withdrawn, facts: facts(kind: kind))
            }
            if kind == .entryExitPermit { XCTAssertNoThrow(try result.get()) } else { XCTAssertThrowsError(try result.get(), kind.rawValue) }
        }
    }

    func testAPermitIsWithdrawnNotRevoked() {
        XCTAssertThrowsError(try DocumentLifecycle.check(from: .issued, to: .revoked, facts: facts(kind: .entryExitPermit))) {
            XCTAssertEqual(($0 as? DocumentLifecycle.Refusal)?.rule, "permits_are_withdrawn")
        }
    }

    func testADocumentExpiresOnlyAfterItsLastDay() {
        XCTAssertThrowsError(try DocumentLifecycle.check(from: .issued, to: .expired, facts: facts(validUntil: today))) {
            XCTAssertEqual(($0 as? DocumentLifecycle.Refusal)?.rule, "term_not_ended")
        }
        XCTAssertNoThrow(try DocumentLifecycle.check(from: .issued, to: .expired, facts: facts(validUntil: today.adding(days: -1))))
    }

    func testIssuedIsNotATargetOfAStatusChange() {
        XCTAssertThrowsError(try DocumentLifecycle.validatedTarget(.issued, field: "target_status")) {
            XCTAssertEqual(($0 as? ValidationError)?.rule, "not_a_target")
        }
        XCTAssertThrowsError(try DocumentLifecycle.validatedTarget(nil, field: "target_status"))
        XCTAssertEqual(try DocumentLifecycle.validatedTarget(.cancelled, field: "target_status"), .cancelled)
    }

    func testOnlyIssuedAndRestoredDocumentsAreUsable() {
        XCTAssertEqual(Set(DocumentStatus.allCases.filter(\.isUsable)), [.issued, .restored])
    }
}
