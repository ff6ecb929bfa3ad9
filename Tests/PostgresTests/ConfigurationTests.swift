import Postgres
import XCTest

final class ConfigurationTests: XCTestCase {
    func testConnectionKeywordsReachLibPQUnchanged() async throws {
        var configuration = try TestDatabase.configuration()
        configuration.parameters["application_name"] = "gate-42"
        configuration.parameters["options"] = "-c work_mem=8MB"
        let pool = PostgresPool(configuration: configuration, logger: TestDatabase.logger)
        let rows = try await pool.query("SELECT current_setting('application_name'), current_setting('work_mem')")
        let (name, workMem) = try rows[0].decode((String, String).self)
        XCTAssertEqual(name, "gate-42")
        XCTAssertEqual(workMem, "8MB")
        await pool.close()
    }

    func testSSLModeIsPassedThroughAndRequireFailsAgainstAPlainServer() async throws {
        // The test cluster has no TLS: sslmode=require must refuse to connect.
        var configuration = try TestDatabase.configuration()
        configuration.parameters["sslmode"] = "require"
        let pool = PostgresPool(configuration: configuration, logger: TestDatabase.logger)
        let error = await expectPostgresError { try await pool.query("SELECT 1") }
        XCTAssertEqual(error?.code, .sqlclientUnableToEstablishSQLConnection)
        XCTAssertEqual(error?.category, .unavailable)
        XCTAssertTrue(error?.unsafeMessage.contains("SSL") ?? false)
        XCTAssertEqual(pool.statistics.open, 0, "the failed attempt gave its slot back")
        await pool.close()
    }

    func testAWrongPasswordIsAConnectionErrorNotACrash() async throws {
        var configuration = try TestDatabase.configuration()
        configuration.parameters["password"] = "wrong"
        let pool = PostgresPool(configuration: configuration, logger: TestDatabase.logger)
        let error = await expectPostgresError { try await pool.query("SELECT 1") }
        XCTAssertEqual(error?.category, .unavailable)
        XCTAssertFalse(error?.description.contains("wrong") ?? true)
        await pool.close()
    }
}
