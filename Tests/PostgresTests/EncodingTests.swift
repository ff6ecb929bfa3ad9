@testable import Postgres
import XCTest

/// The parts that need no server.
final class EncodingTests: XCTestCase {
    func testInterpolatedValuesBecomeNumberedBindsInOrder() {
        let number = "B1234567"
        let missing: Int32? = nil
        let query: PostgresQuery = "SELECT * FROM t WHERE a = \(number) AND b = \(Int16(3)) AND c IS \(missing)"
        XCTAssertEqual(query.sql, "SELECT * FROM t WHERE a = $1 AND b = $2 AND c IS $3")
        XCTAssertEqual(query.bindings.types, [.text, .int2, .int4])
        XCTAssertEqual(query.bindings.lengths, [8, 2, -1])
        XCTAssertFalse(query.sql.contains(number), "values never enter the statement text")
    }

    func testIdentifiersAndLiteralsAreQuotedWithDoubledQuotes() {
        XCTAssertEqual(quoteIdentifier("records"), "\"records\"")
        XCTAssertEqual(quoteIdentifier("a\"b"), "\"a\"\"b\"")
        XCTAssertEqual(quoteLiteral("it's"), "'it''s'")
    }

    func testCalendarDaysConvertBothWaysAcrossCenturies() {
        XCTAssertEqual(PostgresDate(year: 2000, month: 1, day: 1)?.daysSince2000, 0)
        XCTAssertEqual(PostgresDate(year: 1999, month: 12, day: 31)?.daysSince2000, -1)
        XCTAssertEqual(PostgresDate(year: 2000, month: 3, day: 1)?.daysSince2000, 60)
        XCTAssertNil(PostgresDate(year: 1900, month: 2, day: 29))
        XCTAssertNotNil(PostgresDate(year: 2000, month: 2, day: 29))
        for days in stride(from: Int32(-800_000), through: 800_000, by: 997) {
            let date = PostgresDate(daysSince2000: days)
            let (y, m, d) = date.components
            XCTAssertEqual(PostgresDate(year: y, month: m, day: d), date)
        }
        XCTAssertEqual(PostgresDate(year: 1975, month: 4, day: 30)?.description, "1975-04-30")
    }

    func testDurationsBecomeWholeMillisecondsNeverZero() {
        XCTAssertEqual(Duration.seconds(2).postgresMilliseconds, 2000)
        XCTAssertEqual(Duration.microseconds(1500).postgresMilliseconds, 1)
        XCTAssertEqual(Duration.microseconds(10).postgresMilliseconds, 1)
    }

    func testRetryPausesAreJitteredAndCapped() {
        for attempt in 1...20 {
            let delay = PostgresPool.retryDelay(attempt: attempt)
            XCTAssertGreaterThanOrEqual(delay, .zero)
            XCTAssertLessThanOrEqual(delay, .milliseconds(500))
        }
        XCTAssertLessThanOrEqual(PostgresPool.retryDelay(attempt: 1), .milliseconds(5))
    }

    func testArraysUseTheBinaryArrayFormatAndBytesStayRaw() {
        var buffer: [UInt8] = []
        [Int32(7)].encode(into: &buffer)
        XCTAssertEqual(buffer, [0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 23, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 4, 0, 0, 0, 7])
        XCTAssertEqual([Int32].postgresType, .int4Array)
        XCTAssertEqual([UInt8].postgresType, .bytea)
        buffer.removeAll()
        [UInt8]([1, 2, 3]).encode(into: &buffer)
        XCTAssertEqual(buffer, [1, 2, 3])
    }

    func testMigrationChecksumsAreSHA256OfTheText() {
        XCTAssertEqual(Migration(version: 1, name: "x", sql: "abc").checksum,
                       "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    }
}
