@testable import Postgres
import XCTest

final class ExecutorTests: XCTestCase {
    func testABorrowersCodeRunsOnTheConnectionsOwnThreadNotTheCooperativePool() async throws {
        let pool = try TestDatabase.pool(maxConnections: 2)
        let (onThread, value) = try await pool.withConnection { connection in
            let rows = try await connection.query("SELECT 5::int4")
            return (connection.thread.isCurrent, try rows.scalar(Int32.self))
        }
        XCTAssertTrue(onThread)
        XCTAssertEqual(value, 5)
        // Nested loans of the same pool, and a child task, neither deadlocks.
        let sum = try await pool.withConnection { outer in
            let inner = try await pool.withConnection { try await $0.query("SELECT 1::int4").scalar(Int32.self) ?? 0 }
            async let child = pool.query("SELECT 2::int4").scalar(Int32.self)
            let mine = try await outer.query("SELECT 3::int4").scalar(Int32.self) ?? 0
            return inner + mine + (try await child ?? 0)
        }
        XCTAssertEqual(sum, 6)
        await pool.close()
    }

    /// An idle connection's thread polls its socket: when the server ends the session
    /// (here `pg_terminate_backend`, as on a restart) the thread sees it, and the pool
    /// drops the connection before lending it, so the next statement runs on a new one.
    func testAnIdleConnectionWhoseSessionTheServerEndedIsReplacedBeforeItIsLent() async throws {
        let pool = try TestDatabase.pool(maxConnections: 1)
        let first = try await pool.query("SELECT pg_backend_pid()").scalar(Int32.self)
        let idle = try XCTUnwrap(pool.state.withLock { $0.idle.first })
        XCTAssertFalse(idle.thread.sawUnclaimedInput, "a quiet idle session needs no look before it is lent")
        let killer = try await PostgresConnection.connect(configuration: TestDatabase.configuration(), logger: TestDatabase.logger)
        let terminated = try await killer.query("SELECT pg_terminate_backend(\(try XCTUnwrap(first)))").scalar(Bool.self)
        XCTAssertEqual(terminated, true)
        await killer.close()
        // Liveness bound only: the thread wakes as soon as the server's goodbye arrives.
        let deadline = ContinuousClock.now + .seconds(10)
        while !idle.thread.sawUnclaimedInput && ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(5))
        }
        XCTAssertTrue(idle.thread.sawUnclaimedInput, "the idle thread saw the session end")
        let second = try await pool.query("SELECT pg_backend_pid()").scalar(Int32.self)
        XCTAssertNotNil(second)
        XCTAssertNotEqual(second, first, "a new session, the caller noticed nothing")
        await pool.close()
    }

    /// A lone statement already prepared is sent by its caller and answered by the
    /// connection's thread when the reply arrives, however long the server takes.
    func testALoneStatementWaitingOnTheServerIsAnsweredWhenTheReplyArrives() async throws {
        let pool = try TestDatabase.pool(maxConnections: 1)
        for delay in [0.0, 0.2, 0.0, 0.05] {
            let value = try await pool.query("SELECT \(Int64(delay * 1000)) FROM pg_sleep(\(delay))").scalar(Int64.self)
            XCTAssertEqual(value, Int64(delay * 1000))
        }
        await pool.close()
    }
}
