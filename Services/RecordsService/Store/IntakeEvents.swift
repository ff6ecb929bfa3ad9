import Contracts
import Foundation
import Postgres

// Which bulk-intake rows become change-feed events (docs/records.md, "Bulk
// intake", "Events"): only documents loaded in a status other than issued,
// each as a DOCUMENT_STATUS_CHANGED event. Persons, issued documents and
// crossings loaded from a legacy database are history, not news, and would
// flood the feed with millions of events nobody acts on.

extension PostgresTransaction {
    /// Appends a DOCUMENT_STATUS_CHANGED event for each of the documents
    /// given (in that order): those of the batch loaded revoked, cancelled,
    /// reported lost, expired, withdrawn or restored; the change is the
    /// document's first status change (from no status). Run in the batch's
    /// transaction, after the documents and their status changes are written.
    func appendIntakeDocumentEvents(personIDs: [UUID], documentIDs: [UUID]) async throws {
        let rows = try await query("""
            SELECT \(unsafeRaw: DocumentRows.columns), \(unsafeRaw: DocumentRows.changeColumns)
            FROM unnest(\(personIDs), \(documentIDs)) WITH ORDINALITY AS k(person_id, document_id, n)
            JOIN documents d ON d.person_id = k.person_id AND d.document_id = k.document_id
            JOIN document_status_changes c ON c.person_id = d.person_id AND c.document_id = d.document_id AND c.version = 1
            ORDER BY k.n
            """)
        guard !rows.isEmpty else { return }
        let positions = IndexedRow.positions(rows)
        // One COPY and one NOTIFY for the batch, where appendChange takes two
        // statements per event: a load brings tens of thousands of expired
        // or cancelled documents. The outbox's event_id follows the rows'
        // order, as for one insert after the other.
        let kind = ChangeKind.documentStatusChanged
        _ = try await connection.copyFrom(table: "outbox", columns: ["person_id", "change_type", "payload"]) { writer in
            for row in rows.lazy.map({ IndexedRow(row: $0, positions: positions) }) {
                let personID = try row.value("person_id", as: UUID.self)
                var event = Immigration_Records_V1_ChangeEvent()
                event.type = kind.proto
                event.personID = personID.text
                let document = try DocumentRows.document(row), change = try DocumentRows.change(row)
                event.payload = .documentStatusChanged(.with { $0.document = document; $0.change = change })
                try await writer.appendRow(personID, kind.rawValue, try event.serializedBytes())
            }
        }
        _ = try await query("SELECT pg_notify('records_outbox', '')")
    }
}

/// A row of a result read by column name through a name-to-position map made
/// once for the whole result: about 25 columns are read by name per event, and
/// `PostgresRow`'s own look-up by name builds its map again on every call
/// (a fifth of the service's CPU during a load, before).
private struct IndexedRow: NamedColumns {
    let row: PostgresRow
    let positions: [String: Int]

    static func positions(_ rows: PostgresRows) -> [String: Int] {
        var positions: [String: Int] = [:]
        for (position, name) in rows.columns.enumerated() where positions[name] == nil { positions[name] = position }
        return positions
    }

    func column<T: PostgresDecodable>(_ name: String, as type: T.Type) throws -> T {
        guard let position = positions[name] else { return try row.decode(T.self, column: name) }
        return try row.decode(T.self, column: position)
    }
}
