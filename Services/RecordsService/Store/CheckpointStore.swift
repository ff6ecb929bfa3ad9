import Contracts
import Foundation
import Postgres
import Synchronization

/// Border checkpoints, reference data kept by operators.
struct CheckpointStore: Sendable {
    let pool: PostgresPool

    /// Creates or replaces a checkpoint (idempotent by nature).
    func upsert(_ k: CheckpointRecord, provenance: ProvenanceInput) async throws -> Immigration_Records_V1_Checkpoint {
        let rows = try await pool.query("""
            WITH written AS (INSERT INTO checkpoints AS k (code, name, kind, ministry, border_country, retired, written_source,
                written_unit_code, written_actor_id)
            VALUES (\(k.code), \(k.name), \(k.kind.rawValue), \(k.ministry.rawValue), \(k.borderCountry), \(k.retired),
                \(provenance.source.rawValue), \(provenance.unitCode), \(provenance.actorID))
            ON CONFLICT (code) DO UPDATE SET name = excluded.name, kind = excluded.kind, ministry = excluded.ministry,
                border_country = excluded.border_country, retired = excluded.retired, written_source = excluded.written_source,
                written_unit_code = excluded.written_unit_code, written_actor_id = excluded.written_actor_id, written_at = now()
            RETURNING *),
            \(unsafeRaw: ReadyAnswers.epochRaise(named: "raised"))
            SELECT \(unsafeRaw: CheckpointRows.columns)
            FROM written k CROSS JOIN LATERAL (SELECT pg_notify(\(Self.channel), k.code)) notified
            """)
        return try CheckpointRows.checkpoint(rows[0])
    }

    /// Every checkpoint, retired ones included, by code.
    func all() async throws -> [String: Immigration_Records_V1_Checkpoint] {
        let rows = try await pool.query("SELECT \(unsafeRaw: CheckpointRows.columns) FROM checkpoints k")
        var byCode: [String: Immigration_Records_V1_Checkpoint] = [:]
        for row in rows {
            let checkpoint = try CheckpointRows.checkpoint(row)
            byCode[checkpoint.code] = checkpoint
        }
        return byCode
    }

    /// The channel an upsert notifies at commit, so that every replica's
    /// `CheckpointCache` drops what it holds.
    static let channel = "records_checkpoints"

    func list(kind: CheckpointKind?, includeRetired: Bool, after: String?, limit: Int) async throws -> [Immigration_Records_V1_Checkpoint] {
        let rows = try await pool.query("""
            SELECT \(unsafeRaw: CheckpointRows.columns) FROM checkpoints k
            WHERE (\(kind?.rawValue)::text IS NULL OR k.kind = \(kind?.rawValue)) AND (\(includeRetired) OR NOT k.retired)
              AND (\(after)::text IS NULL OR k.code > \(after))
            ORDER BY k.code LIMIT \(limit)
            """)
        return try rows.map(CheckpointRows.checkpoint)
    }
}

/// The checkpoints in memory: a few dozen rows of reference data read by every
/// crossing and eligibility check, changed rarely and only by UpsertCheckpoint
/// (or a migration, which runs before the service serves). A change made here
/// drops the cache at once; one made by another replica drops it when its
/// NOTIFY (`CheckpointStore.channel`) arrives; and the cache is read again
/// after `maxAge` whatever happens, in case a notification was lost (the
/// listener reconnecting also drops it). A code the cache does not know is
/// looked up again if the cache is older than a second, so a checkpoint added
/// a moment ago is found without letting unknown codes reach the database more
/// than once a second (docs/records.md, "Checkpoints in memory").
final class CheckpointCache: Sendable {
    let store: CheckpointStore
    let maxAge: Duration
    private struct Loaded {
        var byCode: [String: Immigration_Records_V1_Checkpoint]
        var at: ContinuousClock.Instant
    }
    private struct State {
        var loaded: Loaded?
        /// The read in flight, which every caller that needs it awaits (one read, not one per caller).
        var loading: Task<[String: Immigration_Records_V1_Checkpoint], any Error>?
        /// Counts invalidations, so that a read that started before one is not kept.
        var generation = 0
    }
    private let state = Mutex(State())

    init(store: CheckpointStore, maxAge: Duration = .seconds(60)) {
        self.store = store
        self.maxAge = maxAge
    }

    /// The checkpoint with this code, or nil when there is none.
    func get(code: String) async throws -> Immigration_Records_V1_Checkpoint? {
        let now = ContinuousClock.now
        enum Lookup { case held(Immigration_Records_V1_Checkpoint?), read(Task<[String: Immigration_Records_V1_Checkpoint], any Error>) }
        let lookup: Lookup = state.withLock { state in
            if let loaded = state.loaded, now - loaded.at < maxAge {
                if let checkpoint = loaded.byCode[code] { return .held(checkpoint) }
                if now - loaded.at < .seconds(1) { return .held(nil) }
            }
            if let loading = state.loading { return .read(loading) }
            let generation = state.generation
            let task = Task { [store] in
                let byCode: [String: Immigration_Records_V1_Checkpoint]
                do { byCode = try await store.all() } catch { self.finish(generation, nil, now); throw error }
                self.finish(generation, byCode, now)
                return byCode
            }
            state.loading = task
            return .read(task)
        }
        switch lookup {
        case .held(let checkpoint): return checkpoint
        case .read(let task): return try await task.value[code]
        }
    }

    private func finish(_ generation: Int, _ byCode: [String: Immigration_Records_V1_Checkpoint]?, _ instant: ContinuousClock.Instant) {
        state.withLock { state in
            // A change that dropped the cache while this read ran may not be in it.
            guard state.generation == generation else { return }
            state.loading = nil
            if let byCode { state.loaded = Loaded(byCode: byCode, at: instant) }
        }
    }

    /// Forgets what is held: the next lookup reads the table.
    func invalidate() {
        state.withLock { state in
            state.loaded = nil
            state.loading = nil
            state.generation += 1
        }
    }
}

/// The checkpoint table as GetPerson shows it with each crossing, checked
/// against the database on every read instead of joined to every crossing.
///
/// GetPerson's statement reads, beside the profiles, the table's fingerprint
/// (`fingerprintSQL`: the MD5 of every row's text, in code order) in the same
/// round trip, as a second statement (its snapshot a moment after the rows').
/// When it equals the fingerprint of the table held here, the held table *is*
/// the table as committed when the fingerprint was read; otherwise the table is
/// read again (with its fingerprint, in one statement) before the answer is
/// made. So the checkpoints shown are never older than the call (at most newer
/// than the crossings by that moment; crossings name them by code under a
/// foreign key, and checkpoints are never deleted), and nothing stale
/// is ever shown (unlike `CheckpointCache`, which may lag by a notification's
/// delay), and a profile's statement sends each crossing's checkpoint code
/// instead of its ten columns: sending those columns was 40 % of PostgreSQL's
/// CPU under GetPerson (docs/records.md, "GetPerson's crossings").
final class VerifiedCheckpoints: Sendable {
    /// The checkpoints by code, and the fingerprint of the rows they were read from.
    struct Table: Sendable {
        let fingerprint: String
        let byCode: [String: Immigration_Records_V1_Checkpoint]
    }

    private let held = Mutex<Table?>(nil)
    /// Times the table was read (tests).
    var reads: Int { readCount.load(ordering: .relaxed) }
    private let readCount = Atomic<Int>(0)

    /// The fingerprint of the checkpoint table as committed at the statement's start.
    static let fingerprintSQL = """
        SELECT coalesce(md5(string_agg(c::text, ',' ORDER BY c.code)), '') FROM checkpoints c
        """

    /// Every checkpoint with the fingerprint of the same snapshot (one statement).
    private static let tableSQL = "SELECT \(CheckpointRows.columns), (\(fingerprintSQL)) AS fingerprint FROM checkpoints k"

    /// The table whose fingerprint is `fingerprint`, or a newer one read now.
    func table(matching fingerprint: String, reads: PostgresPipeline) async throws -> Table {
        if let table = held.withLock({ $0 }), table.fingerprint == fingerprint { return table }
        readCount.add(1, ordering: .relaxed)
        let rows = try await reads.query(PostgresQuery(unsafeSQL: Self.tableSQL))
        var byCode: [String: Immigration_Records_V1_Checkpoint] = [:]
        var read = ""
        for row in rows {
            let checkpoint = try CheckpointRows.checkpoint(row)
            byCode[checkpoint.code] = checkpoint
            read = try row.value("fingerprint")
        }
        let table = Table(fingerprint: read, byCode: byCode)
        held.withLock { $0 = table }
        return table
    }
}
