import Foundation
import Postgres
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

    func testThePoolSurvivesAServerRestartAndReportsUnavailableMeanwhile() async throws {
        let configuration = try await scratchConfiguration()
        let pool = PostgresPool(configuration: configuration, options: .init(maxConnections: 3), logger: TestDatabase.logger)
        // Three open connections, all idle in the pool.
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<3 { group.addTask { try await pool.query("SELECT pg_sleep(0.1)") } }
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
        pipeline.close()
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
        await pool.close()
        _ = try await pgScript("stop", "--scratch")
    }
}
