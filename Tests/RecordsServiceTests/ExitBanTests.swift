import XCTest
@testable import RecordsService

final class ExitBanTests: XCTestCase {
    let first = CalendarDay(year: 2026, month: 3, day: 1)!
    let last = CalendarDay(year: 2026, month: 3, day: 31)!

    func testABanIsActiveFromItsFirstToItsLastDayInclusive() {
        let ban = ExitBanTerm(startsOn: first, endsOn: last, liftedFrom: nil)
        XCTAssertFalse(ban.isActive(on: first.adding(days: -1)))
        XCTAssertTrue(ban.isActive(on: first))
        XCTAssertTrue(ban.isActive(on: last))
        XCTAssertFalse(ban.isActive(on: last.adding(days: 1)))
    }

    func testABanWithoutALastDayRunsUntilLifted() throws {
        let ban = ExitBanTerm(startsOn: first, endsOn: nil, liftedFrom: nil)
        XCTAssertTrue(ban.isActive(on: CalendarDay(year: 2040, month: 1, day: 1)!))
        let lifted = try ban.lifted(from: CalendarDay(year: 2026, month: 6, day: 1)!)
        XCTAssertTrue(lifted.isActive(on: CalendarDay(year: 2026, month: 5, day: 31)!))
        XCTAssertFalse(lifted.isActive(on: CalendarDay(year: 2026, month: 6, day: 1)!))
    }

    func testABanCannotBeLiftedTwice() throws {
        let lifted = try ExitBanTerm(startsOn: first, endsOn: last, liftedFrom: nil).lifted(from: first)
        XCTAssertThrowsError(try lifted.lifted(from: last)) {
            XCTAssertEqual(($0 as? ExitBanTerm.LiftRefusal)?.rule, "already_lifted")
        }
    }

    func testABanNeedsAnAuthorityALegalBasisAndOrderedDates() {
        XCTAssertThrowsError(try ExitBanTerm.validatedPlacement(decidingAuthority: " ", legalBasis: "", startsOn: last, endsOn: first)) {
            let errors = ($0 as? ValidationErrors)?.errors.map { "\($0.field):\($0.rule)" }
            XCTAssertEqual(errors, ["deciding_authority:required", "legal_basis:required", "ends_on:not_before_starts_on"])
        }
        XCTAssertNoThrow(try ExitBanTerm.validatedPlacement(decidingAuthority: "TAND Hà Nội", legalBasis: "QĐ 12/2026",
                                                            startsOn: first, endsOn: first))
    }

    func testABanWithdrawsTheHoldersUsablePermitsOnly() {
        let holdings: [PermitWithdrawal.Holding] = [
            .init(documentID: "permit-issued", kind: .entryExitPermit, status: .issued),
            .init(documentID: "permit-restored", kind: .entryExitPermit, status: .restored),
            .init(documentID: "permit-expired", kind: .entryExitPermit, status: .expired),
            .init(documentID: "permit-withdrawn", kind: .entryExitPermit, status: .withdrawn),
            .init(documentID: "card", kind: .temporaryResidenceCard, status: .issued),
            .init(documentID: "passport", kind: .ordinaryPassport, status: .issued),
        ]
        XCTAssertEqual(PermitWithdrawal.documentsToWithdraw(holdings), ["permit-issued", "permit-restored"])
        XCTAssertTrue(PermitWithdrawal.reason(exitBanID: "B7").contains("Q679 Art 7"))
    }
}
