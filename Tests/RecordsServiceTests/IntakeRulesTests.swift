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
}
