import Contracts
import Foundation
import Postgres

/// The change feed's reading side (docs/records.md, "Change feed"): numbers
/// committed outbox rows with `sequence_outbox()` and reads numbered
/// rows after a position. Positions are stored, so they survive restarts.
struct FeedStore: Sendable {
    let pool: PostgresPool

    /// Numbers the committed rows that have none yet; returns the highest position.
    @discardableResult
    func sequence(batchSize: Int32 = 5000) async throws -> Int64 {
        try await pool.query("SELECT sequence_outbox(\(batchSize))").scalar(Int64.self) ?? 0
    }

    /// How far retention has purged, and the newest position (never below
    /// what was purged, also when everything was).
    func bounds() async throws -> (purgedThrough: Int64, newest: Int64) {
        let rows = try await pool.query("""
            SELECT r.purged_through,
                greatest(r.purged_through, coalesce((SELECT max(position) FROM outbox WHERE position IS NOT NULL), 0))
            FROM outbox_retention r
            """)
        let (purged, newest) = try rows[0].decode((Int64, Int64).self)
        return (purged, newest)
    }

    /// Up to `limit` events after `position`, in position order, of the given kinds (all when empty).
    func events(after position: Int64, kinds: [ChangeKind], limit: Int) async throws -> [Immigration_Records_V1_ChangeEvent] {
        let rows = try await pool.query("""
            SELECT position, occurred_at, payload FROM outbox
            WHERE position > \(position) AND position IS NOT NULL
              AND (cardinality(\(kinds.map(\.rawValue))::text[]) = 0 OR change_type = ANY(\(kinds.map(\.rawValue))::text[]))
            ORDER BY position LIMIT \(limit)
            """)
        return try rows.map { row in
            let (position, occurredAt, payload) = try row.decode((Int64, Date, [UInt8]).self)
            var event = try Immigration_Records_V1_ChangeEvent(serializedBytes: payload)
            event.position = FeedPosition.token(position)
            event.occurredAt = ProtoTimestamp(occurredAt)
            return event
        }
    }
}
