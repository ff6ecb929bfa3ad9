import Foundation
import XCTest
@testable import RecordsService

final class IntakeRulesTests: XCTestCase {
    func testABatchAfterTheLastCommittedOneIsLoaded() {
        XCTAssertEqual(IntakeRules.decide(batchSequence: 1, lastCommitted: 0), .load)
        XCTAssertEqual(IntakeRules.decide(batchSequence: 8, lastCommitted: 7), .load)
    }

    func testABatchCommittedBeforeIsSkippedOnResume() {
        XCTAssertEqual(IntakeRules.decide(batchSequence: 7, lastCommitted: 7), .skip)
        XCTAssertEqual(IntakeRules.decide(batchSequence: 1, lastCommitted: 7), .skip)
    }

    func testABatchAfterAGapIsRefusedNamingTheBatchExpected() {
        XCTAssertEqual(IntakeRules.decide(batchSequence: 9, lastCommitted: 7), .gap(expected: 8))
    }

    func testAJobLoadsFromADatabaseSourceOnly() {
        XCTAssertNoThrow(try IntakeRules.validatedJob(sourceSystem: "legacy-a08", description: "", source: .convertedDatabase))
        XCTAssertThrowsError(try IntakeRules.validatedJob(sourceSystem: "Legacy A08", description: "", source: .procedure)) {
            XCTAssertEqual(($0 as? ValidationErrors)?.errors.map(\.rule), ["source_system", "database_source"])
        }
    }

    func testABatchHasNumberedRowsWithinItsLimit() {
        XCTAssertNoThrow(try IntakeRules.validatedBatch(sequence: 1, rowNumbers: [1, 2, 3]))
        XCTAssertThrowsError(try IntakeRules.validatedBatch(sequence: 0, rowNumbers: [1, 1])) {
            XCTAssertEqual(($0 as? ValidationErrors)?.errors.map(\.rule), ["positive", "unique_in_batch"])
        }
        XCTAssertThrowsError(try IntakeRules.validatedBatch(sequence: 1, rowNumbers: Array(1...10_001))) {
            XCTAssertEqual(($0 as? ValidationErrors)?.errors.map(\.rule), ["max_rows"])
        }
    }

    // MARK: A batch checked in memory

    typealias Key = IntakeRules.DocumentKey
    let alice = UUID(), bob = UUID(), carol = UUID()
    let passport = Key(number: "B1234567", issuingState: "VNM", kind: "ordinary_passport")
    let visa = Key(number: "V7654321", issuingState: "VNM", kind: "visa")

    func person(_ row: Int64, _ id: UUID, citizenID: String? = nil, nationality: String = "VNM") -> IntakeRules.PersonKeys {
        .init(rowNumber: row, personID: id, citizenID: citizenID, nationality: nationality)
    }

    func document(_ row: Int64, _ person: UUID, _ key: Key, id: UUID = UUID()) -> IntakeRules.DocumentKeys {
        .init(rowNumber: row, personID: person, documentID: id, key: key)
    }

    func crossing(_ row: Int64, _ person: UUID, _ key: Key, request: UUID = UUID(), at checkpoint: String = "HAN") -> IntakeRules.CrossingKeys {
        .init(rowNumber: row, personID: person, requestID: request, document: key, checkpointCode: checkpoint)
    }

    func testNewPersonsWithTheirDocumentsAndCrossingsAreAllAcceptedAndCrossingsCarryTheDocumentAndNationality() {
        let passportID = UUID()
        let verdict = IntakeRules.check(
            persons: [person(1, alice, citizenID: "001085012345"), person(2, bob, nationality: "FRA")],
            documents: [document(3, alice, passport, id: passportID), document(4, bob, visa)],
            crossings: [crossing(5, alice, passport)],
            existing: .init(checkpoints: ["HAN"]))
        XCTAssertEqual(verdict.persons, [0, 1])
        XCTAssertEqual(verdict.documents, [0, 1])
        XCTAssertEqual(verdict.crossings, [.init(index: 0, documentID: passportID, nationality: "VNM")])
        XCTAssertEqual(verdict.rejected, [])
    }

    func testPersonsLoadedBeforeRepeatedInTheBatchOrWithATakenCitizenIDAreRejectedWithTheirReason() {
        let verdict = IntakeRules.check(
            persons: [person(1, alice), person(2, bob, citizenID: "001085012345"), person(3, bob),
                      person(4, carol, citizenID: "001085012345"), person(5, UUID(), citizenID: "001090012345")],
            documents: [], crossings: [],
            existing: .init(persons: [alice: "VNM"], citizenIDs: ["001090012345"]))
        XCTAssertEqual(verdict.persons, [1])
        XCTAssertEqual(verdict.rejected.map(\.rowNumber), [1, 3, 4, 5])
        XCTAssertEqual(verdict.rejected.map(\.rule), ["duplicate", "duplicate_in_batch", "duplicate_in_batch", "citizen_id_taken"])
        XCTAssertEqual(verdict.rejected.map(\.field),
                       ["person.source_key", "person.source_key", "person.source_key", "person.details.citizen_id"])
    }

    func testDocumentsOfUnknownPersonsRepeatedInTheBatchOrWhoseNumberIsTakenAreRejected() {
        let verdict = IntakeRules.check(
            persons: [person(1, alice)],
            documents: [document(2, bob, passport), document(3, alice, passport), document(4, alice, passport),
                        document(5, carol, visa), document(6, alice, visa)],
            crossings: [],
            existing: .init(persons: [carol: "USA"], documents: [visa: (carol, UUID())]))
        XCTAssertEqual(verdict.documents, [1])
        XCTAssertEqual(verdict.rejected.map(\.rowNumber), [2, 4, 5, 6])
        XCTAssertEqual(verdict.rejected.map(\.rule), ["unknown_person", "duplicate_in_batch", "number_taken", "duplicate_in_batch"],
                       "an earlier row with the same number makes a later one a duplicate, whatever became of the earlier")
    }

    func testCrossingsNeedADocumentOfTheirPersonAKnownCheckpointAndAreNeverLoadedTwice() {
        let loadedBefore = UUID(), repeated = UUID(), visaID = UUID()
        let verdict = IntakeRules.check(
            persons: [person(1, alice)],
            documents: [document(2, alice, passport)],
            crossings: [crossing(3, bob, passport), crossing(4, alice, passport, at: "NOWHERE"),
                        crossing(5, alice, passport, request: repeated), crossing(6, alice, passport, request: repeated),
                        crossing(7, carol, visa, request: loadedBefore), crossing(8, carol, visa)],
            existing: .init(persons: [carol: "USA", bob: "FRA"], documents: [visa: (carol, visaID)],
                            crossings: [.init(personID: carol, requestID: loadedBefore)], checkpoints: ["HAN"]))
        XCTAssertEqual(verdict.crossings.map(\.index), [2, 5])
        XCTAssertEqual(verdict.crossings.last, .init(index: 5, documentID: visaID, nationality: "USA"))
        XCTAssertEqual(verdict.rejected.map(\.rowNumber), [3, 4, 6, 7])
        XCTAssertEqual(verdict.rejected.map(\.rule), ["unknown_document", "known_checkpoint", "duplicate_in_batch", "duplicate"])
    }
}
