import Postgres
import XCTest

final class ProvisioningTests: XCTestCase {
    var superuser: PostgresPool!

    override func setUp() async throws { superuser = try TestDatabase.pool() }
    override func tearDown() async throws { await superuser?.close() }

    func testOneServicesRoleCannotReadAnothersSchema() async throws {
        let records = try await ServiceSchema.provision(superuser, prefix: "records")
        let passports = try await ServiceSchema.provision(superuser, prefix: "passports")
        do {
            try await records.pool.query("CREATE TABLE persons (id int PRIMARY KEY, family_name text)")
            try await records.pool.query("INSERT INTO persons VALUES (1, \("Trần"))")
            let own = try await records.pool.query("SELECT family_name FROM persons").scalar(String.self)
            XCTAssertEqual(own, "Trần", "a service works in its own schema without qualifying names")

            let read = await expectPostgresError {
                try await passports.pool.query("SELECT * FROM \(identifier: records.name).persons")
            }
            XCTAssertEqual(read?.code, .insufficientPrivilege)
            XCTAssertEqual(read?.category, .insufficientPrivilege)

            let write = await expectPostgresError {
                try await passports.pool.query("CREATE TABLE \(identifier: records.name).intruder (x int)")
            }
            XCTAssertEqual(write?.code, .insufficientPrivilege)

            let publicSchema = await expectPostgresError {
                try await passports.pool.query("CREATE TABLE public.shared (x int)")
            }
            XCTAssertEqual(publicSchema?.code, .insufficientPrivilege)

            let temporary = await expectPostgresError {
                try await passports.pool.query("CREATE TEMP TABLE scratch (x int)")
            }
            XCTAssertEqual(temporary?.code, .insufficientPrivilege)

            let escalate = await expectPostgresError {
                try await passports.pool.query("SET ROLE \(unsafeRaw: quoteIdentifier(records.name))")
            }
            XCTAssertEqual(escalate?.code, .insufficientPrivilege)
        } catch {
            XCTFail("\(error)")
        }
        try await records.drop(superuser)
        try await passports.drop(superuser)
    }

    func testProvisioningTwiceKeepsTheDataAndChangesThePassword() async throws {
        let service = try await ServiceSchema.provision(superuser)
        try await service.pool.query("CREATE TABLE kept (x int)")
        await service.pool.close()
        try await ServiceDatabaseProvisioner(superuserPool: superuser).provision(service: service.name, password: "new-secret")
        var configuration = try TestDatabase.configuration()
        configuration.parameters["user"] = service.name
        configuration.parameters["password"] = "new-secret"
        let again = PostgresPool(configuration: configuration, logger: TestDatabase.logger)
        let count = try await again.query("SELECT count(*) FROM kept").scalar(Int64.self)
        XCTAssertEqual(count, 0)
        await again.close()
        let stale = await expectPostgresError { try await service.pool.query("SELECT 1") }
        XCTAssertEqual(stale?.category, .unavailable, "the old password no longer works (closed pool)")
        try await service.drop(superuser)
    }

    func testInvalidServiceNamesAreRefused() async throws {
        for name in ["", "Records", "pg_catalog", "public", "a-b", "x; DROP", String(repeating: "a", count: 64)] {
            XCTAssertFalse(ServiceDatabaseProvisioner.isValidName(name), name)
        }
        XCTAssertTrue(ServiceDatabaseProvisioner.isValidName("records_v2"))
        do {
            try await ServiceDatabaseProvisioner(superuserPool: superuser).provision(service: "Bad-Name", password: "x")
            XCTFail("should refuse")
        } catch is MigrationError {}
    }
}
