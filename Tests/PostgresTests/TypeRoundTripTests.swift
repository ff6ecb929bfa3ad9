import Foundation
import Postgres
import XCTest

final class TypeRoundTripTests: XCTestCase {
    var pool: PostgresPool!

    override func setUp() async throws { pool = try TestDatabase.pool() }
    override func tearDown() async throws { await pool?.close() }

    private func roundTrip<T: PostgresCodable & Equatable>(_ value: T, as sqlType: String,
                                                           line: UInt = #line) async throws {
        let rows = try await pool.query("SELECT \(value)::\(unsafeRaw: sqlType) AS v")
        XCTAssertEqual(try rows.scalar(T.self), value, "round trip through \(sqlType)", line: line)
    }

    func testScalarValuesComeBackUnchanged() async throws {
        try await roundTrip("Nguyễn Văn A — 阮", as: "text")
        try await roundTrip("", as: "text")
        try await roundTrip("varchar value", as: "varchar(40)")
        try await roundTrip(Int16.min, as: "int2")
        try await roundTrip(Int32.max, as: "int4")
        try await roundTrip(Int64.min, as: "int8")
        try await roundTrip(42, as: "int8")
        try await roundTrip(true, as: "bool")
        try await roundTrip(false, as: "bool")
        try await roundTrip(-1.5e300, as: "float8")
        try await roundTrip([UInt8]([0, 1, 2, 255, 0x5c, 0x27]), as: "bytea")
        try await roundTrip([UInt8](), as: "bytea")
        try await roundTrip(UUID(), as: "uuid")
        try await roundTrip(PostgresDate(year: 1969, month: 7, day: 20)!, as: "date")
        try await roundTrip(PostgresDate(year: 2024, month: 2, day: 29)!, as: "date")
        try await roundTrip(["a", "b,c", "\"quoted\"", ""], as: "text[]")
        try await roundTrip([Int64](), as: "int8[]")
        try await roundTrip([Int32(1), -2, 3], as: "int4[]")
        try await roundTrip([Int16(7)], as: "int2[]")
        try await roundTrip([1, 2, 3], as: "int8[]")
    }

    func testTimestampsKeepMicroseconds() async throws {
        let instant = Date(timeIntervalSince1970: 1_700_000_000.123456)
        let back = try await pool.query("SELECT \(instant)::timestamptz").scalar(Date.self)
        XCTAssertEqual(back!.timeIntervalSince1970, instant.timeIntervalSince1970, accuracy: 0.000001)
        let text = try await pool.query("SELECT to_char(\(instant) AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.US')")
            .scalar(String.self)
        XCTAssertEqual(text, "2023-11-14 22:13:20.123456")
        let before2000 = Date(timeIntervalSince1970: -1_000_000.5)
        let back2 = try await pool.query("SELECT \(before2000)::timestamptz").scalar(Date.self)
        XCTAssertEqual(back2!.timeIntervalSince1970, -1_000_000.5, accuracy: 0.000001)
        let infinity = try await pool.query("SELECT 'infinity'::timestamptz").scalar(Date.self)
        XCTAssertEqual(infinity, .distantFuture)
    }

    func testDatesMatchTheServersCalendar() async throws {
        let text = try await pool.query("SELECT \(PostgresDate(year: 1975, month: 4, day: 30)!)::text").scalar(String.self)
        XCTAssertEqual(text, "1975-04-30")
        let date = try await pool.query("SELECT DATE '0044-03-15'").scalar(PostgresDate.self)
        XCTAssertEqual(date?.description, "0044-03-15")
        XCTAssertNil(PostgresDate(year: 2023, month: 2, day: 29))
    }

    func testJSONTravelsAsJSONBAndReadsFromJSON() async throws {
        let document = PostgresJSON(#"{"b": [1, 2], "a": "x"}"#)
        let back = try await pool.query("SELECT \(document)").scalar(PostgresJSON.self)
        XCTAssertEqual(back?.text, #"{"a": "x", "b": [1, 2]}"#)   // jsonb normalises key order
        let field = try await pool.query("SELECT \(document) ->> 'a'").scalar(String.self)
        XCTAssertEqual(field, "x")
        let json = try await pool.query("SELECT '{\"k\":1}'::json").scalar(PostgresJSON.self)
        XCTAssertEqual(json?.text, #"{"k":1}"#)
    }

    func testNullsDecodeAsNilAndRefuseNonOptionals() async throws {
        let missing: String? = nil
        let rows = try await pool.query("SELECT \(missing)::text, \(Int32?.none)")
        let (text, number) = try rows[0].decode((String?, Int32?).self)
        XCTAssertNil(text)
        XCTAssertNil(number)
        XCTAssertThrowsError(try rows[0].decode(String.self, column: 0)) { error in
            XCTAssertEqual((error as? PostgresDecodingError)?.reason, .unexpectedNull)
        }
    }

    func testRowsDecodeByNameAndAsTuples() async throws {
        let rows = try await pool.query("""
            SELECT g AS n, 'row ' || g AS label, g % 2 = 0 AS even FROM generate_series(1, 3) g ORDER BY g
            """)
        XCTAssertEqual(rows.count, 3)
        XCTAssertEqual(rows.columns, ["n", "label", "even"])
        XCTAssertEqual(try rows[1].decode(String.self, column: "label"), "row 2")
        let (n, label, even) = try rows[2].decode((Int32, String, Bool).self)
        XCTAssertEqual(n, 3)
        XCTAssertEqual(label, "row 3")
        XCTAssertFalse(even)
        XCTAssertThrowsError(try rows[0].decode(UUID.self, column: "n")) { error in
            XCTAssertEqual((error as? PostgresDecodingError)?.reason, .typeMismatch)
        }
    }

    func testAColumnNameSharedByTwoColumnsFindsTheFirstAndAnUnknownNameIsRefused() async throws {
        let rows = try await pool.query("SELECT 1::int4 AS a, 2::int4 AS a, 3::int4 AS \"A\" FROM generate_series(1, 2)")
        for row in rows {
            XCTAssertEqual(try row.decode(Int32.self, column: "a"), 1)
            XCTAssertEqual(try row.decode(Int32.self, column: "A"), 3)
        }
        XCTAssertThrowsError(try rows[1].decode(Int32.self, column: "b")) { error in
            XCTAssertEqual((error as? PostgresDecodingError)?.reason, .noSuchColumn)
            XCTAssertEqual((error as? PostgresDecodingError)?.column, "b")
        }
    }

    func testIntegersWidenButNeverTruncate() async throws {
        let small = try await pool.query("SELECT 7::int2").scalar(Int64.self)
        XCTAssertEqual(small, 7)
        let large = try await pool.query("SELECT 100000::int4")
        XCTAssertThrowsError(try large.scalar(Int16.self)) { error in
            XCTAssertEqual((error as? PostgresDecodingError)?.reason, .outOfRange)
        }
    }
}
