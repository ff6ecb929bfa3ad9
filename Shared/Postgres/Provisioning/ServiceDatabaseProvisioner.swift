import CLibPQ
import Logging

/// Gives a service its own login role and schema, both named after the service
/// (`records`), with rights on that schema only: what scripts/db-provision.sh
/// does, for tests and tools that hold a superuser pool.
///
/// Idempotent. Takes CONNECT and TEMPORARY on the database and everything on
/// schema `public` away from PUBLIC, so a service role can reach nothing but its
/// own schema (and the catalogs). The password is sent as a SCRAM verifier
/// computed here, so it never reaches the server (or its logs) in clear.
public struct ServiceDatabaseProvisioner: Sendable {
    let pool: PostgresPool

    /// - Parameter pool: connections as a superuser (or a role with CREATEROLE
    ///   that owns the database).
    public init(superuserPool pool: PostgresPool) { self.pool = pool }

    /// Lower case letters, digits and `_`, starting with a letter or `_`, at most
    /// 63 bytes, not `public` and not `pg_…`.
    public static func isValidName(_ name: String) -> Bool {
        guard let first = name.utf8.first, name.utf8.count <= 63, name != "public", !name.hasPrefix("pg_") else {
            return false
        }
        let isLower = { (byte: UInt8) in byte >= 0x61 && byte <= 0x7A }
        let isDigit = { (byte: UInt8) in byte >= 0x30 && byte <= 0x39 }
        return (isLower(first) || first == 0x5F) && name.utf8.allSatisfy { isLower($0) || isDigit($0) || $0 == 0x5F }
    }

    public func provision(service name: String, password: String) async throws {
        guard ServiceDatabaseProvisioner.isValidName(name) else { throw MigrationError.invalidSchemaName(name) }
        let role = quoteIdentifier(name)
        try await pool.withConnection { connection in
            let verifier = try await connection.onThread { session in try session.scramVerifier(password: password, user: name) }
            try await connection.transaction { transaction in
                // One provisioning at a time: CREATE ROLE is not idempotent under races.
                try await transaction.query("SELECT pg_advisory_xact_lock(\(ServiceDatabaseProvisioner.lockKey))")
                let database = try await transaction.query("SELECT current_database()::text").scalar(String.self) ?? ""
                let exists = try await transaction.query("SELECT count(*)::int4 FROM pg_roles WHERE rolname = \(name)")
                    .scalar(Int32.self) ?? 0
                var statements = [
                    "REVOKE ALL ON SCHEMA public FROM PUBLIC",
                    "REVOKE ALL ON DATABASE \(quoteIdentifier(database)) FROM PUBLIC",
                ]
                if exists == 0 { statements.append("CREATE ROLE \(role)") }
                statements += [
                    "ALTER ROLE \(role) WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS NOINHERIT PASSWORD \(quoteLiteral(verifier))",
                    "ALTER ROLE \(role) SET search_path TO \(role)",
                    "GRANT CONNECT ON DATABASE \(quoteIdentifier(database)) TO \(role)",
                    "CREATE SCHEMA IF NOT EXISTS \(role) AUTHORIZATION \(role)",
                    "ALTER SCHEMA \(role) OWNER TO \(role)",
                    "REVOKE ALL ON SCHEMA \(role) FROM PUBLIC",
                ]
                for statement in statements { try await transaction.execute(unsafeSQL: statement) }
            }
        }
    }
}

extension ServiceDatabaseProvisioner {
    /// Serialises provisioning: GRANT/REVOKE on the database row and CREATE ROLE fail
    /// with "tuple concurrently updated" when two run at once. scripts/db-provision.sh
    /// takes the same lock.
    static let lockKey: Int64 = 7_248_505_122_061_432_353

    /// Drops a service's schema (with everything in it) and its role. For tests and
    /// decommissioning; a running service loses its data.
    public func remove(service name: String) async throws {
        guard ServiceDatabaseProvisioner.isValidName(name) else { throw MigrationError.invalidSchemaName(name) }
        let role = quoteIdentifier(name)
        try await pool.transaction { transaction in
            try await transaction.query("SELECT pg_advisory_xact_lock(\(ServiceDatabaseProvisioner.lockKey))")
            let exists = try await transaction.query("SELECT count(*)::int4 FROM pg_roles WHERE rolname = \(name)")
                .scalar(Int32.self) ?? 0
            try await transaction.execute(unsafeSQL: "DROP SCHEMA IF EXISTS \(role) CASCADE")
            if exists > 0 {
                try await transaction.execute(unsafeSQL: "DROP OWNED BY \(role)")
                try await transaction.execute(unsafeSQL: "DROP ROLE \(role)")
            }
        }
    }
}

extension LibPQConnection {
    /// The SCRAM-SHA-256 verifier of a password (`PQencryptPasswordConn`).
    func scramVerifier(password: String, user: String) throws(PostgresError) -> String {
        guard let encrypted = PQencryptPasswordConn(handle, password, user, "scram-sha-256") else {
            throw error(from: nil)
        }
        defer { PQfreemem(encrypted) }
        return String(cString: encrypted)
    }
}
