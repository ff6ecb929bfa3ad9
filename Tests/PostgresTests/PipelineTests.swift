import Postgres
import XCTest

final class PipelineTests: XCTestCase {
    var pool: PostgresPool!
    var schema: TestSchema!

    override func setUp() async throws {
        pool = try TestDatabase.pool()
        schema = try await TestSchema.create(pool)
        try await pool.query("CREATE TABLE \(unsafeRaw: schema.table("crossings")) (id bigint PRIMARY KEY, gate text NOT NULL)")
    }

    override func tearDown() async throws {
        try await schema?.drop()
        await pool?.close()
    }

    func testManyConcurrentInsertsOverFewConnectionsAreEachCommitted() async throws {
        let pipeline = PostgresPipeline(configuration: try TestDatabase.configuration(), connections: 2,
                                        logger: TestDatabase.logger)
        let table = schema.table("crossings")
        try await withThrowingTaskGroup(of: Void.self) { group in
            for task in 0..<32 {
                group.addTask {
                    for index in 0..<50 {
                        let id = Int64(task * 1000 + index)
                        let rows = try await pipeline.query("INSERT INTO \(unsafeRaw: table) VALUES (\(id), \("G\(task)"))")
                        XCTAssertEqual(rows.affectedRows, 1)
                    }
                }
            }
            try await group.waitForAll()
        }
        let count = try await pool.query("SELECT count(*) FROM \(unsafeRaw: table)").scalar(Int64.self)
        XCTAssertEqual(count, 1600)
        let backends = try await pool.query("""
            SELECT count(*) FROM pg_stat_activity WHERE application_name = 'immigration-test' AND pid <> pg_backend_pid()
              AND query LIKE 'INSERT INTO%'
            """).scalar(Int64.self) ?? 0
        XCTAssertLessThanOrEqual(backends, 2 + 4, "the pipeline used its own two sessions")
        await pipeline.close()
    }

    func testAFailingStatementFailsAloneAndReturnsRows() async throws {
        let pipeline = PostgresPipeline(configuration: try TestDatabase.configuration(), connections: 1,
                                        logger: TestDatabase.logger)
        let table = schema.table("crossings")
        try await pipeline.query("INSERT INTO \(unsafeRaw: table) VALUES (1, 'A')")
        let duplicate = Task { try await pipeline.query("INSERT INTO \(unsafeRaw: table) VALUES (1, 'B')") }
        let other = Task { try await pipeline.query("INSERT INTO \(unsafeRaw: table) VALUES (2, 'C')") }
        let broken = Task { try await pipeline.query("SELEC 1") }
        let read = Task { try await pipeline.query("SELECT gate FROM \(unsafeRaw: table) WHERE id = \(Int64(1))") }
        let error = await expectPostgresError { try await duplicate.value }
        XCTAssertEqual(error?.category, .uniqueViolation)
        let syntax = await expectPostgresError { try await broken.value }
        XCTAssertEqual(syntax?.code, .syntaxError)
        let stored = try await other.value.affectedRows
        XCTAssertEqual(stored, 1)
        let gate = try await read.value.scalar(String.self)
        XCTAssertEqual(gate, "A")
        // The failed prepare of "SELEC 1" is not cached: it fails again the same way.
        let again = await expectPostgresError { try await pipeline.query("SELEC 1") }
        XCTAssertEqual(again?.code, .syntaxError)
        await pipeline.close()
    }

    /// Batched statements share a commit; a failing one must not take the others down
    /// nor apply them twice.
    func testDuplicatesInOneBatchFailAloneAndTheRestIsAppliedOnce() async throws {
        let pipeline = PostgresPipeline(configuration: try TestDatabase.configuration(), connections: 1,
                                        maxBatch: 64, logger: TestDatabase.logger)
        let table = schema.table("crossings")
        let outcomes = try await withThrowingTaskGroup(of: Bool.self) { group in
            for index in 0..<200 {
                group.addTask {
                    do {
                        // Ids 0..<100, each twice.
                        try await pipeline.query("INSERT INTO \(unsafeRaw: table) VALUES (\(Int64(index % 100)), 'G')")
                        return true
                    } catch let error as PostgresError where error.isUniqueViolation {
                        return false
                    }
                }
            }
            var succeeded = 0
            for try await ok in group where ok { succeeded += 1 }
            return succeeded
        }
        XCTAssertEqual(outcomes, 100, "each id inserted once, its twin refused")
        let count = try await pool.query("SELECT count(*) FROM \(unsafeRaw: table)").scalar(Int64.self)
        XCTAssertEqual(count, 100)
        await pipeline.close()
    }
}
