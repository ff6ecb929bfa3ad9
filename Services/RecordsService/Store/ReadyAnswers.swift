import Foundation
import Logging
import Postgres
import Synchronization

/// GetPerson's answers kept encoded, one row a person (`ready_answers`,
/// migration 0006; docs/records.md, "Ready answers").
///
/// Why: answering GetPerson from the records costs four index look-ups, the
/// crossings' heap pages and every column's send function in PostgreSQL, and
/// reading the rows into messages in the service: about 150 µs of CPU a call
/// on these machines, twice what a p99 under 5 ms at 64 callers allows. A kept
/// answer is one look-up of one row whose bytes go out as they are (about 60).
///
/// Correctness rests on three rules, each kept in one place:
/// - every write that changes what GetPerson shows makes the person's row
///   unusable in its own transaction (`invalidate`, `invalidation(of:)`):
///   body NULL, generation + 1;
/// - an answer computed from the records is kept only while the row's
///   generation is still the one read in the same snapshot as those records
///   (`keep`: a conditional upsert), so a write committed in between is never
///   hidden by an older answer;
/// - a kept answer is used only while what it depends on besides the
///   person's rows holds: the checkpoint table's epoch (raised by every
///   checkpoint write), this build's `format`, and the days over which its
///   exit bans stay sorted as they were (`written_on` to `fresh_until`).
/// Anything else is answered from the records, as before, and kept again.
/// Only answers with GetPerson's default number of crossings are kept.
final class ReadyAnswers: Sendable {
    /// How this build makes the answer. Raise it whenever GetPerson's answer
    /// would come out differently from the same rows (a contract field added,
    /// a list ordered otherwise): kept answers of another format are not used.
    static let format: Int16 = 1
    /// The recent crossings a kept answer holds: GetPerson's default.
    static let recentCrossings = 10

    /// An answer computed from the records, to keep.
    struct Computed: Sendable {
        var personID: UUID
        /// The row's generation read with the records (0: no row then).
        var generation: Int64
        /// The checkpoint epoch read with the records.
        var epoch: Int64
        var body: [UInt8]
        var writtenOn: CalendarDay
        var freshUntil: CalendarDay?
    }

    private let reads: CoalescedReads<UUID, [UInt8]?>
    private let keeper: Keeper
    /// Answers sent as kept (tests, metrics).
    var used: Int { usedCount.load(ordering: .relaxed) }
    private let usedCount = Atomic<Int>(0)

    init(pool: PostgresPool, reads pipeline: PostgresPipeline, logger: Logger) {
        reads = CoalescedReads(batch: { ids in
            var bindings = PostgresBindings()
            bindings.append(ids)
            bindings.append(CalendarDay.today.postgres)
            bindings.append(Self.format)
            let rows = try await pipeline.query(PostgresQuery(unsafeSQL: Self.usableSQL, bindings: bindings))
            return {
                var answers = [Result<[UInt8]?, any Error>](repeating: .success(nil), count: ids.count)
                for row in rows {
                    let at = try BatchOrdinal.position(row, count: ids.count)
                    answers[at] = Result { try row.decode([UInt8]?.self, column: 1) }
                }
                return answers
            }
        }, single: { id in
            var bindings = PostgresBindings()
            bindings.append([id])
            bindings.append(CalendarDay.today.postgres)
            bindings.append(Self.format)
            let rows = try await pipeline.query(PostgresQuery(unsafeSQL: Self.usableSQL, bindings: bindings))
            return try rows.first.flatMap { try $0.decode([UInt8]?.self, column: 1) }
        })
        keeper = Keeper(pipeline: pool.makePipeline(connections: 1, maxBatch: 1, settings: ["synchronous_commit": "off"],
                                                    logger: logger), logger: logger)
    }

    /// The person's kept answer if it may be used today, else nil (none
    /// kept, made unusable by a write, or out of date).
    func usable(personID: UUID) async throws -> [UInt8]? {
        let body = try await reads.read(personID)
        if body != nil { usedCount.add(1, ordering: .relaxed) }
        return body
    }

    /// Keeps an answer computed from the records, after the call (the caller
    /// does not wait; answers kept meanwhile go in one transaction).
    func keep(_ answer: Computed) {
        keeper.keep(answer)
    }

    /// Waits until every answer handed to `keep` so far was written or dropped (tests).
    func settled() async {
        await keeper.settled()
    }

    /// Makes the persons' kept answers unusable, in the transaction of a
    /// write that changes what GetPerson shows of them. Creates the row when
    /// there is none, so that an answer computed before this write commits
    /// finds a newer generation and is not kept. Rows are taken in id order
    /// (concurrent writers of several persons never wait on each other in a cycle).
    static func invalidate(_ tx: PostgresTransaction, personIDs: [UUID]) async throws {
        guard !personIDs.isEmpty else { return }
        let ordered = Array(Set(personIDs)).sorted { $0.uuidString < $1.uuidString }
        _ = try await tx.query("""
            INSERT INTO ready_answers AS r (person_id, generation)
            SELECT id, 1 FROM unnest(\(ordered)::uuid[]) WITH ORDINALITY AS q(id, n) ORDER BY n
            \(unsafeRaw: onConflict)
            """)
    }

    /// `invalidate` as a data-modifying CTE named `name`, for the persons of
    /// `cte`'s `person_id` column (a write that is one statement).
    static func invalidation(named name: String, of cte: String) -> String {
        """
        \(name) AS (
            INSERT INTO ready_answers AS r (person_id, generation) SELECT person_id, 1 FROM \(cte)
            \(onConflict))
        """
    }

    private static let onConflict = "ON CONFLICT (person_id) DO UPDATE SET generation = r.generation + 1, body = NULL"

    /// The epoch raise of a checkpoint write, as a data-modifying CTE named `name`.
    static func epochRaise(named name: String) -> String {
        "\(name) AS (UPDATE ready_answers_epoch SET epoch = epoch + 1)"
    }

    /// The columns a profile statement adds so that its answer can be kept:
    /// the row's generation and the checkpoint epoch, in its snapshot.
    static let profileColumns = """
        coalesce((SELECT r.generation FROM ready_answers r WHERE r.person_id = p.person_id), 0) AS ready_generation,
        (SELECT e.epoch FROM ready_answers_epoch e) AS ready_epoch
        """

    /// $1 the persons, $2 today, $3 `format`: each person's usable answer
    /// (NULL: none) with its ordinal. A subquery per person rather than a
    /// join: the planner then always takes the key's index, even when the
    /// plan was made while the table was new and nearly empty (a join was
    /// planned as a hash join over a scan of the whole table, kept as the
    /// prepared statement's plan while the table grew: 24 ms a batch).
    private static let usableSQL = """
        SELECT q.ordinal, (
            SELECT r.body FROM ready_answers r
            WHERE r.person_id = q.person_id AND r.body IS NOT NULL AND r.format = $3 AND r.written_on <= $2
                AND (r.fresh_until IS NULL OR $2 < r.fresh_until)
                AND r.epoch = (SELECT e.epoch FROM ready_answers_epoch e)) AS body
        FROM unnest($1::uuid[]) WITH ORDINALITY AS q(person_id, ordinal)
        """

    /// Writes kept answers in the background: those handed over meanwhile are
    /// sent together (one round trip), each its own transaction, so that a
    /// keep waiting for a row a writer holds holds no other row meanwhile (in
    /// one transaction it held the rows before it, and writes to those persons
    /// waited: a crossing for person A waited 3 s for a transaction on person B).
    /// Commits do not wait for the WAL flush (`synchronous_commit = off`): a
    /// kept answer lost in a crash is made again by the next read. At most
    /// `limit` wait; more are dropped (they are only a saving).
    private final class Keeper: Sendable {
        let pipeline: PostgresPipeline
        let logger: Logger
        let limit = 4096
        private let state = Mutex<State>(State())

        struct State {
            var pending: [Computed] = []
            var writing = false
            var waiters: [CheckedContinuation<Void, Never>] = []
        }

        init(pipeline: PostgresPipeline, logger: Logger) {
            self.pipeline = pipeline
            self.logger = logger
        }

        func keep(_ answer: Computed) {
            let start = state.withLock { state -> Bool in
                guard state.pending.count < limit else { return false }
                state.pending.append(answer)
                if state.writing { return false }
                state.writing = true
                return true
            }
            if start { Task { await self.drain() } }
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
                let (batch, waiters): ([Computed], [CheckedContinuation<Void, Never>]) = state.withLock { state in
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
                let pipeline = self.pipeline
                let failures = await withTaskGroup(of: (any Error)?.self) { group in
                    for answer in batch {
                        group.addTask {
                            do { _ = try await pipeline.query(Self.upsert(answer)); return nil } catch { return error }
                        }
                    }
                    var failures: [any Error] = []
                    for await failure in group { if let failure { failures.append(failure) } }
                    return failures
                }
                if let first = failures.first {
                    // Nothing is lost: the next GetPerson computes the answer again.
                    logger.warning("ready answers not kept", metadata: ["count": "\(failures.count)", "error": "\(first)"])
                }
            }
        }

        /// Keeps one answer unless a write raised the generation since it was read.
        private static func upsert(_ a: Computed) -> PostgresQuery {
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
}
