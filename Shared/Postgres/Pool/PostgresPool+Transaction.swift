extension PostgresPool {
    /// Runs `body` in a transaction on a pooled connection, and runs it again on a
    /// serialization failure (40001) or a deadlock (40P01), up to
    /// `options.transactionAttempts` attempts in all, after a jittered exponential
    /// pause (full jitter, 5 ms doubling, capped at 500 ms). `body` may therefore
    /// run more than once: keep side effects other than SQL out of it.
    /// A lost connection is not retried (a COMMIT may or may not have happened).
    @discardableResult
    public func transaction<T: Sendable>(isolation: PostgresIsolation = .readCommitted, readOnly: Bool = false,
                                         maxAttempts: Int? = nil,
                                         _ body: (PostgresTransaction) async throws -> T) async throws -> T {
        let attempts = max(1, maxAttempts ?? options.transactionAttempts)
        var attempt = 1
        while true {
            do {
                return try await withConnection { connection in
                    try await connection.transaction(isolation: isolation, readOnly: readOnly, body)
                }
            } catch let error as PostgresError where error.isRetryableTransactionFailure && attempt < attempts {
                logger.debug("postgres transaction retried",
                             metadata: ["pg.sqlstate": "\(error.code)", "pg.attempt": "\(attempt)"])
                try await Task.sleep(for: PostgresPool.retryDelay(attempt: attempt))
                attempt += 1
            }
        }
    }

    /// Runs the statements as one transaction sent in one round trip (READ COMMITTED):
    /// all are applied or none, and the caller is answered after the commit. Returns
    /// each statement's rows, in order. For writes whose statements need no Swift
    /// logic between them (a record, its outbox row and its idempotency row): a
    /// later statement may use an earlier one's effects in SQL (`INSERT … SELECT`,
    /// `WHERE EXISTS`), not its rows in Swift. It goes through the pool's pipelined
    /// sessions, so concurrent transactions share commits; when a statement fails,
    /// the transaction fails with that statement's error and nothing of it stays.
    /// Retried on 40001 and 40P01 like `transaction { … }`.
    @discardableResult
    public func transaction(_ statements: [PostgresQuery], maxAttempts: Int? = nil) async throws -> [PostgresRows] {
        guard !statements.isEmpty else { return [] }
        let attempts = max(1, maxAttempts ?? options.transactionAttempts)
        var attempt = 1
        while true {
            do {
                if let pipeline { return try await pipeline.transaction(statements) }
                return try await transaction(maxAttempts: 1) { tx in
                    var rows: [PostgresRows] = []
                    for statement in statements { rows.append(try await tx.query(statement)) }
                    return rows
                }
            } catch let error as PostgresError where error.isRetryableTransactionFailure && attempt < attempts {
                logger.debug("postgres transaction retried",
                             metadata: ["pg.sqlstate": "\(error.code)", "pg.attempt": "\(attempt)"])
                try await Task.sleep(for: PostgresPool.retryDelay(attempt: attempt))
                attempt += 1
            }
        }
    }

    static func retryDelay(attempt: Int) -> Duration {
        let ceiling = min(500_000, 5_000 << min(attempt - 1, 16))   // microseconds
        return .microseconds(Int.random(in: 0...ceiling))
    }
}
