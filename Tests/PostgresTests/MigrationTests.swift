import Foundation
import Postgres
import XCTest

final class MigrationTests: XCTestCase {
    var superuser: PostgresPool!
    var service: ServiceSchema!

    override func setUp() async throws {
        superuser = try TestDatabase.pool()
        service = try await ServiceSchema.provision(superuser, prefix: "mig", maxConnections: 8)
    }

    override func tearDown() async throws {
        if let service { try await service.drop(superuser) }
        await superuser?.close()
    }

    let migrations = [
        Migration(version: 1, name: "create_checkpoints", sql: """
            CREATE TABLE checkpoints (code text PRIMARY KEY, kind text NOT NULL CHECK (kind IN ('air', 'land', 'sea')));
            CREATE TABLE applied_log (note text);
            """),
        Migration(version: 2, name: "seed", sql: "INSERT INTO checkpoints VALUES ('SGN', 'air'); INSERT INTO applied_log VALUES ('2');"),
        Migration(version: 3, name: "add_province", sql: "ALTER TABLE checkpoints ADD COLUMN province text;"),
    ]

    func testConcurrentRunnersApplyEachMigrationOnce() async throws {
        let schema = service.name
        let migrations = self.migrations
        let pools = (0..<4).map { _ in
            PostgresPool(configuration: service.pool.configuration, options: .init(maxConnections: 1),
                         logger: TestDatabase.logger)
        }
        let appliedCounts = try await withThrowingTaskGroup(of: Int.self) { group in
            for pool in pools {
                group.addTask {
                    try await MigrationRunner(schema: schema, migrations: migrations, logger: TestDatabase.logger)
                        .run(on: pool).count
                }
            }
            return try await group.reduce(into: [Int]()) { $0.append($1) }
        }
        XCTAssertEqual(appliedCounts.reduce(0, +), 3, "three migrations applied in all")
        XCTAssertEqual(appliedCounts.filter { $0 > 0 }.count, 1, "by one runner")
        let log = try await service.pool.query("SELECT count(*) FROM applied_log").scalar(Int64.self)
        XCTAssertEqual(log, 1)
        let recorded = try await service.pool.query("""
            SELECT version, name, checksum, applied_at FROM schema_migrations ORDER BY version
            """)
        XCTAssertEqual(try recorded.map { try $0.decode(Int32.self, column: 0) }, [1, 2, 3])
        XCTAssertEqual(try recorded[1].decode(String.self, column: "name"), "seed")
        XCTAssertEqual(try recorded[0].decode(String.self, column: "checksum"), migrations[0].checksum)
        XCTAssertEqual(migrations[0].checksum.count, 64)
        for pool in pools { await pool.close() }
    }

    func testAnEditedAppliedMigrationIsRefused() async throws {
        try await MigrationRunner(schema: service.name, migrations: migrations, logger: TestDatabase.logger)
            .run(on: service.pool)
        var edited = migrations
        edited[1].sql += " INSERT INTO checkpoints VALUES ('HAN', 'air');"
        edited.append(Migration(version: 4, name: "later", sql: "CREATE TABLE later (x int);"))
        do {
            try await MigrationRunner(schema: service.name, migrations: edited, logger: TestDatabase.logger)
                .run(on: service.pool)
            XCTFail("an edited migration must be refused")
        } catch let error as MigrationError {
            XCTAssertEqual(error, .checksumMismatch(version: 2, name: "seed"))
        }
        let later = try await service.pool.query("SELECT to_regclass('later') IS NULL").scalar(Bool.self)
        XCTAssertEqual(later, true, "nothing of the refused run was applied")
    }

    func testAFailingMigrationLeavesNothingBehind() async throws {
        var broken = migrations
        broken.append(Migration(version: 4, name: "broken", sql: "CREATE TABLE good (x int); SELEC oops;"))
        let error = await expectPostgresError {
            try await MigrationRunner(schema: self.service.name, migrations: broken, logger: TestDatabase.logger)
                .run(on: self.service.pool)
        }
        XCTAssertEqual(error?.code, .syntaxError)
        let tables = try await service.pool.query("""
            SELECT count(*) FROM pg_tables WHERE schemaname = \(service.name)
            """).scalar(Int64.self)
        XCTAssertEqual(tables, 0)
        let applied = try await MigrationRunner(schema: service.name, migrations: migrations, logger: TestDatabase.logger)
            .run(on: service.pool)
        XCTAssertEqual(applied.map(\.version), [1, 2, 3])
    }

    func testAnUnappliedMigrationOlderThanTheNewestAppliedIsRefused() async throws {
        try await MigrationRunner(schema: service.name, migrations: [migrations[0], migrations[2]],
                                  logger: TestDatabase.logger).run(on: service.pool)
        do {
            try await MigrationRunner(schema: service.name, migrations: migrations, logger: TestDatabase.logger)
                .run(on: service.pool)
            XCTFail("out-of-order migration must be refused")
        } catch let error as MigrationError {
            XCTAssertEqual(error, .outOfOrder(version: 2, name: "seed", newestApplied: 3))
        }
    }

    func testMigrationsLoadFromNumberedFiles() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(TestDatabase.uniqueName("migrations"))
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        try "CREATE TABLE b (x int);".write(to: directory.appendingPathComponent("0002_second.sql"), atomically: true, encoding: .utf8)
        try "CREATE TABLE a (x int);".write(to: directory.appendingPathComponent("0001_first.sql"), atomically: true, encoding: .utf8)
        try "notes".write(to: directory.appendingPathComponent("README.md"), atomically: true, encoding: .utf8)
        let loaded = try Migration.load(directory: directory)
        XCTAssertEqual(loaded.map(\.version), [1, 2])
        XCTAssertEqual(loaded.map(\.name), ["first", "second"])
        try "x".write(to: directory.appendingPathComponent("0001_again.sql"), atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try Migration.load(directory: directory)) {
            XCTAssertEqual($0 as? MigrationError, .duplicateVersion(1))
        }
        try FileManager.default.removeItem(at: directory.appendingPathComponent("0001_again.sql"))
        try "x".write(to: directory.appendingPathComponent("third.sql"), atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try Migration.load(directory: directory)) {
            XCTAssertEqual($0 as? MigrationError, .invalidFileName("third.sql"))
        }
    }
}
