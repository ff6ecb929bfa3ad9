import Contracts
import Foundation
import GRPCRuntime
import Logging
import Postgres
import XCTest
@testable import ServiceHost

/// The host with a real PostgreSQL: the PG* variables of
/// `eval "$(scripts/pg.sh start --test)"`. Fails (never skips) without them.
final class DatabaseHostingTests: XCTestCase {
    private static let insert = MethodDescriptor(service: "immigration.test.v1.Documents", method: "Insert", kind: .unary)

    private func databaseConfiguration() throws -> PostgresConfiguration {
        let environment = ProcessInfo.processInfo.environment
        for name in ["PGHOST", "PGPORT", "PGUSER", "PGDATABASE"] where environment[name] == nil {
            XCTFail("\(name) is not set: run eval \"$(scripts/pg.sh start --test)\" first")
            throw CancellationError()
        }
        return PostgresConfiguration(parameters: ["sslmode": "disable"], label: "host-test")
    }

    private var quietLogger: Logger {
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        return logger
    }

    func testMigrationsRunAtStartAndAUniqueViolationReachesTheClientAsAlreadyExists() async throws {
        let database = try databaseConfiguration()
        let schema = "hosttest_" + UUID().uuidString.prefix(8).lowercased()
        let setup = PostgresPool(configuration: database, logger: quietLogger)
        try await setup.query(PostgresQuery(unsafeSQL: "CREATE SCHEMA \(schema)"))
        let definition = ServiceDefinition(
            name: schema, policy: [DatabaseHostingTests.insert: [.ops]],
            migrations: [Migration(version: 1, name: "documents",
                                   sql: "CREATE TABLE documents (number text PRIMARY KEY CONSTRAINT number_format CHECK (number ~ '^[A-Z][0-9]{7}$'))")],
            makeProviders: { resources in
                let pool = try XCTUnwrap(resources.database)
                return [DocumentsProvider(pool: pool, schema: schema)]
            })
        let configuration = ServiceConfiguration(serviceName: "host-test", grpcListen: "127.0.0.1:0",
                                                 security: .plaintextForDevelopment, database: database)
        let service = try await RunningService.start(definition, configuration: configuration, logger: quietLogger)
        let channel = try Channel(target: "127.0.0.1:\(service.port)", security: .plaintext)
        let ops = CallOptions(timeout: .seconds(10), metadata: ["x-dev-caller": "spiffe://immigration.example/ops/operator-1"])
        func insert(_ number: String) async throws {
            var request = Grpc_Testing_SimpleRequest()
            request.responseStatus = Grpc_Testing_EchoStatus()
            request.responseStatus?.message = number
            let _: Grpc_Testing_Empty = try await channel.unary(DatabaseHostingTests.insert, request: request, options: ops)
        }
        do {
            try await insert("B1234567")
            for (number, expected) in [("B1234567", StatusCode.alreadyExists), ("not-a-number", .invalidArgument)] {
                do {
                    try await insert(number)
                    XCTFail("expected \(expected) for \(number)")
                } catch let error as RPCError {
                    XCTAssertEqual(error.code, expected, number)
                    XCTAssertFalse(error.message.contains(number), error.message)
                }
            }
            let applied = try await setup.query(PostgresQuery(unsafeSQL: "SELECT count(*)::int8 FROM \(schema).schema_migrations"))
            XCTAssertEqual(try applied[0].decode(Int64.self, column: 0), 1)
        } catch {
            XCTFail("\(error)")
        }
        channel.close()
        await service.shutdown(gracePeriod: .seconds(1))
        try await setup.query(PostgresQuery(unsafeSQL: "DROP SCHEMA \(schema) CASCADE"))
        await setup.close()
    }

    func testTheMigrateSubcommandAppliesPendingMigrationsOnceAndAgainIsANoOp() async throws {
        let database = try databaseConfiguration()
        let schema = "hosttest_" + UUID().uuidString.prefix(8).lowercased()
        let setup = PostgresPool(configuration: database, logger: quietLogger)
        try await setup.query(PostgresQuery(unsafeSQL: "CREATE SCHEMA \(schema)"))
        var definition = ServiceDefinition(name: schema, policy: [:], makeProviders: { _ in [] })
        definition.migrations = [Migration(version: 1, name: "one", sql: "CREATE TABLE a (id int PRIMARY KEY)")]
        let configuration = ServiceConfiguration(serviceName: "host-test", grpcListen: "127.0.0.1:0",
                                                 security: .plaintextForDevelopment, database: database)
        try await ServiceMain.migrate(definition, configuration: configuration, logger: quietLogger)
        definition.migrations.append(Migration(version: 2, name: "two", sql: "CREATE TABLE b (id int PRIMARY KEY)"))
        try await ServiceMain.migrate(definition, configuration: configuration, logger: quietLogger)
        try await ServiceMain.migrate(definition, configuration: configuration, logger: quietLogger)
        let versions = try await setup.query(PostgresQuery(
            unsafeSQL: "SELECT count(*)::int8 FROM \(schema).schema_migrations"))
        XCTAssertEqual(try versions[0].decode(Int64.self, column: 0), 2)
        let tables = try await setup.query(
            "SELECT count(*)::int8 FROM pg_tables WHERE schemaname = \(schema) AND tablename IN ('a', 'b')")
        XCTAssertEqual(try tables[0].decode(Int64.self, column: 0), 2)
        try await setup.query(PostgresQuery(unsafeSQL: "DROP SCHEMA \(schema) CASCADE"))
        await setup.close()
    }

    func testTheProbeMarksEveryServiceNotServingWhileTheDatabaseIsUnreachable() async throws {
        let unreachable = PostgresPool(configuration: PostgresConfiguration(
            parameters: ["host": "127.0.0.1", "port": "1", "sslmode": "disable", "connect_timeout": "1"]),
            options: .init(acquireTimeout: .seconds(1)), logger: quietLogger)
        let board = HealthStatusBoard(services: ["immigration.test.v1.Documents"])
        board.setAll(.serving)
        let probing = DatabaseHealthProbe(pool: unreachable, board: board, logger: quietLogger, interval: .milliseconds(50))
        let probe = Task { await probing.run() }
        let deadline = ContinuousClock.now + .seconds(10)
        while board.status(of: "immigration.test.v1.Documents") != .notServing, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(20))
        }
        probe.cancel()
        await probe.value
        XCTAssertEqual(board.status(of: ""), .notServing)
        XCTAssertEqual(board.status(of: "immigration.test.v1.Documents"), .notServing)
        await unreachable.close()
    }
}

/// Inserts the document number carried in `response_status.message` (a
/// message type the contracts already have), so that the database decides.
private struct DocumentsProvider: ServiceProvider {
    let pool: PostgresPool
    let schema: String

    var methods: [ServerMethod] {
        [.unary(DatabaseHostingTests.insertMethod) { (request: Grpc_Testing_SimpleRequest, _: ServerContext) -> Grpc_Testing_Empty in
            let number = request.responseStatus?.message ?? ""
            try await pool.query(PostgresQuery(unsafeSQL: "INSERT INTO \(schema).documents (number) VALUES ($1)",
                                               bindings: { var b = PostgresBindings(); b.append(number); return b }()))
            return Grpc_Testing_Empty()
        }]
    }
}

extension DatabaseHostingTests {
    static var insertMethod: MethodDescriptor { insert }
}
