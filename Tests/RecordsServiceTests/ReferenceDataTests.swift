import XCTest
@testable import RecordsService

final class ReferenceDataTests: XCTestCase {
    func testTheNationalityListHoldsEveryISOCodeOnce() {
        XCTAssertEqual(NationalityCode.iso3166Alpha3.count, 249)
        XCTAssertTrue(NationalityCode.iso3166Alpha3.allSatisfy { $0.count == 3 && $0.uppercased() == $0 })
        for code in ["VNM", "CHN", "LAO", "KHM", "USA", "KOR", "JPN", "FRA", "DEU", "XXA"] {
            XCTAssertNoThrow(try NationalityCode.validated(code, field: "n"), code)
        }
    }

    func testAPersonMayHoldSeveralNationalitiesButEachOnce() throws {
        XCTAssertEqual(try NationalityCode.validatedList(["VNM", "FRA"], field: "n"), ["VNM", "FRA"])
        XCTAssertThrowsError(try NationalityCode.validatedList([], field: "n")) { XCTAssertEqual(($0 as? ValidationError)?.rule, "required") }
        XCTAssertThrowsError(try NationalityCode.validatedList(["VNM", "VNM"], field: "n")) {
            XCTAssertEqual(($0 as? ValidationError)?.field, "n[1]")
            XCTAssertEqual(($0 as? ValidationError)?.rule, "no_duplicates")
        }
        for bad in ["vnm", "VN", "VIE", "ZZZ", ""] {
            XCTAssertThrowsError(try NationalityCode.validatedList([bad], field: "n"), bad)
        }
    }

    func testACheckpointIsAirLandOrSeaUnderMPSOrMND() throws {
        let han = try CheckpointRecord.validated(code: "HAN", name: "Nội Bài", kind: .air, ministry: .publicSecurity,
                                                 borderCountry: "", retired: false, field: "checkpoint")
        XCTAssertNil(han.borderCountry)
        XCTAssertEqual(try CheckpointRecord.validated(code: "HUU-NGHI", name: "Hữu Nghị", kind: .land, ministry: .nationalDefence,
                                                      borderCountry: "CHN", retired: false, field: "checkpoint").borderCountry, "CHN")
        XCTAssertThrowsError(try CheckpointRecord.validated(code: "h", name: "", kind: nil, ministry: .foreignAffairs,
                                                            borderCountry: "THA", retired: false, field: "checkpoint")) {
            XCTAssertEqual(($0 as? ValidationErrors)?.errors.map(\.rule), ["checkpoint_code", "required", "required", "controls_checkpoints", "land_only"])
        }
        XCTAssertThrowsError(try CheckpointRecord.validated(code: "MOC-BAI", name: "Mộc Bài", kind: .land, ministry: .nationalDefence,
                                                            borderCountry: "THA", retired: false, field: "checkpoint")) {
            XCTAssertEqual(($0 as? ValidationErrors)?.errors.map(\.rule), ["land_neighbour"])
        }
    }

    func testDocumentNumbersAreNormalisedToUpperCaseLettersAndDigits() throws {
        XCTAssertEqual(try DocumentNumber.validated("c 123-4567", field: "n"), "C1234567")
        for bad in ["C12", "C1234567890123456789012", "C12345/67", "Ç1234567"] {
            XCTAssertThrowsError(try DocumentNumber.validated(bad, field: "n"), bad)
        }
    }

    func testProvenanceNeedsSourceUnitAndActor() {
        XCTAssertThrowsError(try ProvenanceInput.validated(source: nil, unitCode: "", actorID: " ", field: "provenance")) {
            XCTAssertEqual(($0 as? ValidationErrors)?.errors.map(\.field), ["provenance.source", "provenance.unit_code", "provenance.actor_id"])
        }
        XCTAssertNoThrow(try ProvenanceInput.validated(source: .procedure, unitCode: "HAN-BORDER", actorID: "officer-17", field: "provenance"))
        XCTAssertTrue(InformationSource.convertedDatabase.isDatabase)
        XCTAssertFalse(InformationSource.procedure.isDatabase)
    }

    func testAnABCGateCrossingNamesItsGateAndNoCrossingIsInTheFuture() {
        let now = Date(timeIntervalSince1970: 1_773_507_600)
        XCTAssertNoThrow(try CrossingRules.validate(lane: .abcGate, gateID: "HAN-ABC-03", crossedAt: now.addingTimeInterval(299), now: now))
        XCTAssertThrowsError(try CrossingRules.validate(lane: .abcGate, gateID: "", crossedAt: now.addingTimeInterval(301), now: now)) {
            XCTAssertEqual(($0 as? ValidationErrors)?.errors.map(\.rule), ["required_for_abc_gate", "not_in_future"])
        }
        XCTAssertThrowsError(try CrossingRules.validate(lane: .manual, gateID: "G1", crossedAt: nil, now: now)) {
            XCTAssertEqual(($0 as? ValidationErrors)?.errors.map(\.rule), ["only_for_abc_gate", "required"])
        }
    }

    func testRequestIDsAreUUIDsAndPageSizesAreBounded() throws {
        XCTAssertNoThrow(try RequestID.validated("123e4567-e89b-12d3-a456-426614174000"))
        XCTAssertThrowsError(try RequestID.validated("retry-1"))
        XCTAssertEqual(try Paging.pageSize(0), 50)
        XCTAssertEqual(try Paging.pageSize(5000), 1000)
        XCTAssertThrowsError(try Paging.pageSize(-1))
    }
}
