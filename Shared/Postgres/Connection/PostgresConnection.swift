import CLibPQ
import Logging
import Synchronization

/// One session with PostgreSQL, driven from async code.
///
/// Every libpq call of the session runs on the connection's own thread
/// (`ConnectionThread`), never on Swift's cooperative pool; the awaiting task is
/// resumed when the call returns. Calls on one connection run one after another.
/// Most code borrows connections from a `PostgresPool` instead of holding one.
public final class PostgresConnection: Sendable {
    let thread: ConnectionThread
    let session: LibPQConnection
    public let id: Int
    let logger: Logger
    private let closed = Atomic<Bool>(false)

    private static let counter = Atomic<Int>(0)

    private init(thread: ConnectionThread, session: LibPQConnection, id: Int, logger: Logger) {
        self.thread = thread
        self.session = session
        self.id = id
        self.logger = logger
    }

    deinit {
        // Ends the thread; the session (PQfinish) goes with the last reference.
        thread.stop()
    }

    /// Opens a session (on a new thread). Throws a `PostgresError` classified as
    /// `unavailable` when the server cannot be reached.
    public static func connect(configuration: PostgresConfiguration, logger: Logger) async throws -> PostgresConnection {
        let id = counter.add(1, ordering: .relaxed).newValue
        let thread = ConnectionThread(name: "pg-\(configuration.label)-#\(id)")
        var logger = logger
        logger[metadataKey: "pg.connection"] = "\(id)"
        do {
            let session = try await thread.run { () throws(PostgresError) -> LibPQConnection in
                try LibPQConnection(configuration: configuration)
            }
            logger.debug("postgres connection opened")
            thread.watch(socket: PQsocket(session.handle))
            thread.atEnd { session.finish() }
            return PostgresConnection(thread: thread, session: session, id: id, logger: logger)
        } catch {
            thread.stop()
            logger.debug("postgres connection failed", metadata: ["pg.sqlstate": "\((error as? PostgresError)?.code.rawValue ?? "-")"])
            throw error
        }
    }

    /// Runs a statement; interpolated values are binds. Prepared once per connection.
    /// - Parameter timeout: this statement's `statement_timeout`, instead of the configured one.
    @discardableResult
    public func query(_ query: PostgresQuery, timeout: Duration? = nil) async throws -> PostgresRows {
        let milliseconds = timeout?.postgresMilliseconds
        return try await onThread { session in try session.execute(query, timeout: milliseconds) }
    }

    /// `query` for a lone statement of the pool: when the statement is already
    /// prepared on this session, the calling task sends it (non-blocking) and the
    /// connection's thread only waits for the answer, so the thread's wake-up
    /// overlaps the server's work. Otherwise (first use) as `query`.
    func querySentByCaller(_ query: PostgresQuery) async throws -> PostgresRows {
        guard !closed.load(ordering: .acquiring) else { throw PostgresError.poolClosed() }
        switch session.sendPreparedWithoutBlocking(query) {
        case .needsPreparation:
            return try await self.query(query)
        case .failed(let error):
            if error.isConnectionFatal || session.isBroken { markBroken() }
            throw error
        case .sent(let flushed):
            // All sent: the thread reads the answer when it comes (woken by it, not by us).
            let sql = query.sql, types = query.bindings.types
            return try await onThread(whenReadable: flushed) { session in
                try session.finishSentStatement(sql: sql, types: types)
            }
        }
    }

    /// Runs statements given as text, several separated by semicolons allowed
    /// (migrations, DDL). No binds: never build this text from request values.
    /// Rows come back in text format (decode them as `String`).
    @discardableResult
    public func execute(unsafeSQL sql: String) async throws -> PostgresRows {
        try await onThread { session in try session.executeSimple(sql) }
    }

    /// Whether the session is unusable (closed, or the server went away).
    public var isBroken: Bool {
        closed.load(ordering: .acquiring)
    }

    /// Closes the session; queued calls finish first. Returns once the session is
    /// closed (PQfinish) and the connection's thread has ended, also when the
    /// connection was already dropped as broken.
    public func close() async {
        if !closed.exchange(true, ordering: .acquiringAndReleasing) {
            thread.stop()
            logger.debug("postgres connection closed")
        }
        await thread.ended()
    }

    /// Runs `body` with the session on the connection's thread (`whenReadable`: once
    /// the socket is readable, for a statement already sent). A Swift task cancelled
    /// meanwhile sends the server a cancel request for the running statement.
    func onThread<T: Sendable>(whenReadable: Bool = false,
                               _ body: @escaping @Sendable (LibPQConnection) throws -> T) async throws -> T {
        guard !closed.load(ordering: .acquiring) else { throw PostgresError.poolClosed() }
        let session = self.session
        let thread = self.thread
        do {
            return try await withTaskCancellationHandler {
                if thread.mayBlockInline {
                    // Already on the connection's thread (a loan's code): call libpq inline.
                    return try body(session)
                }
                if whenReadable { return try await thread.runWhenReadable(session, body) }
                return try await thread.run(session, body)
            } onCancel: {
                // PQcancel blocks (it opens a socket): not on the canceller's thread.
                let canceller = ConnectionThread(name: "pg-cancel")
                canceller.submit { session.cancel() }
                canceller.stop()
            }
        } catch let error as PostgresError {
            if error.isConnectionFatal || session.isBroken { markBroken() }
            throw error
        }
    }

    /// Whether the session is outside any transaction (`PQtransactionStatus`, local
    /// state, no round trip). Called by the pool on a returned connection.
    func isIdleOutsideTransaction() -> Bool {
        session.transactionStatus == PQTRANS_IDLE
    }

    /// Checks an idle connection before it is lent out (no round trip).
    func isUsableAfterIdle() -> Bool {
        if closed.load(ordering: .acquiring) { return false }
        // The idle thread polls the socket: while it saw nothing arrive, nothing did.
        if !thread.sawUnclaimedInput { return true }
        if session.isClosedWhileIdle() {
            markBroken()
            return false
        }
        return true
    }

    func markBroken() {
        if !closed.exchange(true, ordering: .acquiringAndReleasing) {
            logger.debug("postgres connection dropped")
            thread.stop()
        }
    }
}
