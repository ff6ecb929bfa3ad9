import Foundation
import Postgres
import Synchronization
import XCTest

/// Runs against the `--scratch` cluster of scripts/pg.sh, not `--test`: stopping
/// the server would break the tests that run in parallel with this one. One test
/// method only, so that parallel test processes never share the scratch server.
final class ServerRestartTests: XCTestCase {
    /// Runs scripts/pg.sh and returns its standard output. popen/pclose block, so
    /// they run on a thread of their own, not on the cooperative pool.
    private func pgScript(_ arguments: String...) async throws -> String {
        let command = TestDatabase.repositoryRoot.appendingPathComponent("scripts/pg.sh").path + " "
            + arguments.joined(separator: " ")
        let (status, output) = await withCheckedContinuation { (done: CheckedContinuation<(Int32, String), Never>) in
            Thread {
                guard let pipe = popen(command, "r") else {
                    done.resume(returning: (-1, ""))
                    return
                }
                var output = [UInt8]()
                var buffer = [UInt8](repeating: 0, count: 4096)
                while true {
                    let count = fread(&buffer, 1, buffer.count, pipe)
                    if count <= 0 { break }
                    output += buffer[0..<count]
                }
                done.resume(returning: (pclose(pipe), String(decoding: output, as: UTF8.self)))
            }.start()
        }
        XCTAssertEqual(status, 0, "pg.sh \(arguments.joined(separator: " "))")
        return output
    }

    /// The PG* values printed by `pg.sh start --scratch`.
    private func scratchConfiguration() async throws -> PostgresConfiguration {
        let exports = try await pgScript("start", "--scratch")
        var values: [String: String] = [:]
        for word in exports.split(whereSeparator: { $0 == " " || $0 == "\n" }) where word.contains("=") {
            let parts = word.split(separator: "=", maxSplits: 1)
            values[String(parts[0])] = String(parts[1])
        }
        let host = try XCTUnwrap(values["PGHOST"]), port = try XCTUnwrap(values["PGPORT"].flatMap { Int($0) })
        return PostgresConfiguration(host: host, port: port, user: try XCTUnwrap(values["PGUSER"]),
                                     password: values["PGPASSWORD"], database: try XCTUnwrap(values["PGDATABASE"]),
                                     sslmode: "disable", label: "restart")
    }

    /// 16 tasks insert through `pool.query` (pipelined, shared commits) while the
    /// server restarts: failures are `unavailable` only, every statement reported
    /// done is stored, nothing is stored twice, and inserts succeed again afterwards.
    private func restartUnderLoad(_ pool: PostgresPool) async throws {
        let table = TestDatabase.uniqueName("restart_load")
        try await pool.query("CREATE TABLE \(identifier: table) (id bigint NOT NULL)")
        let phase = LoadPhase()
        let outcomes = try await withThrowingTaskGroup(of: LoadOutcome.self) { group in
            for task in 0..<16 {
                group.addTask {
                    var outcome = LoadOutcome()
                    var index: Int64 = 0
                    while !phase.stopped {
                        let id = Int64(task) * 1_000_000 + index
                        index += 1
                        outcome.attempted.insert(id)
                        do {
                            try await pool.query("INSERT INTO \(identifier: table) VALUES (\(id))")
                            outcome.succeeded.insert(id)
                            if phase.restarted { outcome.succeededAfterRestart += 1 }
                        } catch let error as PostgresError {
                            outcome.errors.append(error)
                            try await Task.sleep(for: .milliseconds(5))
                        }
                    }
                    return outcome
                }
            }
            try await Task.sleep(for: .milliseconds(300))
            _ = try await pgScript("restart", "--scratch")
            phase.markRestarted()
            try await Task.sleep(for: .seconds(1))
            phase.stop()
            var outcomes: [LoadOutcome] = []
            for try await outcome in group { outcomes.append(outcome) }
            return outcomes
        }
        let stored = try await pool.query("SELECT id FROM \(identifier: table)").map { try $0.decode(Int64.self) }
        let storedSet = Set(stored)
        XCTAssertEqual(stored.count, storedSet.count, "no statement applied twice")
        let succeeded = outcomes.reduce(into: Set<Int64>()) { $0.formUnion($1.succeeded) }
        let attempted = outcomes.reduce(into: Set<Int64>()) { $0.formUnion($1.attempted) }
        XCTAssertTrue(succeeded.isSubset(of: storedSet), "every insert reported done is stored")
        XCTAssertTrue(storedSet.isSubset(of: attempted))
        let errors = outcomes.flatMap(\.errors)
        XCTAssertFalse(errors.isEmpty, "the restart was noticed")
        XCTAssertTrue(errors.allSatisfy { $0.category == .unavailable }, "\(Set(errors.map(\.code.rawValue)))")
        XCTAssertTrue(outcomes.allSatisfy { $0.succeededAfterRestart > 0 }, "every task inserts again after the restart")
        try await pool.query("DROP TABLE \(identifier: table)")
    }

    func testThePoolSurvivesAServerRestartAndReportsUnavailableMeanwhile() async throws {
        let configuration = try await scratchConfiguration()
        let pool = PostgresPool(configuration: configuration, options: .init(maxConnections: 3), logger: TestDatabase.logger)
        // Three open connections, all idle in the pool.
        let holding = Barrier(parties: 3)
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<3 {
                group.addTask { try await pool.withConnection { _ in await holding.arriveAndWait() } }
            }
            try await group.waitForAll()
        }
        XCTAssertEqual(pool.statistics.open, 3)
        let pipeline = PostgresPipeline(configuration: configuration, connections: 1, logger: TestDatabase.logger)
        try await pipeline.query("SELECT 1")

        _ = try await pgScript("restart", "--scratch")
        let afterRestart = try await pool.query("SELECT 1::int4").scalar(Int32.self)
        XCTAssertEqual(afterRestart, 1, "dead idle connections are replaced without the caller noticing")

        _ = try await pgScript("stop", "--scratch")
        for _ in 0..<3 {
            let error = await expectPostgresError { try await pool.query("SELECT 1") }
            XCTAssertEqual(error?.category, .unavailable)
            XCTAssertTrue(error?.isUnavailable ?? false)
        }
        let transactionError = await expectPostgresError {
            try await pool.transaction { tx in try await tx.query("SELECT 1") }
        }
        XCTAssertEqual(transactionError?.category, .unavailable)

        let pipelineDown = await expectPostgresError { try await pipeline.query("SELECT 1") }
        XCTAssertEqual(pipelineDown?.category, .unavailable)

        _ = try await pgScript("start", "--scratch")
        let pipelineBack = try await pipeline.query("SELECT 4::int4").scalar(Int32.self)
        XCTAssertEqual(pipelineBack, 4, "the pipeline replaces its lost connection")
        await pipeline.close()
        let recovered = try await pool.query("SELECT 2::int4").scalar(Int32.self)
        XCTAssertEqual(recovered, 2)
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<6 { group.addTask { try await pool.query("SELECT pg_sleep(0.05)") } }
            try await group.waitForAll()
        }
        XCTAssertLessThanOrEqual(pool.statistics.open, 3)

        // A statement running when the server goes down fails, classified unavailable.
        let sleeper = Task { try await pool.query("SELECT pg_sleep(30)") }
        try await Task.sleep(for: .milliseconds(300))
        _ = try await pgScript("restart", "--scratch")
        do {
            _ = try await sleeper.value
            XCTFail("the statement cannot survive the restart")
        } catch let error as PostgresError {
            XCTAssertEqual(error.category, .unavailable)
        }
        let value = try await pool.query("SELECT 3::int4").scalar(Int32.self)
        XCTAssertEqual(value, 3)

        // The same with a statement already prepared on the session: sent by its
        // caller, its answer awaited by the connection's thread polling the socket.
        try await pool.query("SELECT pg_sleep(\(0.0))")
        let preparedSleeper = Task { try await pool.query("SELECT pg_sleep(\(30.0))") }
        try await Task.sleep(for: .milliseconds(300))
        _ = try await pgScript("restart", "--scratch")
        do {
            _ = try await preparedSleeper.value
            XCTFail("the statement cannot survive the restart")
        } catch let error as PostgresError {
            XCTAssertEqual(error.category, .unavailable)
        }
        let again = try await pool.query("SELECT 3::int4").scalar(Int32.self)
        XCTAssertEqual(again, 3)

        try await restartUnderLoad(pool)
        await pool.close()
        _ = try await pgScript("stop", "--scratch")
    }
}

/// What one task of `restartUnderLoad` saw.
private struct LoadOutcome: Sendable {
    var attempted: Set<Int64> = []
    var succeeded: Set<Int64> = []
    var succeededAfterRestart = 0
    var errors: [PostgresError] = []
}

/// The phases of `restartUnderLoad`, read by its tasks.
private final class LoadPhase: Sendable {
    private let restartedFlag = Atomic<Bool>(false)
    private let stoppedFlag = Atomic<Bool>(false)
    var restarted: Bool { restartedFlag.load(ordering: .acquiring) }
    var stopped: Bool { stoppedFlag.load(ordering: .acquiring) }
    func markRestarted() { restartedFlag.store(true, ordering: .releasing) }
    func stop() { stoppedFlag.store(true, ordering: .releasing) }
}
