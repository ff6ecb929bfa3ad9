import Contracts
import Foundation
import Postgres

/// Entry and exit crossings (D77 Art 4.1b). Idempotent by `(person_id,
/// request_id)`: the insert does nothing on a retry, even one racing the
/// first call, and the stored row is answered instead (docs/records.md).
struct CrossingStore: Sendable {
    let pool: PostgresPool

    /// What a crossing records, after validation and resolution.
    struct NewCrossing: Sendable {
        var requestID: UUID
        var fingerprintSource: [UInt8]
        var personID: UUID
        var documentID: UUID
        var direction: CrossingEligibility.Direction
        var checkpointCode: String
        var crossedAt: Date
        var lane: CrossingRules.Lane
        var gateID: String
        var provenance: ProvenanceInput
    }

    /// Records the crossing once; a retry gets the first row with `replayed`.
    func record(_ c: NewCrossing) async throws -> Immigration_Records_V1_RecordCrossingResponse {
        try await pool.transaction { tx in
            let crossingID = UUID()
            let inserted = try await tx.query("""
                INSERT INTO crossings (person_id, crossing_id, request_id, request_fingerprint, document_id, direction,
                    checkpoint_code, crossed_at, lane, gate_id, nationality, recorded_source, recorded_unit_code, recorded_actor_id)
                SELECT \(c.personID), \(crossingID), \(c.requestID), sha256(\(c.fingerprintSource)), \(c.documentID),
                    \(c.direction.rawValue), \(c.checkpointCode), \(c.crossedAt), \(c.lane.rawValue), \(c.gateID),
                    p.nationalities[1], \(c.provenance.source.rawValue), \(c.provenance.unitCode), \(c.provenance.actorID)
                FROM persons p WHERE p.person_id = \(c.personID)
                ON CONFLICT (person_id, request_id) DO NOTHING
                RETURNING crossing_id
                """)
            if inserted.count == 1 {
                let crossing = try await read(tx, personID: c.personID, crossingID: crossingID)
                try await tx.appendChange(.crossingRecorded, personID: c.personID, payload: .crossing(crossing))
                return .with { $0.crossing = crossing; $0.replayed = false }
            }
            let existing = try await tx.query("""
                SELECT crossing_id, request_fingerprint = sha256(\(c.fingerprintSource)) FROM crossings
                WHERE person_id = \(c.personID) AND request_id = \(c.requestID)
                """)
            guard let row = existing.first else { throw StoreError.notFound("person") }
            let (firstID, same) = try row.decode((UUID, Bool).self)
            guard same else { throw StoreError.alreadyExists("request_id was already used for another crossing") }
            let crossing = try await read(tx, personID: c.personID, crossingID: firstID)
            return .with { $0.crossing = crossing; $0.replayed = true }
        }
    }

    func read(_ tx: PostgresTransaction, personID: UUID, crossingID: UUID) async throws -> Immigration_Records_V1_Crossing {
        let rows = try await tx.query("""
            \(unsafeRaw: CrossingRows.select) WHERE x.person_id = \(personID) AND x.crossing_id = \(crossingID)
            """)
        guard let row = rows.first else { throw StoreError.notFound("crossing") }
        return try CrossingRows.crossing(row)
    }

    /// A person's crossings, newest first, after the keyset `after`.
    func list(personID: UUID, from: Date?, until: Date?, checkpointCode: String?, direction: CrossingEligibility.Direction?,
              after: (Date, UUID)?, limit: Int) async throws -> [Immigration_Records_V1_Crossing] {
        let rows = try await pool.query("""
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
