import Logging
import Synchronization

/// Runs independent statements from many tasks over a few connections in libpq's
/// pipeline mode (PostgreSQL 14+): statements are sent without waiting for the
/// previous answer, so round trips and server wake-ups are shared.
/// `PostgresPool.query` sends its concurrent statements here; services use the pool.
///
/// Requests that arrive together (up to `maxBatch` statements) share one Sync, that
/// is one implicit transaction and one durable commit (one WAL flush): group commit
/// done by the client. Each caller is answered only after that commit. When a
/// statement of a batch fails, the server rolls the whole batch back; the failed
/// request is sent again alone and the others together, so each is applied exactly
/// once, and an error a caller gets is the one its statement met running alone.
/// Statements in one batch see one another's effects and share `now()`, which is
/// harmless for independent writes and reads; with `maxBatch: 1` every request is
/// its own transaction.
///
/// Made for the hot path of the suite: durable single-row writes from concurrent
/// RPCs (gate crossings, audit entries), and short write transactions without
/// Swift logic between statements (`transaction(_:)`). Interactive transactions,
/// COPY, and anything that needs session state stay on `PostgresPool`. Each
/// connection has its own thread that sleeps in `poll` on the socket and a wake-up
/// pipe; a lost connection fails the statements in flight on it (category
/// `unavailable`: their outcome is unknown) and is replaced on the next statement.
public final class PostgresPipeline: Sendable {
    public let configuration: PostgresConfiguration
    let logger: Logger
    private let slots: Mutex<[PipelineSlot]>
    private let connections: Int
    let maxBatch: Int
    private let next = Atomic<Int>(0)
    private let closed = Atomic<Bool>(false)

    /// - Parameter connections: sessions to spread statements over; a few per core
    ///   of the database server is plenty.
    ///   `maxBatch`: statements sharing one commit, at most.
    public init(configuration: PostgresConfiguration, connections: Int = 4, maxBatch: Int = 64, logger: Logger) {
        precondition(connections > 0 && maxBatch > 0)
        self.maxBatch = maxBatch
        self.configuration = configuration
        self.logger = logger
        self.connections = connections
        slots = Mutex([PipelineSlot](repeating: .empty, count: connections))
    }

    deinit { close() }

    /// Runs one statement (autocommit) and returns its rows.
    @discardableResult
    public func query(_ query: PostgresQuery) async throws -> PostgresRows {
        try await send([query])[0]
    }

    /// Runs the statements as one transaction, sent in one round trip: all are
    /// applied or none. Returns each statement's rows, in order. Statements cannot
    /// depend on one another's rows in Swift (they are sent together), only in SQL
    /// (a later statement may read what an earlier one wrote). The transaction may
    /// share its commit with other requests; when one of its statements fails, the
    /// whole transaction fails with that statement's error. READ COMMITTED.
    @discardableResult
    public func transaction(_ statements: [PostgresQuery]) async throws -> [PostgresRows] {
        guard !statements.isEmpty else { return [] }
        return try await send(statements)
    }

    private func send(_ statements: [PostgresQuery]) async throws -> [PostgresRows] {
        guard !closed.load(ordering: .acquiring) else { throw PostgresError.poolClosed() }
        let loop = try await connectedLoop()
        return try await withUnsafeThrowingContinuation { continuation in
            loop.submit(PipelineRequest(statements: statements, continuation: continuation))
        }
    }

    /// Closes every connection; statements in flight finish first. Returns once
    /// every session is closed (PQfinish) and its thread has ended (the awaiting task
    /// is resumed by the threads, never blocked on). Statements sent afterwards fail
    /// with `poolClosed`.
    public func close() async {
        let (loops, connecting) = beginClosing()
        for loop in loops { await loop.ended() }
        for task in connecting {
            // `connect` sees `closed` and stops the loop it opened; wait for its end too.
            guard let loop = try? await task.value else { continue }
            loop.stop()
            await loop.ended()
        }
    }

    /// Starts closing and returns at once (for `deinit` and callers that cannot
    /// wait): prefer `await close()`, which returns when the sessions are closed.
    public func close() {
        _ = beginClosing()
    }

    private func beginClosing() -> (loops: [PipelineLoop], connecting: [Task<PipelineLoop, any Error>]) {
        let slots = slots.withLock { loops in
            closed.store(true, ordering: .releasing)
            defer { loops = [PipelineSlot](repeating: .empty, count: connections) }
            return loops
        }
        var loops: [PipelineLoop] = [], connecting: [Task<PipelineLoop, any Error>] = []
        for slot in slots {
            switch slot {
            case .ready(let loop):
                loop.stop()
                loops.append(loop)
            case .connecting(let task):
                connecting.append(task)
            case .empty:
                break
            }
        }
        return (loops, connecting)
    }

    /// The least busy live loop; connects a slot that has none (or a dead one).
    private func connectedLoop() async throws -> PipelineLoop {
        var best: PipelineLoop?
        var bestLoad = Int.max
        let start = next.add(1, ordering: .relaxed).newValue
        let loops = slots.withLock { $0 }
        for offset in 0..<connections {
            let index = (start + offset) % connections
            guard case .ready(let loop) = loops[index], loop.isAlive else {
                return try await connect(slot: index)
            }
            let load = loop.load
            if load < bestLoad {
                best = loop
                bestLoad = load
            }
        }
        return best!
    }

    /// Connects a slot once, however many tasks ask at the same time.
    private func connect(slot index: Int) async throws -> PipelineLoop {
        let configuration = configuration, logger = logger, maxBatch = maxBatch
        let task: Task<PipelineLoop, any Error> = slots.withLock { loops in
            switch loops[index] {
            case .connecting(let task):
                return task
            case .ready(let loop) where loop.isAlive:
                return Task { loop }
            default:
                let task = Task {
                    try await PipelineLoop.start(configuration: configuration,
                                                 name: "pg-\(configuration.label)-p#\(index)", maxBatch: maxBatch,
                                                 logger: logger)
                }
                loops[index] = .connecting(task)
                return task
            }
        }
        do {
            let loop = try await task.value
            let open = slots.withLock { loops in
                guard !closed.load(ordering: .acquiring) else { return false }
                if case .connecting = loops[index] { loops[index] = .ready(loop) }
                return true
            }
            guard open else {
                loop.stop()
                throw PostgresError.poolClosed()
            }
            return loop
        } catch {
            slots.withLock { loops in
                if case .connecting = loops[index] { loops[index] = .empty }
            }
            throw error
        }
    }
}

enum PipelineSlot: Sendable {
    case empty
    case connecting(Task<PipelineLoop, any Error>)
    case ready(PipelineLoop)
}

/// Statements that commit together (one, for `query`), and their caller.
struct PipelineRequest: @unchecked Sendable {
    // The continuation is resumed exactly once, on the loop's thread.
    let statements: [PostgresQuery]
    let continuation: UnsafeContinuation<[PostgresRows], any Error>
    /// Sent in a segment of its own (after it failed in company).
    var alone = false
}
