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
}
