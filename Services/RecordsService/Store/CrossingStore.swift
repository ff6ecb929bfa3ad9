import Contracts
import Foundation
import Logging
import Postgres

/// Entry and exit crossings (D77 Art 4.1b). Idempotent by `(person_id,
/// request_id)`: the insert does nothing on a retry, even one racing the
/// first call, and the stored row is answered instead (docs/records.md).
struct CrossingStore: Sendable {
    let pool: PostgresPool
    /// The crossing's write: one statement per crossing in libpq's pipeline
    /// mode, so that crossings arriving together share a round trip and one
    /// durable commit (each caller is answered after that commit).
    let writes: PostgresPipeline
    /// Reads of the hot paths (GetPerson, the eligibility check), in libpq's
    /// pipeline mode: concurrent callers' statements share round trips.
    let reads: PostgresPipeline

    init(pool: PostgresPool) {
        self.pool = pool
        writes = pool.makePipeline(connections: 2, logger: Logger(label: "records.crossings"))
        reads = pool.makePipeline(connections: 1, logger: Logger(label: "records.crossings.reads"))
    }

    /// What a crossing records, after validation and resolution.
    struct NewCrossing: Sendable {
        var requestID: UUID
        var fingerprintSource: [UInt8]
        var document: DocumentStore.Selector
        var direction: CrossingEligibility.Direction
        /// From the checkpoint cache: known and open.
        var checkpoint: Immigration_Records_V1_Checkpoint
        var crossedAt: Date
        var lane: CrossingRules.Lane
        var gateID: String
        var provenance: ProvenanceInput
    }

    /// Records the crossing once; a retry gets the first row with `replayed`.
    ///
    /// Two round trips, no explicit transaction: the first reads the document
    /// the selector names with what the stored crossing shows besides the
    /// request (its reference, the traveller's first nationality, the time);
    /// the second is one statement, atomic and durable before it is answered,
    /// that inserts the row and, only if it inserted, its outbox event and the
    /// NOTIFY that wakes the feed. It goes through `writes`: concurrent
    /// crossings share a commit (and the NOTIFY queue lock, which serializes
    /// committing transactions that notify). The checkpoint comes from the
    /// service's cache (`CheckpointCache`).
    /// A retry meets the first call's key (`ON CONFLICT DO NOTHING` waits for
    /// it to commit) and reads the stored row.
    func record(_ c: NewCrossing) async throws -> Immigration_Records_V1_RecordCrossingResponse {
        let context = try await reads.query(Self.context.query(c.document))
        guard let row = context.first else { throw StoreError.notFound("document") }
        let personID: UUID = try row.value("person_id")
        let documentID: UUID = try row.value("document_id")
        let recordedAt: Date = try row.value("recorded_at")
        let crossedAt = try Self.asStored(c.crossedAt)
        let crossingID = UUID()
        var crossing = Immigration_Records_V1_Crossing()
        crossing.crossingID = crossingID.text
        crossing.personID = personID.text
        crossing.documentID = documentID.text
        crossing.requestID = c.requestID.text
        crossing.document = try DocumentRows.reference(row)
        crossing.direction = c.direction == .entry ? .entry : .exit
        crossing.checkpoint = c.checkpoint
        crossing.crossedAt = ProtoTimestamp(crossedAt)
        crossing.lane = c.lane == .manual ? .manual : .abcGate
        crossing.gateID = c.gateID
        crossing.provenance = .with {
            $0.source = .init(rule: c.provenance.source)
            $0.unitCode = c.provenance.unitCode
            $0.actorID = c.provenance.actorID
            $0.recordedAt = ProtoTimestamp(recordedAt)
        }
        let event = ChangeKind.crossingRecorded.event(personID: personID, payload: .crossing(crossing))
        let inserted = try await writes.query("""
            WITH inserted AS (
                INSERT INTO crossings (person_id, crossing_id, request_id, request_fingerprint, document_id, direction,
                    checkpoint_code, crossed_at, lane, gate_id, nationality, recorded_source, recorded_unit_code,
                    recorded_actor_id, recorded_at)
                VALUES (\(personID), \(crossingID), \(c.requestID), sha256(\(c.fingerprintSource)),
                    \(documentID), \(c.direction.rawValue), \(c.checkpoint.code), \(crossedAt), \(c.lane.rawValue), \(c.gateID),
                    \(try row.value("nationality", as: String.self)), \(c.provenance.source.rawValue), \(c.provenance.unitCode),
                    \(c.provenance.actorID), \(recordedAt))
                ON CONFLICT (person_id, request_id) DO NOTHING
                RETURNING person_id),
            \(unsafeRaw: ReadyAnswers.invalidation(named: "ready", of: "inserted")),
            event AS (
                INSERT INTO outbox (person_id, change_type, payload)
                SELECT person_id, \(ChangeKind.crossingRecorded.rawValue), \(try event.serializedBytes()) FROM inserted
                RETURNING person_id)
            SELECT (SELECT count(*) FROM event) AS inserted,
                (SELECT count(*) FROM (SELECT pg_notify('records_outbox', '') FROM event) n) AS notified
            """)
        if try inserted.first?.value("inserted", as: Int64.self) == 1 {
            return .with { $0.crossing = crossing; $0.replayed = false }
        }
        let existing = try await pool.query("""
            SELECT crossing_id, request_fingerprint = sha256(\(c.fingerprintSource)) FROM crossings
            WHERE person_id = \(personID) AND request_id = \(c.requestID)
            """)
        guard let first = existing.first else { throw StoreError.notFound("crossing") }
        let (firstID, same) = try first.decode((UUID, Bool).self)
        guard same else { throw StoreError.alreadyExists("request_id was already used for another crossing") }
        let rows = try await pool.query("""
            \(unsafeRaw: CrossingRows.select) WHERE x.person_id = \(personID) AND x.crossing_id = \(firstID)
            """)
        guard let stored = rows.first else { throw StoreError.notFound("crossing") }
        let replayed = try CrossingRows.crossing(stored)
        return .with { $0.crossing = replayed; $0.replayed = true }
    }

    /// The document a crossing names with what its row shows besides the request.
    private static let context = DocumentStore.SelectorStatement("""
        d.person_id, d.document_id, d.kind, d.number, d.issuing_state::text AS issuing_state,
        p.nationalities[1]::text AS nationality, now() AS recorded_at
        """, joins: "JOIN persons p ON p.person_id = d.person_id")

    /// The instant as PostgreSQL keeps it (microseconds), so that the answer
    /// of the first call and of a retry (read back) are the same.
    static func asStored(_ date: Date) throws -> Date {
        var bytes: [UInt8] = []
        date.encode(into: &bytes)
        return try bytes.withUnsafeBytes { try Date.decode(from: $0, type: .timestamptz) }
    }

    /// A person's crossings, newest first, after the keyset `after`.
    func list(personID: UUID, from: Date?, until: Date?, checkpointCode: String?, direction: CrossingEligibility.Direction?,
              after: (Date, UUID)?, limit: Int) async throws -> [Immigration_Records_V1_Crossing] {
        let rows = try await reads.query("""
            \(unsafeRaw: CrossingRows.select)
            WHERE x.person_id = \(personID)
              AND (\(from)::timestamptz IS NULL OR x.crossed_at >= \(from))
              AND (\(until)::timestamptz IS NULL OR x.crossed_at < \(until))
              AND (\(checkpointCode)::text IS NULL OR x.checkpoint_code = \(checkpointCode))
              AND (\(direction?.rawValue)::text IS NULL OR x.direction = \(direction?.rawValue))
              AND (\(after?.0)::timestamptz IS NULL OR (x.crossed_at, x.crossing_id) < (\(after?.0), \(after?.1)))
            ORDER BY x.crossed_at DESC, x.crossing_id DESC LIMIT \(limit)
            """)
        return try rows.map(CrossingRows.crossing)
    }
}
