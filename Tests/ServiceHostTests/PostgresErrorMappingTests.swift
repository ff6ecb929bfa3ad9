import GRPCRuntime
import Postgres
import XCTest
@testable import ServiceHost

final class PostgresErrorMappingTests: XCTestCase {
    private func status(_ code: String, constraint: String? = nil) -> RPCError {
        PostgresError(code: PostgresError.Code(code), origin: .server,
                      unsafeMessage: "Key (document_number)=(B1234567) already exists.",
                      constraintName: constraint).rpcError
    }

    func testEachKindOfDatabaseFailureHasItsStatus() {
        let table: [(String, StatusCode)] = [
            ("23505", .alreadyExists), ("23514", .invalidArgument), ("23502", .invalidArgument),
            ("22001", .invalidArgument), ("22P02", .invalidArgument), ("23503", .failedPrecondition),
            ("23001", .failedPrecondition), ("23P01", .failedPrecondition),
            ("08006", .unavailable), ("08001", .unavailable), ("57P01", .unavailable), ("53300", .unavailable),
            ("25006", .unavailable), ("40001", .aborted), ("40P01", .aborted), ("55P03", .aborted),
            ("57014", .deadlineExceeded), ("42P01", .internalError), ("42501", .internalError),
            ("XX000", .internalError), ("P0001", .internalError),
        ]
        for (code, expected) in table {
            XCTAssertEqual(status(code).code, expected, "SQLSTATE \(code)")
        }
    }

    func testTheStatusMessageNeverQuotesTheDatabaseMessage() {
        for code in ["23505", "23514", "22001", "23503", "08006", "40001", "57014", "XX000"] {
            let error = status(code, constraint: "document_number_key")
            XCTAssertFalse(error.message.contains("B1234567"), code)
        }
    }

    func testConstraintViolationsNameTheConstraint() {
        XCTAssertTrue(status("23505", constraint: "document_number_key").message.contains("document_number_key"))
        XCTAssertTrue(status("23514", constraint: "person_birth_date_check").message.contains("person_birth_date_check"))
    }

    func testAnInternalFailureSaysOnlyInternalError() {
        XCTAssertEqual(status("XX000").message, "internal error")
    }
}
