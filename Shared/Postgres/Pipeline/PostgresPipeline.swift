import Logging
import Synchronization

/// Runs independent single statements from many tasks over a few connections in
/// libpq's pipeline mode (PostgreSQL 14+): statements are sent without waiting
/// for the previous answer, so round trips and server wake-ups are shared.
///
/// Statements that arrive together (up to `maxBatch`) share one Sync, that is
/// one implicit transaction and one durable commit (one WAL flush): group commit
/// done by the client. Each caller is answered only after that commit. When one
/// statement of a batch fails, the server rolls the whole batch back; that
/// statement gets its error and the others are sent again, so each statement is
/// still applied exactly once and fails only for its own reasons. Statements in
/// one batch see one another's effects (they share a transaction), which is
/// harmless for inserts and keyed updates; with `maxBatch: 1` every statement is
/// its own transaction.
///
/// Made for the hot path of the suite: durable single-row inserts from concurrent
/// RPCs (gate crossings, audit entries). Transactions, COPY, and anything that
/// needs session state stay on `PostgresPool`. Each connection has its own thread
/// that sleeps in `poll` on the socket and a wake-up pipe; a lost connection fails
/// the statements in flight on it (category `unavailable`) and is replaced on the
/// next statement.
public final class PostgresPipeline: Sendable {
    public let configuration: PostgresConfiguration
    let logger: Logger
    private let slots: Mutex<[PipelineSlot]>
    private let connections: Int
    let maxBatch: Int
    private let next = Atomic<Int>(0)

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
        let loop = try await connectedLoop()
        return try await withUnsafeThrowingContinuation { continuation in
            loop.submit(PipelineRequest(query: query, continuation: continuation))
        }
    }

    /// Closes every connection; statements in flight finish first.
    public func close() {
        let loops = slots.withLock { loops in
            defer { loops = [PipelineSlot](repeating: .empty, count: connections) }
            return loops
        }
        for case .ready(let loop) in loops { loop.stop() }
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
                                                 name: "pg-\(configuration.label)-pipe-#\(index)", maxBatch: maxBatch,
                                                 logger: logger)
                }
                loops[index] = .connecting(task)
                return task
            }
        }
        do {
            let loop = try await task.value
            slots.withLock { loops in
                if case .connecting = loops[index] { loops[index] = .ready(loop) }
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

struct PipelineRequest: @unchecked Sendable {
    // The continuation is resumed exactly once, on the loop's thread.
    let query: PostgresQuery
    let continuation: UnsafeContinuation<PostgresRows, any Error>
}
