import Foundation
import Postgres
import XCTest
@testable import RecordsService

/// Bulk intake makes each person's first revision before the batch's
/// transaction and puts the transaction's time in during it: the result must
/// be, byte for byte, the revision made with that time (docs/records.md,
/// "Bulk intake").
final class IntakeRevisionTemplateTests: XCTestCase {
    func revision(_ details: PersonDetails, at now: String) -> PostgresJSON {
        PersonRevisionJSON.firstVersion(personID: UUID(uuidString: "6F1D2C3B-0000-4000-8000-000000000001")!, details: details,
                                        intakeReference: "legacy-a08:P1", source: "converted_database", unit: "A08",
                                        actor: "loader", at: now)
    }

    func testTheTransactionsTimePutInATemplateGivesTheRevisionMadeWithThatTime() throws {
        let details = try RequestInput.personDetails(Sample.citizen())
        let now = "2026-11-24T03:12:21.123456+00:00"
        let template = IntakeStore.RevisionTemplate(revision(details, at: ""))
        XCTAssertEqual(template.json(at: Array(now.utf8)).text, revision(details, at: now).text)
    }

    func testKeysAndQuotesInsideTheDetailsDoNotMoveWhereTheTimeGoes() throws {
        var input = Sample.citizen()
        input.remarks = #"copied: "created_at":"", "updated_at":"" and \"updated_at\":\"\""#
        input.biometricSubjectID = #""updated_at":"""#
        let details = try RequestInput.personDetails(input)
        let now = "2026-11-24T03:12:21+00:00"
        let template = IntakeStore.RevisionTemplate(revision(details, at: ""))
        XCTAssertEqual(template.json(at: Array(now.utf8)).text, revision(details, at: now).text)
    }
}
