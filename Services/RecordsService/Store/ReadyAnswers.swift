import Foundation
import Logging
import Postgres
import Synchronization

/// GetPerson's answers kept encoded, one row a person (`ready_answers`,
/// migration 0006; docs/records.md, "Ready answers").
///
/// Why: answering GetPerson from the records costs four index look-ups, the
/// crossings' heap pages and every column's send function in PostgreSQL, and
/// reading the rows into messages in the service: 135–143 µs of CPU a call in
/// all on these machines, twice what a p99 under 5 ms at 64 callers allows. A
/// kept answer is one look-up of one row whose bytes go out as they are: 57 µs
/// (docs/benchmarks.md, RecordsService, "Session 8").
///
/// Correctness rests on three rules, each kept in one place:
/// - every write that changes what GetPerson shows makes the person's row
///   unusable in its own transaction (`invalidate`, `invalidation(named:of:)`):
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
/// Rows are never deleted by the service; whoever clears them must raise the
/// epoch in the same transaction (a keep in flight would otherwise find no
/// newer generation and store an older answer).
/// Only answers with GetPerson's default number of crossings
/// (`QueryRules.defaultRecentCrossings`) are kept.
final class ReadyAnswers: Sendable {
    /// How this build makes the answer. Raise it whenever GetPerson's answer
    /// would come out differently from the same rows (a contract field added,
    /// a list ordered otherwise): kept answers of another format are not used.
    static let format: Int16 = 1

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
    private let keeper: ReadyAnswerKeeper
    /// Answers sent as kept (tests, metrics).
    var used: Int { usedCount.load(ordering: .relaxed) }
    private let usedCount = Atomic<Int>(0)

    init(pool: PostgresPool, reads pipeline: PostgresPipeline, logger: Logger) {
        reads = CoalescedReads(batch: { ids in
            let rows = try await pipeline.query(Self.usable(ids))
            return {
                var answers = [Result<[UInt8]?, any Error>](repeating: .success(nil), count: ids.count)
                for row in rows {
                    let at = try BatchOrdinal.position(row, count: ids.count)
                    answers[at] = Result { try row.decode([UInt8]?.self, column: 1) }
                }
                return answers
            }
        }, single: { id in
            let rows = try await pipeline.query(Self.usable([id]))
            return try rows.first.flatMap { try $0.decode([UInt8]?.self, column: 1) }
        })
        keeper = ReadyAnswerKeeper(pool: pool, logger: logger)
    }

    /// The person's kept answer if it may be used today, else nil (none
    /// kept, made unusable by a write, or out of date).
    func usable(personID: UUID) async throws -> [UInt8]? {
        let body = try await reads.read(personID)
        if body != nil { usedCount.add(1, ordering: .relaxed) }
        return body
    }

    /// Answers larger than this are not kept (a person with a thousand
    /// documents): they are rare, and the keeper's queue holds bodies.
    static let largestKept = 64 * 1024

    /// Keeps an answer computed from the records, after the call (the caller
    /// does not wait; each answer is written in a transaction of its own).
    func keep(_ answer: Computed) {
        guard answer.body.count <= Self.largestKept else { return }
        keeper.keep(answer)
    }

    /// Keeps skipped because a lock was not granted at once, almost always a
    /// writer's on the person's row (tests).
    var skipped: Int { keeper.skipped }

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

    /// The writers' upsert: creates the row or makes it unusable (benchmarks/records/run.sh's pgbench script spells it too).
    static let onConflict = "ON CONFLICT (person_id) DO UPDATE SET generation = r.generation + 1, body = NULL"

    /// The epoch raise of a checkpoint write, as a data-modifying CTE named `name`.
    static func epochRaise(named name: String) -> String {
        "\(name) AS (UPDATE ready_answers_epoch SET epoch = epoch + 1)"
    }

    /// The columns a profile statement adds so that its answer can be kept:
    /// the row's generation and the checkpoint epoch, in its snapshot.
    static let profileColumns = """
        coalesce((SELECT r.generation FROM ready_answers r WHERE r.person_id = p.person_id), 0) AS ready_generation,
        coalesce((SELECT e.epoch FROM ready_answers_epoch e), 0) AS ready_epoch
        """

    /// The persons' usable answers today (`usableSQL`).
    private static func usable(_ ids: [UUID]) -> PostgresQuery {
        var bindings = PostgresBindings()
        bindings.append(ids)
        bindings.append(CalendarDay.today.postgres)
        bindings.append(format)
        return PostgresQuery(unsafeSQL: usableSQL, bindings: bindings)
    }

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
}
