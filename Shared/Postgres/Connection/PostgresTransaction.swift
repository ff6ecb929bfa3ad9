/// The connection a `transaction` body runs its statements on, between BEGIN and
/// COMMIT. Valid only inside the body.
public struct PostgresTransaction: Sendable {
    public let connection: PostgresConnection

    /// Runs a statement of the transaction; interpolated values are binds.
    @discardableResult
    public func query(_ query: PostgresQuery, timeout: Duration? = nil) async throws -> PostgresRows {
        try await connection.query(query, timeout: timeout)
    }

    /// Runs statements given as text (no binds), as `PostgresConnection.execute(unsafeSQL:)`.
    @discardableResult
    public func execute(unsafeSQL sql: String) async throws -> PostgresRows {
        try await connection.execute(unsafeSQL: sql)
    }
}

/// SQL isolation levels.
public enum PostgresIsolation: String, Sendable {
    case readCommitted = "READ COMMITTED"
    case repeatableRead = "REPEATABLE READ"
    case serializable = "SERIALIZABLE"
}

extension PostgresConnection {
    /// Runs `body` in one transaction on this connection, without retries (see
    /// `PostgresPool.transaction` for the retrying form). Commits when `body`
    /// returns, rolls back when it throws.
    @discardableResult
    public func transaction<T: Sendable>(isolation: PostgresIsolation = .readCommitted, readOnly: Bool = false,
                                         _ body: (PostgresTransaction) async throws -> T) async throws -> T {
        try await execute(unsafeSQL: "BEGIN ISOLATION LEVEL \(isolation.rawValue)\(readOnly ? " READ ONLY" : "")")
        let result: T
        do {
            result = try await body(PostgresTransaction(connection: self))
        } catch {
            await rollback()
            throw error
        }
        try await onThread { session in try session.commit() }
        return result
    }

    private func rollback() async {
        _ = try? await onThread { session in
            session.forgetSessionSettings()
            if !session.isBroken { _ = try session.executeSimple("ROLLBACK") }
        }
    }
}

extension LibPQConnection {
    /// COMMIT; a transaction that had already failed answers ROLLBACK without an
    /// error, which is reported here as 25P02 so no caller thinks it committed.
    func commit() throws(PostgresError) {
        let rows = try executeSimple("COMMIT")
        if rows.result.commandStatus == "ROLLBACK" {
            forgetSessionSettings()
            throw PostgresError(code: .inFailedSQLTransaction, origin: .client,
                                unsafeMessage: "the transaction had failed and was rolled back")
        }
    }
}
