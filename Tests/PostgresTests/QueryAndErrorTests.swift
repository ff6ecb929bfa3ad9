import Foundation
import Postgres
import XCTest

final class QueryAndErrorTests: XCTestCase {
    var pool: PostgresPool!
    var schema: TestSchema!

    override func setUp() async throws {
        pool = try TestDatabase.pool()
        schema = try await TestSchema.create(pool)
        try await pool.query("""
            CREATE TABLE \(unsafeRaw: schema.table("documents")) (
                id integer PRIMARY KEY,
                number text NOT NULL CONSTRAINT documents_number_unique UNIQUE,
                pages integer CONSTRAINT documents_pages_positive CHECK (pages > 0))
            """)
        try await pool.query("""
            CREATE TABLE \(unsafeRaw: schema.table("crossings")) (
                id integer PRIMARY KEY,
                document_id integer NOT NULL CONSTRAINT crossings_document_fk REFERENCES \(unsafeRaw: schema.table("documents")))
            """)
    }

    override func tearDown() async throws {
        try await schema?.drop()
        await pool?.close()
    }

    func testInjectionAttemptsInBindsAreStoredAsPlainValues() async throws {
        let documents = schema.table("documents")
        let hostile = ["'); DROP TABLE \(documents); --", "x' OR '1'='1", "$1", "\\'; SELECT pg_sleep(10); --", "\"quoted\""]
        for (index, value) in hostile.enumerated() {
            try await pool.query("INSERT INTO \(unsafeRaw: documents) (id, number) VALUES (\(Int32(index)), \(value))")
        }
        let rows = try await pool.query("SELECT number FROM \(unsafeRaw: documents) ORDER BY id")
        XCTAssertEqual(try rows.map { try $0.decode(String.self, column: 0) }, hostile)
        let matches = try await pool.query("SELECT count(*) FROM \(unsafeRaw: documents) WHERE number = \("x' OR '1'='1")")
        XCTAssertEqual(try matches.scalar(Int64.self), 1)
    }

    func testQuotedIdentifiersCannotBreakOut() async throws {
        let odd = "we\"ird; DROP SCHEMA x"
        try await pool.query("CREATE TABLE \(identifier: schema.name).\(identifier: odd) (v int)")
        let count = try await pool.query("SELECT count(*) FROM \(identifier: schema.name).\(identifier: odd)").scalar(Int64.self)
        XCTAssertEqual(count, 0)
    }

    func testConstraintViolationsAreClassifiedAndNameTheConstraintButNotTheValue() async throws {
        let documents = schema.table("documents")
        try await pool.query("INSERT INTO \(unsafeRaw: documents) (id, number) VALUES (1, \("B1234567"))")

        let duplicate = await expectPostgresError {
            try await self.pool.query("INSERT INTO \(unsafeRaw: documents) (id, number) VALUES (2, \("B1234567"))")
        }
        XCTAssertEqual(duplicate?.category, .uniqueViolation)
        XCTAssertTrue(duplicate?.isUniqueViolation ?? false)
        XCTAssertEqual(duplicate?.constraintName, "documents_number_unique")
        XCTAssertEqual(duplicate?.origin, .server)
        XCTAssertFalse(duplicate?.description.contains("B1234567") ?? true, "description must not quote values")
        XCTAssertTrue(duplicate?.unsafeMessage.contains("documents_number_unique") ?? false)

        let check = await expectPostgresError {
            try await self.pool.query("INSERT INTO \(unsafeRaw: documents) (id, number, pages) VALUES (3, 'x', \(Int32(-5)))")
        }
        XCTAssertEqual(check?.category, .checkViolation)
        XCTAssertEqual(check?.constraintName, "documents_pages_positive")

        let foreignKey = await expectPostgresError {
            try await self.pool.query("INSERT INTO \(unsafeRaw: self.schema.table("crossings")) VALUES (1, \(Int32(99)))")
        }
        XCTAssertEqual(foreignKey?.category, .foreignKeyViolation)
        XCTAssertEqual(foreignKey?.constraintName, "crossings_document_fk")

        let notNull = await expectPostgresError {
            try await self.pool.query("INSERT INTO \(unsafeRaw: documents) (id, number) VALUES (4, \(String?.none))")
        }
        XCTAssertEqual(notNull?.category, .notNullViolation)
        XCTAssertEqual(notNull?.columnName, "number")

        let badInput = await expectPostgresError { try await self.pool.query("SELECT \("not a number")::int") }
        XCTAssertEqual(badInput?.category, .invalidInput)

        let syntax = await expectPostgresError { try await self.pool.query("SELEC 1") }
        XCTAssertEqual(syntax?.category, .invalidStatement)
    }

    func testTheConnectionStaysUsableAfterAnError() async throws {
        let pool = try TestDatabase.pool(maxConnections: 1)
        _ = await expectPostgresError { try await pool.query("SELECT 1/0") }
        let value = try await pool.query("SELECT 2::int4").scalar(Int32.self)
        XCTAssertEqual(value, 2)
        XCTAssertEqual(pool.statistics.open, 1)
        await pool.close()
    }

    func testEveryCodeHasACategoryAndTheImportantOnesTheRightOne() {
        let expected: [(String, PostgresError.Category)] = [
            ("23505", .uniqueViolation), ("23514", .checkViolation), ("23503", .foreignKeyViolation),
            ("23502", .notNullViolation), ("40001", .serializationFailure), ("40P01", .deadlock),
            ("08006", .unavailable), ("08001", .unavailable), ("57P01", .unavailable), ("57P03", .unavailable),
            ("53300", .unavailable), ("57014", .statementTimeout), ("42501", .insufficientPrivilege),
            ("25006", .readOnly), ("22P02", .invalidInput), ("53100", .resourceExhausted),
            ("42P01", .invalidStatement), ("XX000", .other), ("55P03", .lockNotAvailable),
        ]
        for (code, category) in expected {
            XCTAssertEqual(PostgresError(code: .init(code), origin: .server).category, category, code)
        }
        XCTAssertTrue(PostgresError(code: .serializationFailure, origin: .server).isRetryableTransactionFailure)
        XCTAssertTrue(PostgresError(code: .deadlockDetected, origin: .server).isRetryableTransactionFailure)
        XCTAssertFalse(PostgresError(code: .uniqueViolation, origin: .server).isRetryableTransactionFailure)
        XCTAssertTrue(PostgresError(code: .adminShutdown, origin: .server).isUnavailable)
    }
}
