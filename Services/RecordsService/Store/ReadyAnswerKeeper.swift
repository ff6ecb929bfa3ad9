import Foundation
import Logging
import Metrics
import Postgres
import Synchronization

/// Writes `ReadyAnswers`' kept answers in the background, one after another
/// on one session, each in a transaction of its own. Commits do not wait for
/// the WAL flush (`synchronous_commit = off`): a kept answer lost in a crash is
/// made again by the next read.
///
/// A keep never waits for a writer. A row held by a writer (its invalidation,
/// not yet committed) means the answer is already out of date: the writer's
/// commit raises the generation, so the keep would change nothing. The session
/// gives up on any lock not granted within `lockTimeout` (55P03) and the keep
/// is skipped (`skipped` counts them); the next read makes the answer again.
/// That is almost always a writer on the person's row; it can also be a writer
/// that will roll back, another replica's keeper, a migration or other
/// table-wide lock, or the lock that extends the table: each costs only the
/// saving. So the keeps after it do not wait with it, and the keeper holds no
/// row while a writer's transaction lasts (an intake batch's: a fraction of a
/// second). Each skip is an ERROR line in PostgreSQL's log ("canceling
/// statement due to lock timeout", with the statement, not its values) and a
/// rolled-back transaction in its statistics. (How the keeper came to this:
/// docs/records.md, "Ready answers".)
///
/// At most `limit` answers wait; more are dropped (they are only a saving).
///
/// Both kinds of answer not kept are exported as
/// `records_ready_answers_not_kept_total`, `reason` `lock_not_granted` or
/// `queue_full`: a lock held for long (a stuck transaction, a long migration)
/// shows there as a steady rise, while GetPerson answers from the records.
final class ReadyAnswerKeeper: Sendable {
    let pipeline: PostgresPipeline
    let logger: Logger
    let limit = 4096
    /// How long a keep's statement may wait for a lock before it gives up.
    /// Not zero, which PostgreSQL reads as "wait for ever".
    static let lockTimeout = "1ms"
    /// Keeps skipped because a lock was not granted within `lockTimeout` (tests).
    var skipped: Int { skippedCount.load(ordering: .relaxed) }
    private let skippedCount = Atomic<Int>(0)
    private let state = Mutex<State>(State())
    private let notKept = (lockNotGranted: Counter(label: "records_ready_answers_not_kept_total",
                                                   dimensions: [("reason", "lock_not_granted")]),
                           queueFull: Counter(label: "records_ready_answers_not_kept_total",
                                              dimensions: [("reason", "queue_full")]))

    struct State {
        var pending: [ReadyAnswers.Computed] = []
        var writing = false
        var waiters: [CheckedContinuation<Void, Never>] = []
    }

    /// Opens the keeper's session from `pool`: commits that do not wait for
    /// the WAL flush, no lock waited for longer than `lockTimeout`.
    init(pool: PostgresPool, logger: Logger) {
        pipeline = pool.makePipeline(connections: 1, maxBatch: 1,
                                     settings: ["synchronous_commit": "off", "lock_timeout": Self.lockTimeout],
                                     logger: logger)
        self.logger = logger
    }

    func keep(_ answer: ReadyAnswers.Computed) {
        let start = state.withLock { state -> Bool? in
            guard state.pending.count < limit else { return nil }
            state.pending.append(answer)
            if state.writing { return false }
            state.writing = true
            return true
        }
        switch start {
        case nil: notKept.queueFull.increment()
        case true?: Task.detached { await self.drain() }   // not the caller's priority or task-locals
        case false?: break
        }
    }

    func settled() async {
        await withCheckedContinuation { continuation in
            let now = state.withLock { state -> Bool in
                if !state.writing && state.pending.isEmpty { return true }
                state.waiters.append(continuation)
                return false
            }
            if now { continuation.resume() }
        }
    }

    private func drain() async {
        while true {
            let (batch, waiters): ([ReadyAnswers.Computed], [CheckedContinuation<Void, Never>]) = state.withLock { state in
                guard !state.pending.isEmpty else {
                    state.writing = false
                    defer { state.waiters = [] }
                    return ([], state.waiters)
                }
                defer { state.pending = [] }
                return (state.pending, [])
            }
            if batch.isEmpty {
                waiters.forEach { $0.resume() }
                return
            }
            // One after another: the pipeline runs one statement at a time anyway.
            var failures: [any Error] = []
            for answer in batch {
                do {
                    _ = try await pipeline.query(Self.upsert(answer))
                } catch let error as PostgresError where error.category == .lockNotAvailable {
                    skippedCount.add(1, ordering: .relaxed)   // almost always a writer's row: out of date already
                    notKept.lockNotGranted.increment()
                } catch {
                    failures.append(error)
                }
            }
            if let first = failures.first {
                // Nothing is lost: the next GetPerson computes the answer again.
                let code = (first as? PostgresError).map { "\($0.code.rawValue)" } ?? "\(type(of: first))"
                logger.warning("ready answers not kept", metadata: ["count": "\(failures.count)", "pg.code": "\(code)"])
            }
        }
    }

    /// Keeps one answer unless a write raised the generation since it was read.
    private static func upsert(_ a: ReadyAnswers.Computed) -> PostgresQuery {
        """
        INSERT INTO ready_answers AS r (person_id, generation, body, epoch, format, written_on, fresh_until)
        VALUES (\(a.personID), \(a.generation), \(a.body), \(a.epoch), \(ReadyAnswers.format), \(a.writtenOn.postgres),
            \(a.freshUntil?.postgres))
        ON CONFLICT (person_id) DO UPDATE SET body = excluded.body, epoch = excluded.epoch, format = excluded.format,
            written_on = excluded.written_on, fresh_until = excluded.fresh_until
        WHERE r.generation = excluded.generation
            AND (r.body, r.epoch, r.format, r.written_on, r.fresh_until)
                IS DISTINCT FROM (excluded.body, excluded.epoch, excluded.format, excluded.written_on, excluded.fresh_until)
        """
    }
}
