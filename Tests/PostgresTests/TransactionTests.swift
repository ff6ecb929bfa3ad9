import Postgres
import XCTest

final class TransactionTests: XCTestCase {
    var pool: PostgresPool!
    var schema: TestSchema!
    var table: String { schema.table("duty") }

    override func setUp() async throws {
        pool = try TestDatabase.pool(maxConnections: 4)
        schema = try await TestSchema.create(pool)
        try await pool.query("CREATE TABLE \(unsafeRaw: table) (officer text PRIMARY KEY, on_call bool NOT NULL)")
        try await pool.query("INSERT INTO \(unsafeRaw: table) VALUES ('a', true), ('b', true)")
    }

    override func tearDown() async throws {
        try await schema?.drop()
        await pool?.close()
    }

    struct Abandon: Error {}

    func testAThrowingBodyRollsEverythingBack() async throws {
        do {
            try await pool.transaction { tx in
                try await tx.query("UPDATE \(unsafeRaw: self.table) SET on_call = false")
                try await tx.query("INSERT INTO \(unsafeRaw: self.table) VALUES (\("c"), true)")
                throw Abandon()
            }
            XCTFail("the transaction should have thrown")
        } catch is Abandon {}
        let onCall = try await pool.query("SELECT count(*) FROM \(unsafeRaw: table) WHERE on_call").scalar(Int64.self)
        XCTAssertEqual(onCall, 2)
        let total = try await pool.query("SELECT count(*) FROM \(unsafeRaw: table)").scalar(Int64.self)
        XCTAssertEqual(total, 2)
    }

    func testACommittedTransactionIsVisibleAndReturnsItsValue() async throws {
        let updated = try await pool.transaction { tx in
            try await tx.query("UPDATE \(unsafeRaw: self.table) SET on_call = false WHERE officer = \("a")").affectedRows
        }
        XCTAssertEqual(updated, 1)
        let onCall = try await pool.query("SELECT count(*) FROM \(unsafeRaw: table) WHERE on_call").scalar(Int64.self)
        XCTAssertEqual(onCall, 1)
    }

    func testAFailedStatementCaughtInsideTheBodyDoesNotCommitSilently() async throws {
        let error = await expectPostgresError {
            try await self.pool.transaction { tx in
                try await tx.query("UPDATE \(unsafeRaw: self.table) SET on_call = false WHERE officer = 'a'")
                _ = try? await tx.query("SELECT 1/0")
            }
        }
        XCTAssertEqual(error?.code, .inFailedSQLTransaction)
        let onCall = try await pool.query("SELECT count(*) FROM \(unsafeRaw: table) WHERE on_call").scalar(Int64.self)
        XCTAssertEqual(onCall, 2)
    }

    /// Write skew: each transaction takes an officer off call if another stays on call.
    /// Under SERIALIZABLE one of the two concurrent transactions fails with 40001 and is
    /// run again, and then sees that it must not proceed.
    func testSerializationFailuresAreRetriedUntilTheInvariantHolds() async throws {
        let barrier = Barrier(parties: 2)
        let attempts = Counter()
        let pool = self.pool!
        let table = self.table
        try await withThrowingTaskGroup(of: Bool.self) { group in
            for officer in ["a", "b"] {
                group.addTask {
                    try await pool.transaction(isolation: .serializable) { tx in
                        let attempt = await attempts.increment()
                        let others = try await tx.query("""
                            SELECT count(*) FROM \(unsafeRaw: table) WHERE on_call AND officer <> \(officer)
                            """).scalar(Int64.self) ?? 0
                        if attempt <= 2 { await barrier.arriveAndWait() }   // both have read before either writes
                        guard others > 0 else { return false }
                        try await tx.query("UPDATE \(unsafeRaw: table) SET on_call = false WHERE officer = \(officer)")
                        return true
                    }
                }
            }
            var wentOff = 0
            for try await tookOff in group where tookOff { wentOff += 1 }
            XCTAssertEqual(wentOff, 1, "exactly one officer goes off call")
        }
        let tries = await attempts.value
        // At least one was retried (SSI may also abort both, then each runs twice).
        XCTAssertGreaterThanOrEqual(tries, 3, "a transaction ran again")
        let onCall = try await pool.query("SELECT count(*) FROM \(unsafeRaw: table) WHERE on_call").scalar(Int64.self)
        XCTAssertEqual(onCall, 1)
    }

    func testRetriesStopAfterTheConfiguredNumberOfAttempts() async throws {
        let attempts = Counter()
        let error = await expectPostgresError {
            try await self.pool.transaction(maxAttempts: 3) { tx -> Void in
                _ = await attempts.increment()
                try await tx.query("DO $$ BEGIN RAISE EXCEPTION USING ERRCODE = '40001'; END $$")
            }
        }
        XCTAssertEqual(error?.category, .serializationFailure)
        let tries = await attempts.value
        XCTAssertEqual(tries, 3)
    }

    func testDeadlocksAreRetried() async throws {
        let attempts = Counter()
        let done = try await pool.transaction { tx -> Bool in
            if await attempts.increment() == 1 {
                try await tx.query("DO $$ BEGIN RAISE EXCEPTION USING ERRCODE = '40P01'; END $$")
            }
            return true
        }
        XCTAssertTrue(done)
        let tries = await attempts.value
        XCTAssertEqual(tries, 2)
    }
}
