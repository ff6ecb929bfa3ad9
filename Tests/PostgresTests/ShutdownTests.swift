import Foundation
import Postgres
import Synchronization
import XCTest

/// `close()` returns only when every session it owns is closed, so a process can
/// exit right after (a crash in OpenSSL's exit handlers once raced sessions still closing).
final class ShutdownTests: XCTestCase {
    var observer: PostgresPool!

    override func setUp() async throws {
        observer = try TestDatabase.pool(maxConnections: 1)
        try await observer.query("SELECT 1")
    }

    override func tearDown() async throws {
        await observer?.close()
    }

    func testClosingAPoolWaitsForStatementsInFlightAndClosesEverySession() async throws {
        let label = TestDatabase.uniqueName("shutdown")
        let sockets = openSockets()
        let pool = PostgresPool(configuration: try TestDatabase.configuration(label: label),
                                options: .init(maxConnections: 3, pipelineConnections: 2), logger: TestDatabase.logger)
        // Idle sessions of both kinds: concurrent statements open lent and pipelined ones.
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<8 { group.addTask { try await pool.query("SELECT pg_sleep(0.05)") } }
            try await group.waitForAll()
        }
        let loanEnded = Atomic<Bool>(false)
        let loan = Task {
            try await pool.withConnection { connection in
                try await connection.query("SELECT pg_sleep(0.3)")
                loanEnded.store(true, ordering: .sequentiallyConsistent)
            }
        }
        let singles = (0..<6).map { _ in Task { try await pool.query("SELECT pg_sleep(0.3)") } }
        try await waitUntilRunning(label, statements: 3)   // the loan, a lone statement, a pipelined one
        await pool.close()
        XCTAssertTrue(loanEnded.load(ordering: .sequentiallyConsistent), "close waited for the lent connection")
        try await loan.value
        for single in singles { _ = try await single.value }
        XCTAssertLessThanOrEqual(openSockets(), sockets, "every session of the pool is closed when close returns")
        try await expectNoBackend(label)

        let closed = PostgresError.Code.connectionDoesNotExist
        let single = await expectPostgresError { try await pool.query("SELECT 1") }
        XCTAssertEqual(single?.code, closed)
        let borrowed = await expectPostgresError { try await pool.withConnection { try await $0.query("SELECT 1") } }
        XCTAssertEqual(borrowed?.code, closed)
    }

    /// A store's own pipeline (`makePipeline`) belongs to its pool: a service that
    /// closes its pools at shutdown leaves no session behind.
    func testClosingAPoolClosesThePipelinesItMade() async throws {
        let label = TestDatabase.uniqueName("shutdown")
        let sockets = openSockets()
        let pool = PostgresPool(configuration: try TestDatabase.configuration(label: label),
                                options: .init(maxConnections: 1, pipelineConnections: 0), logger: TestDatabase.logger)
        let reads = pool.makePipeline(connections: 2, logger: TestDatabase.logger)
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<8 { group.addTask { try await reads.query("SELECT 1") } }
            try await group.waitForAll()
        }
        let inFlight = Task { try await reads.query("SELECT pg_sleep(0.2)") }
        try await waitUntilRunning(label, statements: 1)
        await pool.close()
        _ = try await inFlight.value
        XCTAssertLessThanOrEqual(openSockets(), sockets, "the pipeline's sessions are closed when close returns")
        try await expectNoBackend(label)
        let closed = PostgresError.Code.connectionDoesNotExist
        let late = await expectPostgresError { try await reads.query("SELECT 1") }
        XCTAssertEqual(late?.code, closed)
        let madeAfter = await expectPostgresError {
            try await pool.makePipeline(connections: 1, logger: TestDatabase.logger).query("SELECT 1")
        }
        XCTAssertEqual(madeAfter?.code, closed)
    }

    /// The pool closes the pipelines it made but does not keep them alive: one its
    /// owner dropped (a provider rebuilt on the same pool) closes its sessions at once.
    func testAPipelineItsOwnerDropsIsNotKeptOpenByItsPool() async throws {
        let label = TestDatabase.uniqueName("shutdown")
        let pool = PostgresPool(configuration: try TestDatabase.configuration(label: label),
                                options: .init(maxConnections: 1, pipelineConnections: 0), logger: TestDatabase.logger)
        func useAndDrop() async throws {
            let reads = pool.makePipeline(connections: 2, logger: TestDatabase.logger)
            try await reads.query("SELECT 1")
        }
        try await useAndDrop()
        try await expectNoBackend(label)
        await pool.close()
    }

    func testClosingAPipelineWaitsForStatementsInFlightAndClosesEverySession() async throws {
        let label = TestDatabase.uniqueName("shutdown")
        let sockets = openSockets()
        let pipeline = PostgresPipeline(configuration: try TestDatabase.configuration(label: label), connections: 3,
                                        logger: TestDatabase.logger)
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<12 { group.addTask { try await pipeline.query("SELECT 1") } }
            try await group.waitForAll()
        }
        let inFlight = (0..<8).map { index in
            Task { try await pipeline.query("SELECT \(Int64(index)) FROM pg_sleep(0.2)").scalar(Int64.self) }
        }
        try await waitUntilRunning(label, statements: 1)
        await pipeline.close()
        for (index, statement) in inFlight.enumerated() {
            let answer = try await statement.value
            XCTAssertEqual(answer, Int64(index))
        }
        XCTAssertLessThanOrEqual(openSockets(), sockets, "every session of the pipeline is closed when close returns")
        try await expectNoBackend(label)

        let late = await expectPostgresError { try await pipeline.query("SELECT 1") }
        XCTAssertEqual(late?.code, PostgresError.Code.connectionDoesNotExist)
    }

    // MARK: Helpers

    /// This process's open sockets (each libpq session holds one).
    private func openSockets() -> Int {
        let descriptors = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd")) ?? []
        return descriptors.count {
            (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/fd/\($0)"))?.hasPrefix("socket:") == true
        }
    }

    private func backends(_ label: String, running: Bool) async throws -> Int64 {
        try await observer.query("""
            SELECT count(*) FROM pg_stat_activity
             WHERE application_name = \("immigration-" + label) AND (NOT \(running) OR state = 'active')
            """).scalar(Int64.self) ?? -1
    }

    /// Waits until the server runs `statements` statements of the sessions labelled `label`.
    private func waitUntilRunning(_ label: String, statements: Int64) async throws {
        for _ in 0..<500 {
            if try await backends(label, running: true) >= statements { return }
            try await Task.sleep(for: .milliseconds(10))
        }
        XCTFail("the statements never ran")
    }

    /// The client closed every session (checked above); a backend leaves
    /// pg_stat_activity a moment after it reads the client's goodbye.
    private func expectNoBackend(_ label: String) async throws {
        var left: Int64 = -1
        for _ in 0..<200 {
            left = try await backends(label, running: false)
            if left == 0 { return }
            try await Task.sleep(for: .milliseconds(10))
        }
        XCTFail("\(left) backends of the closed sessions are left")
    }
}
