import CLibPQ
import Glibc

/// A lone statement's fast path (`PostgresPool.query`): the calling task sends the
/// statement itself, without blocking, and only the wait for the answer runs on
/// the connection's thread, which therefore wakes while the server is already at
/// work instead of before the statement can leave.
extension LibPQConnection {
    enum SendOutcome {
        /// On its way; `finishSentStatement` reads the answer. `flushed`: all of it is
        /// in the socket (otherwise the connection's thread must send the rest first).
        case sent(flushed: Bool)
        /// Nothing sent: the statement is not prepared yet on this session, or the
        /// session's `statement_timeout` must be set first. Use `execute`.
        case needsPreparation
        case failed(PostgresError)
    }

    /// Sends an already prepared statement in non-blocking mode (never blocks: what
    /// the socket does not take now stays in libpq's buffer for the connection's
    /// thread to flush). Safe from any thread while the caller holds the connection.
    func sendPreparedWithoutBlocking(_ query: PostgresQuery) -> SendOutcome {
        if let wanted = defaultStatementTimeout, !hasStatementTimeout(wanted) { return .needsPreparation }
        guard let name = preparedName(sql: query.sql, types: query.bindings.types) else { return .needsPreparation }
        guard PQsetnonblocking(handle, 1) == 0 else { return .failed(error(from: nil)) }
        // withCString: a short Swift string passed as a C string is otherwise copied to the heap.
        let sent = name.withCString { name in
            query.bindings.withLibPQArguments { values, lengths, formats in
                PQsendQueryPrepared(handle, name, Int32(query.bindings.count), values, lengths, formats, 1)
            }
        }
        let flushed = sent == 1 ? PQflush(handle) : -1
        guard flushed >= 0 else {
            _ = PQsetnonblocking(handle, 0)
            return .failed(error(from: nil))
        }
        return .sent(flushed: flushed == 0)
    }

    /// On the connection's thread: sends what is left, waits for the answer of the
    /// statement `sendPreparedWithoutBlocking` sent, and returns it as `execute` would.
    func finishSentStatement(sql: String, types: [PostgresType]) throws(PostgresError) -> PostgresRows {
        while true {
            let flushed = PQflush(handle)
            if flushed == 0 { break }
            if flushed < 0 { throw error(from: nil) }
            var descriptor = pollfd(fd: PQsocket(handle), events: Int16(POLLIN | POLLOUT), revents: 0)
            if poll(&descriptor, 1, -1) < 0, errno != EINTR { throw .connectionLost("poll failed") }
            if descriptor.revents & Int16(POLLIN) != 0, PQconsumeInput(handle) == 0 { throw error(from: nil) }
        }
        guard PQsetnonblocking(handle, 0) == 0 else { throw error(from: nil) }
        // Read what has come first: a blocking PQgetResult polls before it reads, a
        // system call for nothing when the answer is already here (the usual case: the
        // thread was woken by it). A failure shows in PQgetResult's result.
        _ = PQconsumeInput(handle)
        // One result for one statement, then NULL; keep the first (an error, if any).
        var first: OpaquePointer?
        while let result = PQgetResult(handle) {
            if first == nil { first = result } else { PQclear(result) }
        }
        do {
            return try check(first)
        } catch {
            forgetPreparedStatementIfStale(error, sql: sql, types: types)
            throw error
        }
    }
}
