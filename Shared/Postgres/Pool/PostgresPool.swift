import Foundation
import Logging
import Synchronization

/// A bounded set of connections shared by the tasks of a service.
///
/// At most `maxConnections` sessions exist. A task that finds none free waits in
/// a FIFO queue until one is released, up to `acquireTimeout` (then it gets a
/// `PostgresError` of category `unavailable`, code 53300). Broken connections (the
/// server restarted, the network failed) are dropped on release, or found dead
/// when lent out again (a non-blocking look at the socket), and replaced by new
/// ones on demand; while the server is down, each borrower gets an `unavailable`
/// error rather than a hang. Idle connections are reused most-recently-used first.
///
/// The pool's bookkeeping is a mutex-guarded state, never held across a call to
/// libpq; connecting and queries run on each connection's own thread.
public final class PostgresPool: Sendable {
    /// Sizing and waiting rules.
    public struct Options: Sendable {
        public var maxConnections: Int
        public var acquireTimeout: Duration
        /// Attempts of a `transaction` that fails with 40001 or 40P01 (first try included).
        public var transactionAttempts: Int
        /// Sessions in pipeline mode for single statements that arrive while others
        /// are in flight (see `query`), opened on demand, in addition to
        /// `maxConnections`; 0 sends every statement over a lent connection.
        public var pipelineConnections: Int

        public init(maxConnections: Int = 10, acquireTimeout: Duration = .seconds(10), transactionAttempts: Int = 5,
                    pipelineConnections: Int = 4) {
            precondition(maxConnections > 0 && transactionAttempts > 0 && pipelineConnections >= 0)
            self.maxConnections = maxConnections
            self.acquireTimeout = acquireTimeout
            self.transactionAttempts = transactionAttempts
            self.pipelineConnections = pipelineConnections
        }
    }

    public let configuration: PostgresConfiguration
    public let options: Options
    let logger: Logger
    let state = Mutex(PoolState())
    /// Where concurrent single statements go (nil with `pipelineConnections == 0`).
    let pipeline: PostgresPipeline?
    /// Single statements (`query` without a timeout) in flight.
    private let singleStatements = Atomic<Int>(0)

    public init(configuration: PostgresConfiguration, options: Options = Options(), logger: Logger) {
        self.configuration = configuration
        self.options = options
        var logger = logger
        logger[metadataKey: "pg.pool"] = "\(configuration.label)"
        self.logger = logger
        pipeline = options.pipelineConnections == 0 ? nil
            : PostgresPipeline(configuration: configuration, connections: options.pipelineConnections, logger: logger)
    }

    /// Lends a connection to `body` and takes it back afterwards, whatever happens.
    @discardableResult
    public func withConnection<T: Sendable>(_ body: (PostgresConnection) async throws -> T) async throws -> T {
        let connection = try await acquire()
        do {
            let result = try await withTaskExecutorPreference(connection.thread) { try await body(connection) }
            release(connection)
            return result
        } catch {
            release(connection)
            throw error
        }
    }

    /// Runs one statement as its own transaction (autocommit) and returns its rows.
    ///
    /// A statement that finds no other in flight borrows a connection (the fastest
    /// path for a lone caller). One that arrives while others are in flight goes to
    /// the pool's pipelined sessions, where statements arriving together share one
    /// round trip and one commit (group commit); a failure is still only its own
    /// (see `PostgresPipeline`). Either way the caller is answered after its
    /// statement committed. With `timeout` the statement always borrows a connection.
    @discardableResult
    public func query(_ query: PostgresQuery, timeout: Duration? = nil) async throws -> PostgresRows {
        guard timeout == nil, let pipeline else {
            return try await withConnection { try await $0.query(query, timeout: timeout) }
        }
        let alone = singleStatements.add(1, ordering: .relaxed).oldValue == 0
        defer { singleStatements.subtract(1, ordering: .relaxed) }
        if alone {
            let connection = try await acquire()
            do {
                let rows = try await connection.querySentByCaller(query)
                release(connection)
                return rows
            } catch {
                release(connection)
                throw error
            }
        }
        return try await pipeline.query(query)
    }

    /// A pipeline of its own over `connections` sessions with this pool's configuration
    /// (a store's hot statements, kept apart from the pool's shared pipeline), closed
    /// with the pool: `close()` closes it with the pool's sessions, so a service that
    /// shuts its pools down leaves no session open. The pool does not keep it alive: one
    /// its owner drops closes itself, as any pipeline does. After `close()` the pipeline
    /// comes closed (its statements fail with `poolClosed`).
    ///
    /// `settings` are run-time parameters its sessions start with (libpq's `options`,
    /// `-c name=value`, after those of the configuration's `options` keyword, or
    /// else of `PGOPTIONS`): for statements whose
    /// durability or waiting rules differ from the pool's, such as derived data
    /// written with `synchronous_commit = off`. Names and values are plain words
    /// (letters, digits, `_`, `.`); anything else is a programming error.
    public func makePipeline(connections: Int, maxBatch: Int = 64, settings: [String: String] = [:],
                             logger: Logger) -> PostgresPipeline {
        var sessions = configuration
        if !settings.isEmpty {
            let plain = { (text: String) in
                !text.isEmpty && text.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_" || $0 == ".") }
            }
            precondition(settings.allSatisfy { plain($0.key) && plain($0.value) }, "session settings must be plain words")
            let options = settings.sorted { $0.key < $1.key }.map { "-c \($0.key)=\($0.value)" }
            // Setting the keyword stops libpq reading PGOPTIONS: keep it first.
            let before = sessions.parameters["options"] ?? ProcessInfo.processInfo.environment["PGOPTIONS"]
            sessions.parameters["options"] = ([before].compactMap { $0 } + options).joined(separator: " ")
        }
        let made = PostgresPipeline(configuration: sessions, connections: connections, maxBatch: maxBatch,
                                    logger: logger)
        let open = state.withLock { state in
            if !state.closed {
                state.pipelines.removeAll { $0.pipeline == nil }
                state.pipelines.append(MadePipeline(pipeline: made))
            }
            return !state.closed
        }
        if !open { made.close() }
        return made
    }

    /// Counts for metrics and tests.
    public var statistics: (open: Int, idle: Int, waiting: Int) {
        state.withLock { ($0.total, $0.idle.count, $0.waiters.count) }
    }

    /// Refuses new borrowers, fails the waiting ones and closes idle connections and
    /// the pipelines made by `makePipeline`; lent connections close when they come
    /// back. Returns once every session of the pool (and of its pipelines) is closed (PQfinish) and its thread has ended,
    /// so a process may exit right after: statements in flight finish first. The
    /// awaiting task is resumed by the last connection thread, never blocked on.
    public func close() async {
        await pipeline?.close()
        let (idle, waiters, pipelines) = state.withLock { state in
            state.closed = true
            defer { state.idle.removeAll(); state.waiters.removeAll(); state.pipelines.removeAll() }
            state.total -= state.idle.count
            state.finishing += state.idle.count
            return (state.idle, state.waiters, state.pipelines)
        }
        for made in pipelines { await made.pipeline?.close() }
        for waiter in waiters {
            waiter.timeout?.cancel()
            waiter.continuation.resume(throwing: PostgresError.poolClosed())
        }
        for connection in idle { await connection.close() }
        finished(idle.count)
        await withUnsafeContinuation { (continuation: UnsafeContinuation<Void, Never>) in
            let done = state.withLock { state in
                if state.isDrained { return true }
                state.closeWaiters.append(continuation)
                return false
            }
            if done { continuation.resume() }
        }
    }

    /// Closes connections that left the pool (broken, dead, or back after `close`)
    /// and counts them until their sessions are closed, for `close` to wait on.
    /// The caller counted them in `finishing` in the same lock that took them out of `total`.
    private func retire(_ connection: PostgresConnection) {
        Task { [self] in
            await connection.close()
            finished(1)
        }
    }

    private func finished(_ count: Int) {
        let waiters = state.withLock { state in
            state.finishing -= count
            return state.takeCloseWaitersIfDrained()
        }
        for waiter in waiters { waiter.resume() }
    }

    // MARK: Lending

    func acquire() async throws -> PostgresConnection {
        while true {
            let decision = state.withLock { $0.takeLease(max: options.maxConnections) }
            var lease: Lease
            switch decision {
            case .closed: throw PostgresError.poolClosed()
            case .lease(let granted): lease = granted
            case .wait: lease = try await waitForLease()
            }
            if case .connection(let connection) = lease {
                if connection.isUsableAfterIdle() { return connection }
                logger.info("postgres dropped a dead idle connection")
                state.withLock { $0.finishing += 1 }
                retire(connection)
                lease = .create   // reuse its slot
            }
            do {
                return try await PostgresConnection.connect(configuration: configuration, logger: logger)
            } catch {
                freeSlot()
                throw error
            }
        }
    }

    func release(_ connection: PostgresConnection) {
        if !connection.isBroken && !connection.isIdleOutsideTransaction() {
            // A borrower left a transaction (or a COPY) open: its locks must not
            // outlive the loan, and the next borrower must not inherit it.
            logger.warning("postgres connection returned inside a transaction; closed")
            connection.markBroken()
        }
        if connection.isBroken {
            state.withLock { $0.finishing += 1 }
            retire(connection)
            freeSlot()
            return
        }
        // Decided in one lock: a connection put back idle is `close`'s to close, one
        // returned after `close` is closed here (never both: the count must balance).
        let next: PoolState.Waiter?? = state.withLock { state in
            if state.closed {
                state.total -= 1
                state.finishing += 1
                return .none
            }
            if !state.waiters.isEmpty { return state.waiters.removeFirst() }
            state.idle.append(connection)
            return .some(nil)
        }
        switch next {
        case .none:
            retire(connection)
        case .some(let waiter?):
            waiter.timeout?.cancel()
            waiter.continuation.resume(returning: .connection(connection))
        case .some(nil):
            break
        }
    }

    /// A slot's connection is gone: give the slot to the first waiter, who will connect.
    private func freeSlot() {
        let (next, drained): (PoolState.Waiter?, [UnsafeContinuation<Void, Never>]) = state.withLock { state in
            if !state.closed, !state.waiters.isEmpty { return (state.waiters.removeFirst(), []) }
            state.total -= 1
            return (nil, state.takeCloseWaitersIfDrained())
        }
        if let next {
            next.timeout?.cancel()
            next.continuation.resume(returning: .create)
        }
        for waiter in drained { waiter.resume() }
    }

    private func waitForLease() async throws -> Lease {
        let id = state.withLock { $0.newWaiterID() }
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Lease, any Error>) in
                let cancelled = Task.isCancelled
                let immediate: Result<Lease, any Error>? = state.withLock { state in
                    if cancelled || state.cancelledWaiters.remove(id) != nil { return .failure(CancellationError()) }
                    switch state.takeLease(max: options.maxConnections) {
                    case .closed: return .failure(PostgresError.poolClosed())
                    case .lease(let lease): return .success(lease)
                    case .wait:
                        state.waiters.append(PoolState.Waiter(id: id, continuation: continuation))
                        return nil
                    }
                }
                if let immediate {
                    continuation.resume(with: immediate)
                    return
                }
                let timeout = options.acquireTimeout
                let timer = Task { [weak self] in
                    try await Task.sleep(for: timeout)
                    self?.failWaiter(id, PostgresError.poolTimeout())
                }
                state.withLock { state in
                    if let index = state.waiters.firstIndex(where: { $0.id == id }) {
                        state.waiters[index].timeout = timer
                    } else {
                        timer.cancel()
                    }
                }
            }
        } onCancel: {
            failWaiter(id, CancellationError())
        }
    }

    private func failWaiter(_ id: Int, _ error: any Error) {
        let waiter: PoolState.Waiter? = state.withLock { state in
            guard let index = state.waiters.firstIndex(where: { $0.id == id }) else {
                if error is CancellationError { state.cancelledWaiters.insert(id) }
                return nil
            }
            return state.waiters.remove(at: index)
        }
        if let waiter {
            waiter.timeout?.cancel()
            if error is PostgresError { logger.warning("postgres pool wait timed out") }
            waiter.continuation.resume(throwing: error)
        }
    }
}

/// A pipeline made by `PostgresPool.makePipeline`, not kept alive by the pool.
struct MadePipeline {
    weak var pipeline: PostgresPipeline?
}

/// What a borrower gets: an idle connection, or the right to open one.
enum Lease: Sendable {
    case connection(PostgresConnection)
    case create
}

/// The pool's bookkeeping (guarded by the pool's mutex).
struct PoolState: ~Copyable {
    struct Waiter {
        var id: Int
        var continuation: CheckedContinuation<Lease, any Error>
        var timeout: Task<Void, any Error>?
    }

    enum Decision {
        case lease(Lease)
        case wait
        case closed
    }

    var idle: [PostgresConnection] = []
    /// Connections open or being opened, lent or idle.
    var total = 0
    var waiters: [Waiter] = []
    var cancelledWaiters: Set<Int> = []
    /// Pipelines made by `makePipeline`, closed with the pool (held weakly).
    var pipelines: [MadePipeline] = []
    var closed = false
    /// Connections out of `total` whose sessions are still closing.
    var finishing = 0
    /// `close` calls waiting for the last session to close.
    var closeWaiters: [UnsafeContinuation<Void, Never>] = []
    private var lastWaiterID = 0

    /// Closed, and no session left open or closing.
    var isDrained: Bool { closed && total == 0 && finishing == 0 }

    mutating func takeCloseWaitersIfDrained() -> [UnsafeContinuation<Void, Never>] {
        guard isDrained else { return [] }
        defer { closeWaiters.removeAll() }
        return closeWaiters
    }

    mutating func newWaiterID() -> Int {
        lastWaiterID += 1
        return lastWaiterID
    }

    mutating func takeLease(max: Int) -> Decision {
        if closed { return .closed }
        // Never jump the queue: with waiters present a newcomer waits too.
        if !waiters.isEmpty { return .wait }
        if let connection = idle.popLast() { return .lease(.connection(connection)) }
        if total < max {
            total += 1
            return .lease(.create)
        }
        return .wait
    }
}
