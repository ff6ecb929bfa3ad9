import Postgres

/// A provisioned service (role + schema of its own name) and a pool logged in as it.
struct ServiceSchema {
    let name: String
    let password: String
    let pool: PostgresPool

    static func provision(_ superuser: PostgresPool, prefix: String = "svc", maxConnections: Int = 4)
        async throws -> ServiceSchema {
        let name = TestDatabase.uniqueName(prefix)
        let password = TestDatabase.uniqueName("pw")
        try await ServiceDatabaseProvisioner(superuserPool: superuser).provision(service: name, password: password)
        var configuration = try TestDatabase.configuration(label: name)
        configuration.parameters["user"] = name
        configuration.parameters["password"] = password
        let pool = PostgresPool(configuration: configuration, options: .init(maxConnections: maxConnections),
                                logger: TestDatabase.logger)
        return ServiceSchema(name: name, password: password, pool: pool)
    }

    func drop(_ superuser: PostgresPool) async throws {
        await pool.close()
        try await ServiceDatabaseProvisioner(superuserPool: superuser).remove(service: name)
    }
}
