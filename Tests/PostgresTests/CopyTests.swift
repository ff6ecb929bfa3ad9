import Foundation
import Postgres
import XCTest

final class CopyTests: XCTestCase {
    var pool: PostgresPool!
    var schema: TestSchema!

    override func setUp() async throws {
        pool = try TestDatabase.pool()
        schema = try await TestSchema.create(pool)
        try await pool.query("""
            CREATE TABLE \(unsafeRaw: schema.table("intake")) (
                id bigint PRIMARY KEY, name text, born date, seen timestamptz, photo bytea, tags text[], ok bool)
            """)
    }

    override func tearDown() async throws {
        try await schema?.drop()
        await pool?.close()
    }

    func testBinaryCopyLoadsEveryRowWithNullsAndTypes() async throws {
        let born = PostgresDate(year: 1990, month: 5, day: 17)!
        let seen = Date(timeIntervalSince1970: 1_700_000_000)
        let stored = try await pool.withConnection { connection in
            try await connection.copyFrom(table: "intake", schema: schema.name,
                                          columns: ["id", "name", "born", "seen", "photo", "tags", "ok"]) { writer in
                for id in 0..<20_000 {
                    let name: String? = id % 10 == 0 ? nil : "person \(id)"
                    try await writer.appendRow(Int64(id), name, born, seen, [UInt8]([UInt8(id % 256), 0]),
                                               ["t\(id % 3)"], id % 2 == 0)
                }
            }
        }
        XCTAssertEqual(stored, 20_000)
        let table = schema.table("intake")
        let summary = try await pool.query("""
            SELECT count(*), count(name), sum(id)::int8, min(born), max(seen), count(*) FILTER (WHERE ok)
            FROM \(unsafeRaw: table)
            """)
        let (count, named, sum, minBorn, maxSeen, ok) = try summary[0].decode((Int64, Int64, Int64?, PostgresDate, Date, Int64).self)
        XCTAssertEqual(count, 20_000)
        XCTAssertEqual(named, 18_000)
        XCTAssertEqual(sum, Int64(19_999 * 20_000 / 2))
        XCTAssertEqual(minBorn, born)
        XCTAssertEqual(maxSeen, seen)
        XCTAssertEqual(ok, 10_000)
        let row = try await pool.query("SELECT photo, tags FROM \(unsafeRaw: table) WHERE id = 257")
        XCTAssertEqual(try row[0].decode([UInt8].self, column: 0), [1, 0])
        XCTAssertEqual(try row[0].decode([String].self, column: 1), ["t2"])
    }

    func testTextCopyEscapesSeparatorsAndNulls() async throws {
        let awkward = "tab\there\nnewline \\ backslash \\N"
        try await pool.withConnection { connection in
            try await connection.copyFrom(table: "intake", schema: schema.name, columns: ["id", "name"],
                                          format: .text) { writer in
                try await writer.appendTextRow(["1", awkward])
                try await writer.appendTextRow(["2", nil])
            }
        }
        let rows = try await pool.query("SELECT name FROM \(unsafeRaw: schema.table("intake")) ORDER BY id")
        XCTAssertEqual(try rows[0].decode(String.self, column: 0), awkward)
        XCTAssertNil(try rows[1].decode(String?.self, column: 0))
    }

    struct SourceFailed: Error {}

    func testAFailingSourceAbortsTheCopyAndStoresNothing() async throws {
        do {
            try await pool.withConnection { connection in
                try await connection.copyFrom(table: "intake", schema: schema.name, columns: ["id"]) { writer in
                    for id in 0..<100 { try await writer.appendRow(Int64(id)) }
                    throw SourceFailed()
                }
            }
            XCTFail("the copy should have failed")
        } catch is SourceFailed {}
        let count = try await pool.query("SELECT count(*) FROM \(unsafeRaw: schema.table("intake"))").scalar(Int64.self)
        XCTAssertEqual(count, 0)
        // The connection is still fit for work.
        let value = try await pool.query("SELECT 1::int4").scalar(Int32.self)
        XCTAssertEqual(value, 1)
    }

    func testABadRowFailsTheCopyWithTheServersError() async throws {
        let error = await expectPostgresError {
            try await self.pool.withConnection { connection in
                try await connection.copyFrom(table: "intake", schema: self.schema.name, columns: ["id"]) { writer in
                    try await writer.appendRow(Int64(1))
                    try await writer.appendRow(Int64(1))
                }
            }
        }
        XCTAssertEqual(error?.category, .uniqueViolation)
    }

    func testADuplicateMidwayThroughALargeCopyFailsWithTheUniqueViolation() async throws {
        // Megabytes of rows after the duplicate: the server fails while chunks are still
        // being sent, and the writer must report the server's SQLSTATE, not a client error.
        let table = schema.table("intake")
        let error = await expectPostgresError {
            try await self.pool.withConnection { connection in
                try await connection.copyFrom(table: "intake", schema: self.schema.name, columns: ["id", "name"]) { writer in
                    try await writer.appendRow(Int64(1), "first")
                    try await writer.appendRow(Int64(1), "again")
                    for id in 2..<400_000 { try await writer.appendRow(Int64(id), "person \(id)") }
                }
            }
        }
        XCTAssertEqual(error?.code.rawValue, "23505")
        XCTAssertEqual(error?.category, .uniqueViolation)
        XCTAssertEqual(error?.origin, .server)
        let count = try await pool.query("SELECT count(*) FROM \(unsafeRaw: table)").scalar(Int64.self)
        XCTAssertEqual(count, 0)
        let value = try await pool.query("SELECT 1::int4").scalar(Int32.self)
        XCTAssertEqual(value, 1)
    }

    func testABadTextRowMidwayThroughALargeCopyInATransactionFailsWithTheServersSQLSTATE() async throws {
        let table = schema.table("intake")
        let error = await expectPostgresError {
            try await self.pool.transaction { tx in
                try await tx.query("INSERT INTO \(unsafeRaw: table) (id) VALUES (0)")
                try await tx.connection.copyFrom(table: "intake", schema: self.schema.name, columns: ["id", "name"],
                                                 format: .text) { writer in
                    for id in 1..<1_000 { try await writer.appendTextRow(["\(id)", "person \(id)"]) }
                    try await writer.appendTextRow(["not a number", "bad"])
                    for id in 1_000..<300_000 { try await writer.appendTextRow(["\(id)", "person \(id)"]) }
                }
            }
        }
        XCTAssertEqual(error?.code.rawValue, "22P02")
        XCTAssertEqual(error?.category, .invalidInput)
        let count = try await pool.query("SELECT count(*) FROM \(unsafeRaw: table)").scalar(Int64.self)
        XCTAssertEqual(count, 0)
    }
}
