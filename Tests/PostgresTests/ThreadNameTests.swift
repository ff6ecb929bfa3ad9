import Foundation
import Postgres
import XCTest

final class ThreadNameTests: XCTestCase {
    func testConnectionThreadsCarryTheirNameToTheOperatingSystem() async throws {
        let pool = PostgresPool(configuration: try TestDatabase.configuration(label: "names"),
                                options: .init(maxConnections: 2, pipelineConnections: 1), logger: TestDatabase.logger)
        try await pool.query("SELECT 1")
        let pipeline = PostgresPipeline(configuration: try TestDatabase.configuration(label: "names"), connections: 1,
                                        logger: TestDatabase.logger)
        try await pipeline.query("SELECT 1")
        let names = threadNames()
        await pipeline.close()
        await pool.close()
        XCTAssertTrue(names.contains { $0.hasPrefix("pg-names-#") }, "a pool connection's thread, among \(names)")
        XCTAssertTrue(names.contains("pg-names-p#0"), "the pipeline connection's thread, among \(names)")
    }

    /// What `ps -L -o comm` shows for this process.
    private func threadNames() -> [String] {
        let tasks = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/task")) ?? []
        return tasks.compactMap {
            (try? String(contentsOfFile: "/proc/self/task/\($0)/comm", encoding: .utf8))?
                .trimmingCharacters(in: .whitespacesAndNewlines)
        }
    }
}
