import Postgres
import XCTest

final class PoolTests: XCTestCase {
    func testABorrowerWaitsWhenThePoolIsExhaustedThenProceeds() async throws {
        let pool = try TestDatabase.pool(maxConnections: 2, acquireTimeout: .seconds(20))
        let holding = Barrier(parties: 3)
        let clock = ContinuousClock()
        let holders = (0..<2).map { _ in
            Task {
                try await pool.withConnection { connection in
                    await holding.arriveAndWait()
                    try await connection.query("SELECT pg_sleep(0.4)")
                }
            }
        }
        await holding.arriveAndWait()
        XCTAssertEqual(pool.statistics.open, 2)
        let start = clock.now
        let waiter = Task { try await pool.query("SELECT 7::int4").scalar(Int32.self) }
        try await Task.sleep(for: .milliseconds(100))
        XCTAssertEqual(pool.statistics.waiting, 1, "the third borrower waits")
        let value = try await waiter.value
        XCTAssertEqual(value, 7)
        XCTAssertGreaterThan(clock.now - start, .milliseconds(250), "it could only run after a release")
        for holder in holders { try await holder.value }
        XCTAssertEqual(pool.statistics.open, 2, "never more than maxConnections")
        await pool.close()
    }

    func testWaitersAreServedInArrivalOrder() async throws {
        let pool = try TestDatabase.pool(maxConnections: 1)
        let order = OrderLog()
        try await pool.withConnection { _ in
            for index in 0..<5 {
                Task { try await pool.withConnection { _ in await order.append(index) } }
                try await Task.sleep(for: .milliseconds(30))
            }
        }
        while await order.entries.count < 5 { try await Task.sleep(for: .milliseconds(10)) }
        let entries = await order.entries
        XCTAssertEqual(entries, [0, 1, 2, 3, 4])
        await pool.close()
    }

    func testAWaitThatLastsTooLongFailsAsUnavailable() async throws {
        let pool = try TestDatabase.pool(maxConnections: 1, acquireTimeout: .milliseconds(200))
        try await pool.withConnection { _ in
            let error = await expectPostgresError { try await pool.query("SELECT 1") }
            XCTAssertEqual(error?.category, .unavailable)
            XCTAssertEqual(error?.origin, .client)
        }
        XCTAssertEqual(pool.statistics.waiting, 0)
        let value = try await pool.query("SELECT 1::int4").scalar(Int32.self)
        XCTAssertEqual(value, 1)
        await pool.close()
    }

    func testACancelledWaiterLeavesTheQueue() async throws {
        let pool = try TestDatabase.pool(maxConnections: 1)
        try await pool.withConnection { _ in
            let waiter = Task { try await pool.query("SELECT 1") }
            try await Task.sleep(for: .milliseconds(100))
            waiter.cancel()
            do {
                _ = try await waiter.value
                XCTFail("a cancelled waiter should throw")
            } catch is CancellationError {}
            XCTAssertEqual(pool.statistics.waiting, 0)
        }
        await pool.close()
    }

    func testStatementTimeoutStopsALongStatementAndAQueryMayAskForMore() async throws {
        let pool = try TestDatabase.pool(maxConnections: 1, statementTimeout: .milliseconds(200))
        let error = await expectPostgresError { try await pool.query("SELECT pg_sleep(3)") }
        XCTAssertEqual(error?.category, .statementTimeout)
        try await pool.query("SELECT pg_sleep(0.4)", timeout: .seconds(5))
        let again = await expectPostgresError { try await pool.query("SELECT pg_sleep(3)") }
        XCTAssertEqual(again?.category, .statementTimeout, "the pool's timeout is back for the next statement")
        let setting = try await pool.query("SELECT current_setting('statement_timeout')").scalar(String.self)
        XCTAssertEqual(setting, "200ms")
        await pool.close()
    }

    func testCancellingTheTaskCancelsTheRunningStatement() async throws {
        let pool = try TestDatabase.pool(maxConnections: 1)
        let clock = ContinuousClock()
        let start = clock.now
        let sleeper = Task { try await pool.query("SELECT pg_sleep(10)") }
        try await Task.sleep(for: .milliseconds(200))
        sleeper.cancel()
        do {
            _ = try await sleeper.value
            XCTFail("the statement should have been cancelled")
        } catch let error as PostgresError {
            XCTAssertEqual(error.code, .queryCanceled)
        }
        XCTAssertLessThan(clock.now - start, .seconds(5))
        await pool.close()
    }
}

actor OrderLog {
    private(set) var entries: [Int] = []
    func append(_ value: Int) { entries.append(value) }
}

final class PoolHygieneTests: XCTestCase {
    func testAConnectionReturnedInsideATransactionIsClosedNotReused() async throws {
        let pool = try TestDatabase.pool(maxConnections: 1)
        let schema = try await TestSchema.create(pool)
        let table = schema.table("pending")
        try await pool.query("CREATE TABLE \(unsafeRaw: table) (x int)")
        let leakedBackend = try await pool.withConnection { connection -> Int32? in
            try await connection.execute(unsafeSQL: "BEGIN")
            try await connection.query("INSERT INTO \(unsafeRaw: table) VALUES (1)")
            return try await connection.query("SELECT pg_backend_pid()").scalar(Int32.self)
        }
        let backend = try await pool.query("SELECT pg_backend_pid()").scalar(Int32.self)
        XCTAssertNotEqual(backend, leakedBackend, "the next borrower got a fresh session")
        let count = try await pool.query("SELECT count(*) FROM \(unsafeRaw: table)").scalar(Int64.self)
        XCTAssertEqual(count, 0, "the abandoned transaction never committed")
        // The closed session's backend ends asynchronously: give it a moment, then
        // NOWAIT fails (55P03) only if the abandoned transaction kept its lock.
        var locked = false
        for _ in 0..<20 where !locked {
            do {
                try await pool.transaction { tx in
                    try await tx.query("LOCK TABLE \(unsafeRaw: table) IN ACCESS EXCLUSIVE MODE NOWAIT")
                }
                locked = true
            } catch let error as PostgresError where error.category == .lockNotAvailable {
                try await Task.sleep(for: .milliseconds(100))
            }
        }
        XCTAssertTrue(locked, "the abandoned transaction's lock was released")
        try await schema.drop()
        await pool.close()
    }
}
