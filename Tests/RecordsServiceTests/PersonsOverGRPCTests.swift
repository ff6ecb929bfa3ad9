import Contracts
import Foundation
import GRPCRuntime
import XCTest
@testable import RecordsService

/// CreatePerson, GetPerson, UpdatePerson with history, SearchPersons and the
/// document RPCs over real gRPC against a real PostgreSQL.
final class PersonsOverGRPCTests: RecordsOverGRPCTestCase {
    func testACreatedPersonIsReadBackWithDocumentsBansAndCrossings() async throws {
        let created = try await client.createPerson(Sample.createPerson(Sample.citizen()), options: caller("issuing-authority"))
        let person = try XCTUnwrap(created.person)
        XCTAssertEqual(person.foldedName, "NGUYEN VAN AN")
        XCTAssertEqual(person.version, 1)
        XCTAssertEqual(person.created?.unitCode, "A08")
        XCTAssertNotNil(person.created?.recordedAt)
        let issued = try await client.issueDocument(Sample.issue(personID: person.personID), options: caller("issuing-authority"))
        _ = try await client.upsertCheckpoint(Sample.checkpoint(), options: caller("ops"))
        let document = try XCTUnwrap(issued.document)
        XCTAssertEqual(document.status, .issued)
        _ = try await client.recordCrossing(Sample.crossing(key: document), options: caller("gate", "HAN-T2-07"))

        let read = try await client.getPerson(.with { $0.personID = person.personID }, options: caller("gate", "HAN-T2-07"))
        XCTAssertEqual(read.person?.details?.name?.familyName, "Nguyễn")
        XCTAssertEqual(read.person?.details?.citizenID, "001085012345")
        XCTAssertEqual(read.documents.map(\.documentID), [document.documentID])
        XCTAssertEqual(read.recentCrossings.count, 1)
        XCTAssertEqual(read.recentCrossings.first?.checkpoint?.kind, .air)
        XCTAssertEqual(read.recentCrossings.first?.document?.number, document.details?.reference?.number)
        XCTAssertTrue(read.activeExitBans.isEmpty)
    }

    func testARetriedCreatePersonReturnsTheFirstPersonAndWritesOnce() async throws {
        let request = Sample.createPerson(Sample.citizen())
        let first = try await client.createPerson(request, options: caller("service", "portal"))
        let again = try await client.createPerson(request, options: caller("service", "portal"))
        XCTAssertEqual(first, again)
        let count = try await records.pool.query("SELECT count(*)::int8 FROM persons").scalar(Int64.self)
        XCTAssertEqual(count, 1)
        var other = request
        other.details?.remarks = "different"
        await expectStatus(.alreadyExists) { try await self.client.createPerson(other, options: caller("service", "portal")) }
    }

    func testACitizenIDBelongsToOnePersonOnly() async throws {
        _ = try await client.createPerson(Sample.createPerson(Sample.citizen()), options: caller("ops"))
        await expectStatus(.alreadyExists) {
            try await self.client.createPerson(Sample.createPerson(Sample.citizen(given: "Bình")), options: caller("ops"))
        }
    }

    func testBadInputIsInvalidArgumentNamingEveryFieldAndRule() async throws {
        var details = Sample.citizen(citizenID: "003085012345")
        details.sex = .unspecified
        details.nationalities = ["VNM", "ZZZ"]
        var request = Sample.createPerson(details, requestID: "not-a-uuid")
        request.provenance?.unitCode = ""
        let error = await expectStatus(.invalidArgument) { try await self.client.createPerson(request, options: caller("ops")) }
        let fields = Set(error?.fieldViolations.map(\.field) ?? [])
        XCTAssertEqual(fields, ["request_id", "details.citizen_id", "details.sex", "details.nationalities[1]", "provenance.unit_code"])
        XCTAssertTrue(error?.fieldViolations.contains { $0.field == "details.citizen_id" && $0.description.hasPrefix("province_code") } ?? false)
        let count = try await records.pool.query("SELECT count(*)::int8 FROM persons").scalar(Int64.self)
        XCTAssertEqual(count, 0)
    }

    func testAnUnknownPersonIsNotFoundAndAMalformedIDIsInvalid() async throws {
        await expectStatus(.notFound) {
            try await self.client.getPerson(.with { $0.personID = UUID().uuidString }, options: caller("ops"))
        }
        let error = await expectStatus(.invalidArgument) {
            try await self.client.getPerson(.with { $0.personID = "42" }, options: caller("ops"))
        }
        XCTAssertEqual(error?.fieldViolations.first?.field, "person_id")
        // An existing person's id with a blank for its first digit: refused, not
        // read as another id (Foundation's sscanf-based parse shifts the digits by one).
        let person = try await client.createPerson(Sample.createPerson(Sample.citizen()), options: caller("ops")).person!
        let blanked = " " + person.personID.dropFirst()
        let refused = await expectStatus(.invalidArgument) {
            try await self.client.getPerson(.with { $0.personID = blanked }, options: caller("ops"))
        }
        XCTAssertEqual(refused?.fieldViolations.first?.field, "person_id")
    }

    func testACorrectionKeepsThePreviousVersionInHistory() async throws {
        let person = try await client.createPerson(Sample.createPerson(Sample.citizen()), options: caller("ops")).person!
        var corrected = Sample.citizen(given: "Ân")
        corrected.remarks = "spelling corrected"
        let update = Immigration_Records_V1_UpdatePersonRequest.with {
            $0.requestID = UUID().uuidString
            $0.personID = person.personID
            $0.expectedVersion = 1
            $0.details = corrected
            $0.reason = "Decision 12/QĐ"
            $0.provenance = Sample.provenance(.provided)
        }
        let updated = try await client.updatePerson(update, options: caller("control-unit"))
        XCTAssertEqual(updated.person?.version, 2)
        XCTAssertEqual(updated.person?.details?.name?.givenName, "Ân")
        let history = try await client.getPersonHistory(.with { $0.personID = person.personID }, options: caller("ops"))
        XCTAssertEqual(history.revisions.map(\.version), [2, 1])
        XCTAssertEqual(history.revisions.last?.details?.name?.givenName, "An")
        XCTAssertEqual(history.revisions.first?.reason, "Decision 12/QĐ")
        XCTAssertEqual(history.revisions.first?.provenance?.source, .provided)
        var stale = update
        stale.requestID = UUID().uuidString
        await expectStatus(.aborted) { try await self.client.updatePerson(stale, options: caller("ops")) }
    }

    func testSearchFindsFoldedNamePrefixesWithPartialDatesAndDocumentNumbers() async throws {
        let an = try await client.createPerson(Sample.createPerson(Sample.citizen()), options: caller("ops")).person!
        _ = try await client.createPerson(Sample.createPerson(Sample.citizen(citizenID: "001090012345", given: "Bình", year: 1990)),
                                          options: caller("ops"))
        _ = try await client.createPerson(Sample.createPerson(Sample.foreigner()), options: caller("ops"))
        let byName = try await client.searchPersons(.with { $0.name = .with { $0.namePrefix = "NGUYEN VAN" } }, options: caller("ops"))
        XCTAssertEqual(byName.persons.count, 2)
        let withYear = try await client.searchPersons(.with {
            $0.name = .with { $0.namePrefix = "nguyen van"; $0.dateOfBirth = .with { $0.year = 1985 } }
        }, options: caller("ops"))
        XCTAssertEqual(withYear.persons.map(\.personID), [an.personID])
        let paged = try await client.searchPersons(.with { $0.name = .with { $0.namePrefix = "Nguyễn" }; $0.pageSize = 1 }, options: caller("ops"))
        XCTAssertEqual(paged.persons.count, 1)
        XCTAssertFalse(paged.nextPageToken.isEmpty)
        let next = try await client.searchPersons(.with {
            $0.name = .with { $0.namePrefix = "Nguyễn" }; $0.pageSize = 1; $0.pageToken = paged.nextPageToken
        }, options: caller("ops"))
        XCTAssertEqual(next.persons.count, 1)
        XCTAssertNotEqual(next.persons.first?.personID, paged.persons.first?.personID)
        let document = try await client.issueDocument(Sample.issue(personID: an.personID, number: "C1234567"), options: caller("ops"))
        let byNumber = try await client.searchPersons(.with { $0.document = .with { $0.number = "c 123-4567" } }, options: caller("ops"))
        XCTAssertEqual(byNumber.persons.map(\.personID), [document.document!.personID])
        let byCitizenID = try await client.searchPersons(.with { $0.citizenID = "001085012345" }, options: caller("ops"))
        XCTAssertEqual(byCitizenID.persons.map(\.personID), [an.personID])
        let error = await expectStatus(.invalidArgument) {
            try await self.client.searchPersons(.with { $0.name = .with { $0.namePrefix = "Ễ" } }, options: caller("ops"))
        }
        XCTAssertEqual(error?.fieldViolations.first?.field, "name.name_prefix")
    }

    func testDocumentStatusChangesFollowTheStateTableAndKeepTheirHistory() async throws {
        let person = try await client.createPerson(Sample.createPerson(Sample.citizen()), options: caller("ops")).person!
        let document = try await client.issueDocument(Sample.issue(personID: person.personID), options: caller("ops")).document!
        func change(_ target: Immigration_Common_V1_DocumentStatus) -> Immigration_Records_V1_ChangeDocumentStatusRequest {
            .with {
                $0.requestID = UUID().uuidString
                $0.document = .with { $0.personID = document.personID; $0.documentID = document.documentID }
                $0.targetStatus = target
                $0.reason = "loss report 55"
                $0.provenance = Sample.provenance()
            }
        }
        let lost = try await client.changeDocumentStatus(change(.reportedLost), options: caller("issuing-authority"))
        XCTAssertEqual(lost.document?.status, .reportedLost)
        XCTAssertEqual(lost.change?.fromStatus, .issued)
        let restored = try await client.changeDocumentStatus(change(.restored), options: caller("issuing-authority"))
        XCTAssertEqual(restored.document?.version, 3)
        _ = try await client.changeDocumentStatus(change(.cancelled), options: caller("issuing-authority"))
        let refused = await expectStatus(.failedPrecondition) {
            try await self.client.changeDocumentStatus(change(.restored), options: caller("issuing-authority"))
        }
        XCTAssertTrue(refused?.message.hasPrefix("cancelled_is_final") ?? false)
        await expectStatus(.invalidArgument) {
            try await self.client.changeDocumentStatus(change(.issued), options: caller("issuing-authority"))
        }
        let read = try await client.getDocument(.with {
            $0.document = .with { $0.reference = document.details!.reference! }
        }, options: caller("gate"))
        XCTAssertEqual(read.statusHistory.map(\.toStatus), [.issued, .reportedLost, .restored, .cancelled])
        let listed = try await client.listDocuments(.with { $0.personID = person.personID; $0.statuses = [.cancelled] }, options: caller("ops"))
        XCTAssertEqual(listed.documents.count, 1)
        await expectStatus(.alreadyExists) {
            try await self.client.issueDocument(Sample.issue(personID: person.personID, number: document.details!.reference!.number),
                                                options: caller("ops"))
        }
        await expectStatus(.notFound) {
            try await self.client.issueDocument(Sample.issue(personID: UUID().uuidString), options: caller("ops"))
        }
    }
}
