import Contracts
import Foundation
import Postgres

/// Border checkpoints, reference data kept by operators.
struct CheckpointStore: Sendable {
    let pool: PostgresPool

    /// Creates or replaces a checkpoint (idempotent by nature).
    func upsert(_ k: CheckpointRecord, provenance: ProvenanceInput) async throws -> Immigration_Records_V1_Checkpoint {
        let rows = try await pool.query("""
            INSERT INTO checkpoints AS k (code, name, kind, ministry, border_country, retired, written_source,
                written_unit_code, written_actor_id)
            VALUES (\(k.code), \(k.name), \(k.kind.rawValue), \(k.ministry.rawValue), \(k.borderCountry), \(k.retired),
                \(provenance.source.rawValue), \(provenance.unitCode), \(provenance.actorID))
            ON CONFLICT (code) DO UPDATE SET name = excluded.name, kind = excluded.kind, ministry = excluded.ministry,
                border_country = excluded.border_country, retired = excluded.retired, written_source = excluded.written_source,
                written_unit_code = excluded.written_unit_code, written_actor_id = excluded.written_actor_id, written_at = now()
            RETURNING \(unsafeRaw: CheckpointRows.columns)
            """)
        return try CheckpointRows.checkpoint(rows[0])
    }

    func get(code: String) async throws -> Immigration_Records_V1_Checkpoint? {
        let rows = try await pool.query("SELECT \(unsafeRaw: CheckpointRows.columns) FROM checkpoints k WHERE k.code = \(code)")
        return try rows.first.map(CheckpointRows.checkpoint)
    }

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
