import Logging

/// Brings a service's schema up to date at start (and in the `migrate` subcommand).
///
/// Everything happens in one transaction holding a transaction-scoped advisory
/// lock derived from the schema name: replicas starting together queue on the
/// lock, and the later ones find the work done, so each migration is applied
/// once. Each migration runs with `search_path` set to the schema, and is recorded
/// in `<schema>.schema_migrations` (version, name, SHA-256, applied_at). A failure
/// rolls back every migration of the run. The runner refuses to go on (throws a
/// `MigrationError`) when an applied migration's text changed, or when an
/// unapplied migration is older than the newest applied one. Applied versions that
/// are not in the list (a newer release ran first) are tolerated, so that an older
/// replica keeps starting during a rolling upgrade.
///
/// Statements that cannot run in a transaction (`CREATE INDEX CONCURRENTLY`)
/// do not belong in these files.
public struct MigrationRunner: Sendable {
    public let schema: String
    public let migrations: [Migration]
    let logger: Logger

    public init(schema: String, migrations: [Migration], logger: Logger) throws {
        guard ServiceDatabaseProvisioner.isValidName(schema) else { throw MigrationError.invalidSchemaName(schema) }
        try Migration.validate(migrations)
        self.schema = schema
        self.migrations = migrations.sorted { $0.version < $1.version }
        var logger = logger
        logger[metadataKey: "pg.schema"] = "\(schema)"
        self.logger = logger
    }

    /// Applies the pending migrations; returns those this call applied.
    @discardableResult
    public func run(on pool: PostgresPool) async throws -> [Migration] {
        let applied = try await pool.withConnection { connection in
            try await connection.transaction { transaction in try await apply(in: transaction) }
        }
        if applied.isEmpty {
            logger.debug("postgres migrations up to date")
        } else {
            logger.info("postgres migrations applied", metadata: ["pg.migrations": "\(applied.map(\.version))"])
        }
        return applied
    }

    /// The advisory lock key of this schema's migrations (stable across processes).
    var lockKey: Int64 {
        let digest = sha256(Array("immigration.migrations.\(schema)".utf8))
        return digest.prefix(8).reduce(Int64(0)) { $0 << 8 | Int64($1) }
    }

    private func apply(in transaction: PostgresTransaction) async throws -> [Migration] {
        let table = quoteIdentifier(schema) + ".schema_migrations"
        try await transaction.query("SELECT pg_advisory_xact_lock(\(lockKey))")
        try await transaction.execute(unsafeSQL: """
            CREATE TABLE IF NOT EXISTS \(table) (
                version integer PRIMARY KEY,
                name text NOT NULL,
                checksum text NOT NULL,
                applied_at timestamptz NOT NULL DEFAULT now())
            """)
        let rows = try await transaction.query("SELECT version, checksum FROM \(unsafeRaw: table) ORDER BY version")
        var appliedChecksums: [Int: String] = [:]
        for row in rows {
            let (version, checksum) = try row.decode((Int, String).self)
            appliedChecksums[version] = checksum
        }
        let newestApplied = appliedChecksums.keys.max() ?? 0
        var pending: [Migration] = []
        for migration in migrations {
            if let recorded = appliedChecksums[migration.version] {
                guard recorded == migration.checksum else {
                    throw MigrationError.checksumMismatch(version: migration.version, name: migration.name)
                }
            } else if migration.version < newestApplied {
                throw MigrationError.outOfOrder(version: migration.version, name: migration.name,
                                                newestApplied: newestApplied)
            } else {
                pending.append(migration)
            }
        }
        for migration in pending {
            try await transaction.execute(unsafeSQL: "SET LOCAL search_path TO \(quoteIdentifier(schema))")
            try await transaction.execute(unsafeSQL: migration.sql)
            try await transaction.query("""
                INSERT INTO \(unsafeRaw: table) (version, name, checksum)
                VALUES (\(Int32(migration.version)), \(migration.name), \(migration.checksum))
                """)
        }
        return pending
    }
}
