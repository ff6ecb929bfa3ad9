import Foundation
import Logging
import Postgres
import XCTest

/// The server the tests run against: the PG* variables that
/// `eval "$(scripts/pg.sh start --test)"` sets. Tests fail (never skip) without them.
enum TestDatabase {
    static let logger = Logger(label: "postgres-tests")

    static func configuration(label: String = "test", statementTimeout: Duration? = nil,
                              file: StaticString = #filePath, line: UInt = #line) throws -> PostgresConfiguration {
        let environment = ProcessInfo.processInfo.environment
        for name in ["PGHOST", "PGPORT", "PGUSER", "PGPASSWORD", "PGDATABASE"] where environment[name] == nil {
            XCTFail("\(name) is not set: run eval \"$(scripts/pg.sh start --test)\" first", file: file, line: line)
            throw MissingDatabase()
        }
        return PostgresConfiguration(parameters: ["sslmode": "disable"], statementTimeout: statementTimeout,
                                     label: label)
    }

    static func pool(maxConnections: Int = 4, acquireTimeout: Duration = .seconds(10),
                     statementTimeout: Duration? = nil) throws -> PostgresPool {
        PostgresPool(configuration: try configuration(statementTimeout: statementTimeout),
                     options: .init(maxConnections: maxConnections, acquireTimeout: acquireTimeout),
                     logger: logger)
    }

    /// A name no other test (or parallel test process) uses.
    static func uniqueName(_ prefix: String) -> String {
        prefix + "_" + UUID().uuidString.prefix(8).lowercased()
    }

    /// The repository root (for scripts/pg.sh).
    static var repositoryRoot: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
    }
}

extension XCTestCase {
    /// Asserts that `body` throws a `PostgresError` and returns it.
    func expectPostgresError<T>(_ body: () async throws -> T, file: StaticString = #filePath,
                                line: UInt = #line) async -> PostgresError? {
        do {
            _ = try await body()
            XCTFail("expected a PostgresError, got success", file: file, line: line)
        } catch let error as PostgresError {
            return error
        } catch {
            XCTFail("expected a PostgresError, got \(error)", file: file, line: line)
        }
        return nil
    }
}

/// Thrown after the test was failed for want of PG* variables.
struct MissingDatabase: Error {}
