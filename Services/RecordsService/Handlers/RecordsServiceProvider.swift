import Contracts
import Foundation
import GRPCRuntime
import Logging
import Postgres
import ServiceHost

/// RecordsService's RPCs (records.proto): each handler checks its request
/// with the rules (Rules/), calls a store (Store/) and answers with the
/// contract's messages. Errors: ValidationErrors → INVALID_ARGUMENT with field
/// violations, StoreError and refusals → their statuses (Errors+Status.swift),
/// PostgresError → ServiceHost's one mapping (`PostgresError.rpcError`).
///
/// A class, not a struct: the generated service copies its provider into each
/// call's handler, and a struct of a dozen stores is a dozen-odd retains and
/// releases per copy (3 % of the service's CPU under the eligibility check,
/// `perf`); a class is one.
final class RecordsServiceProvider: Immigration_Records_V1_RecordsService.ServiceProtocol {
    let database: RecordsDatabase
    let persons: PersonStore
    let documents: DocumentStore
    let crossings: CrossingStore
    let exitBans: ExitBanStore
    let checkpoints: CheckpointStore
    /// The checkpoints in memory, for crossings and eligibility checks.
    let checkpointCache: CheckpointCache
    let feed: FeedStore
    /// Search and statistics, from the standby pool.
    let reads: StandbyReads
    let intake: IntakeStore
    let retention: RetentionStore
    let feedWaker: FeedWaker

    /// `standbyPool` serves search and statistics (and may be `pool` itself).
    init(pool: PostgresPool, standbyPool: PostgresPool? = nil, logger: Logger) {
        database = RecordsDatabase(pool: pool, logger: logger)
        persons = PersonStore(pool: pool)
        documents = DocumentStore(pool: pool)
        crossings = CrossingStore(pool: pool)
        exitBans = ExitBanStore(pool: pool, documents: documents)
        checkpoints = CheckpointStore(pool: pool)
        checkpointCache = CheckpointCache(store: checkpoints)
        feed = FeedStore(pool: pool)
        reads = StandbyReads(primary: pool, standby: standbyPool)
        intake = IntakeStore(pool: pool)
        retention = RetentionStore(pool: pool)
        feedWaker = FeedWaker()
    }

    /// Listens for committed changes (`records_outbox`): numbers them
    /// (`sequence_outbox`) and wakes the feed's streams; and for checkpoint
    /// changes (`CheckpointStore.channel`), which drop the checkpoint cache.
    /// Sequencing passes are coalesced: at most one runs, and NOTIFYs that
    /// arrive meanwhile ask for one more pass after it, however many they are
    /// (a pass numbers every committed row, so one is enough). Under a load of
    /// crossings that is one pass at a time instead of one per commit.
    /// Cancel the task to stop.
    func startFeedListener() -> Task<Void, Never> {
        let pool = database.pool
        let waker = feedWaker
        let feed = feed
        let cache = checkpointCache
        return Task {
            let (passes, pass) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
            await withTaskGroup(of: Void.self) { group in
                group.addTask {
                    for await _ in passes {
                        _ = try? await feed.sequence()
                        waker.wakeAll()
                    }
                }
                group.addTask {
                    while !Task.isCancelled {
                        do {
                            let notifications = try await pool.listen(["records_outbox", CheckpointStore.channel])
                            // Notifications may have been missed while not listening.
                            cache.invalidate()
                            pass.yield()
                            for try await notification in notifications {
                                if notification.channel == CheckpointStore.channel { cache.invalidate() } else { pass.yield() }
                            }
                        } catch {
                            pass.yield()
                            try? await Task.sleep(for: .seconds(1))
                        }
                    }
                    pass.finish()
                }
            }
        }
    }

    /// Runs a handler body, turning database errors into statuses.
    nonisolated(nonsending) func handle<T>(_ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch let error as PostgresError {
            let status = error.rpcError
            if status.code == .internalError || status.code == .unavailable {
                // The description is generic (SQLSTATE, category, object names), never data.
                database.logger.error("database error", metadata: ["pg.error": "\(error)"])
            }
            throw status
        } catch let error as PostgresDecodingError {
            database.logger.error("row decoding error", metadata: ["pg.error": "\(error)"])
            throw RPCError(.internalError, "internal error")
        }
    }
}

/// Collects every broken rule of a request, from checks that throw one error
/// or several.
struct Checks {
    private(set) var errors: [ValidationError] = []

    mutating func run<T>(_ body: () throws(ValidationErrors) -> T) -> T? {
        do { return try body() } catch { errors += error.errors; return nil }
    }

    mutating func one<T>(_ body: () throws(ValidationError) -> T) -> T? {
        do { return try body() } catch { errors.append(error); return nil }
    }

    mutating func add(_ field: String, _ rule: String, _ message: String = "") {
        errors.append(ValidationError(field: field, rule: rule, message))
    }

    func throwIfAny() throws(ValidationErrors) {
        if !errors.isEmpty { throw ValidationErrors(errors: errors) }
    }
}
