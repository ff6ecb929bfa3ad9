import Foundation
import Postgres

// Bulk intake's staging path (docs/records.md, "Bulk intake"): the batch's
// rows COPied into the staging tables (locked: one staging batch at a time),
// refused rows deleted from them by anti-joins, each with its reason, and
// the rest moved with one INSERT … SELECT per table. The direct path
// (IntakeStore+Copy) writes each row once instead; this one is its fallback
// when a concurrent writer takes one of the batch's keys after its look-up,
// since it decides every row against what is committed when it runs.

extension IntakeStore {
    /// Loads the batch through the staging tables; returns the rows refused.
    func loadStaged(_ tx: PostgresTransaction, _ w: Writer, persons: [PersonRow], documents: [DocumentRow],
                    crossings: [CrossingRow]) async throws -> [Rejection] {
        var rejected: [Rejection] = []
        let conn = tx.connection
        let (system, sourceText, unit, actor) = (w.system, w.source, w.unit, w.actor)

        // Persons. Staging columns are text; keys compared with char(n) columns
        // (citizen IDs, issuing states) are cast to char(n) so that the key's
        // index is used (text = char(n) compares as text: a scan per batch).
        _ = try await tx.execute(unsafeSQL: """
            LOCK TABLE intake_stage_persons, intake_stage_documents, intake_stage_crossings IN EXCLUSIVE MODE;
            TRUNCATE intake_stage_persons, intake_stage_documents, intake_stage_crossings;
            """)
        if !persons.isEmpty {
            _ = try await conn.copyFrom(table: "intake_stage_persons", columns: [
                "row_no", "person_id", "citizen_id", "family_name", "middle_name", "given_name", "folded_name", "birth_year",
                "birth_month", "birth_day", "sex", "nationalities", "residence_address", "residence_province", "since_year",
                "since_month", "since_day", "biometric_subject_id", "remarks", "intake_reference",
            ]) { writer in
                for p in persons {
                    let d = p.details
                    try await writer.appendRow(
                        p.rowNumber, DerivedID.intakePerson(sourceSystem: system, sourceKey: p.sourceKey), d.citizenID?.digits,
                        d.name.family, d.name.middle, d.name.given, d.foldedName, Int16(d.dateOfBirth.year),
                        d.dateOfBirth.month.map(Int16.init), d.dateOfBirth.day.map(Int16.init), d.sex.rawValue, d.nationalities,
                        d.residenceAddress, d.residenceProvince, d.residenceSince.map { Int16($0.year) },
                        d.residenceSince?.month.map(Int16.init), d.residenceSince?.day.map(Int16.init), d.biometricSubjectID,
                        d.remarks, "\(system):\(p.sourceKey)")
                }
            }
            rejected += try await reject(tx, """
                DELETE FROM intake_stage_persons s USING persons p WHERE p.person_id = s.person_id RETURNING s.row_no
                """, field: "person.source_key", rule: "duplicate", "this source row was loaded before")
            // A row whose person or citizen ID comes earlier in the batch (window
            // functions: one sort each, where a self-join on "or" is quadratic).
            rejected += try await reject(tx, """
                DELETE FROM intake_stage_persons s WHERE s.row_no IN (
                    SELECT row_no FROM (
                        SELECT row_no, row_number() OVER (PARTITION BY person_id ORDER BY row_no) AS by_person,
                            CASE WHEN citizen_id IS NULL THEN 1
                                 ELSE row_number() OVER (PARTITION BY citizen_id ORDER BY row_no) END AS by_citizen_id
                        FROM intake_stage_persons) ranked
                    WHERE by_person > 1 OR by_citizen_id > 1)
                RETURNING s.row_no
                """, field: "person.source_key", rule: "duplicate_in_batch", "the same person or citizen ID earlier in the batch")
            rejected += try await reject(tx, """
                DELETE FROM intake_stage_persons s USING citizen_ids c WHERE c.citizen_id = s.citizen_id::char(12) RETURNING s.row_no
                """, field: "person.details.citizen_id", rule: "citizen_id_taken", "the citizen ID belongs to another person")
            _ = try await tx.query("""
                INSERT INTO persons (person_id, citizen_id, family_name, middle_name, given_name, folded_name, birth_year,
                    birth_month, birth_day, sex, nationalities, residence_address, residence_province, residence_since_year,
                    residence_since_month, residence_since_day, biometric_subject_id, remarks, intake_reference,
                    created_source, created_unit_code, created_actor_id, updated_source, updated_unit_code, updated_actor_id)
                SELECT person_id, citizen_id, family_name, middle_name, given_name, folded_name, birth_year, birth_month,
                    birth_day, sex, nationalities::char(3)[], residence_address, residence_province, since_year, since_month,
                    since_day, biometric_subject_id, remarks, intake_reference,
                    \(sourceText), \(unit), \(actor), \(sourceText), \(unit), \(actor)
                FROM intake_stage_persons
                """)
            _ = try await tx.execute(unsafeSQL: """
                INSERT INTO citizen_ids (citizen_id, person_id)
                    SELECT citizen_id, person_id FROM intake_stage_persons WHERE citizen_id IS NOT NULL;
                INSERT INTO person_revisions (person_id, version, details, reason, written_source, written_unit_code,
                    written_actor_id, written_at)
                    SELECT p.person_id, p.version, to_jsonb(p), 'bulk intake', p.updated_source, p.updated_unit_code,
                        p.updated_actor_id, p.updated_at
                    FROM persons p JOIN intake_stage_persons s ON s.person_id = p.person_id;
                """)
        }

        // Documents.
        if !documents.isEmpty {
            _ = try await conn.copyFrom(table: "intake_stage_documents", columns: [
                "row_no", "person_id", "document_id", "kind", "number", "issuing_state", "symbol", "has_chip",
                "issuing_authority", "issued_on", "valid_from", "valid_until", "status",
            ]) { writer in
                for r in documents {
                    let d = r.details
                    try await writer.appendRow(
                        r.rowNumber, DerivedID.intakePerson(sourceSystem: system, sourceKey: r.personSourceKey), UUID(),
                        d.kind.rawValue, d.number, d.issuingState, d.symbol, d.hasChip, d.issuingAuthority, d.issuedOn.postgres,
                        d.validFrom.postgres, d.validUntil.postgres, r.status.rawValue)
                }
            }
            rejected += try await reject(tx, """
                DELETE FROM intake_stage_documents s WHERE NOT EXISTS (SELECT 1 FROM persons p WHERE p.person_id = s.person_id)
                RETURNING s.row_no
                """, field: "document.person_source_key", rule: "unknown_person", "no person of this source with that key")
            rejected += try await reject(tx, """
                DELETE FROM intake_stage_documents s WHERE EXISTS (SELECT 1 FROM intake_stage_documents t WHERE t.row_no < s.row_no
                    AND t.number = s.number AND t.issuing_state = s.issuing_state AND t.kind = s.kind) RETURNING s.row_no
                """, field: "document.details.reference.number", rule: "duplicate_in_batch", "the same document earlier in the batch")
            rejected += try await reject(tx, """
                DELETE FROM intake_stage_documents s USING document_numbers n
                WHERE n.number = s.number AND n.issuing_state = s.issuing_state::char(3) AND n.kind = s.kind RETURNING s.row_no
                """, field: "document.details.reference.number", rule: "number_taken", "a document with this number exists")
            _ = try await tx.query("""
                INSERT INTO documents (person_id, document_id, kind, number, issuing_state, symbol, has_chip, issuing_authority,
                    issued_on, valid_from, valid_until, status, status_reason, status_source, status_unit_code, status_actor_id,
                    created_source, created_unit_code, created_actor_id)
                SELECT person_id, document_id, kind, number, issuing_state, symbol, has_chip, issuing_authority, issued_on,
                    valid_from, valid_until, status, CASE WHEN status = 'issued' THEN '' ELSE 'status in the source' END,
                    \(sourceText), \(unit), \(actor), \(sourceText), \(unit), \(actor)
                FROM intake_stage_documents
                """)
            _ = try await tx.query("""
                INSERT INTO document_numbers (number, issuing_state, kind, person_id, document_id)
                    SELECT number, issuing_state, kind, person_id, document_id FROM intake_stage_documents
                """)
            _ = try await tx.query("""
                INSERT INTO document_status_changes (person_id, document_id, version, from_status, to_status, reason,
                    written_source, written_unit_code, written_actor_id)
                SELECT person_id, document_id, 1, NULL, status, 'bulk intake', \(sourceText), \(unit), \(actor)
                FROM intake_stage_documents
                """)
            let news = try await tx.query("""
                SELECT person_id, document_id FROM intake_stage_documents WHERE status <> 'issued' ORDER BY row_no
                """).map { try $0.decode((UUID, UUID).self) }
            if !news.isEmpty {
                try await tx.appendIntakeDocumentEvents(personIDs: news.map(\.0), documentIDs: news.map(\.1))
            }
        }

        // Crossings.
        if !crossings.isEmpty {
            _ = try await conn.copyFrom(table: "intake_stage_crossings", columns: [
                "row_no", "person_id", "crossing_id", "request_id", "kind", "number", "issuing_state", "direction",
                "checkpoint_code", "crossed_at", "lane", "gate_id",
            ]) { writer in
                for c in crossings {
                    let requestID = Self.crossingRequestID(system: system, c)
                    try await writer.appendRow(
                        c.rowNumber, DerivedID.intakePerson(sourceSystem: system, sourceKey: c.personSourceKey), UUID(), requestID,
                        c.kind.rawValue, c.number, c.issuingState, c.direction.rawValue, c.checkpointCode, c.crossedAt,
                        c.lane.rawValue, c.gateID)
                }
            }
            rejected += try await reject(tx, """
                DELETE FROM intake_stage_crossings s WHERE NOT EXISTS (SELECT 1 FROM document_numbers n
                    WHERE n.number = s.number AND n.issuing_state = s.issuing_state::char(3) AND n.kind = s.kind
                        AND n.person_id = s.person_id)
                RETURNING s.row_no
                """, field: "crossing.document", rule: "unknown_document", "no such document of this person loaded")
            rejected += try await reject(tx, """
                DELETE FROM intake_stage_crossings s WHERE NOT EXISTS (SELECT 1 FROM checkpoints k WHERE k.code = s.checkpoint_code)
                RETURNING s.row_no
                """, field: "crossing.checkpoint_code", rule: "known_checkpoint", "not in the reference data")
            rejected += try await reject(tx, """
                DELETE FROM intake_stage_crossings s WHERE EXISTS (SELECT 1 FROM intake_stage_crossings t
                    WHERE t.row_no < s.row_no AND t.person_id = s.person_id AND t.request_id = s.request_id) RETURNING s.row_no
                """, field: "crossing", rule: "duplicate_in_batch", "the same crossing earlier in the batch")
            rejected += try await reject(tx, """
                DELETE FROM intake_stage_crossings s USING crossings x
                WHERE x.person_id = s.person_id AND x.request_id = s.request_id RETURNING s.row_no
                """, field: "crossing", rule: "duplicate", "this crossing was loaded before")
            _ = try await tx.query("""
                INSERT INTO crossings (person_id, crossing_id, request_id, request_fingerprint, document_id, direction,
                    checkpoint_code, crossed_at, lane, gate_id, nationality, recorded_source, recorded_unit_code, recorded_actor_id)
                SELECT s.person_id, s.crossing_id, s.request_id, sha256(convert_to(s.request_id::text, 'UTF8')), n.document_id,
                    s.direction, s.checkpoint_code, s.crossed_at, s.lane, s.gate_id, p.nationalities[1],
                    \(sourceText), \(unit), \(actor)
                FROM intake_stage_crossings s
                JOIN document_numbers n ON n.number = s.number AND n.issuing_state = s.issuing_state::char(3) AND n.kind = s.kind
                JOIN persons p ON p.person_id = s.person_id
                """)
        }

        _ = try await tx.execute(unsafeSQL: "TRUNCATE intake_stage_persons, intake_stage_documents, intake_stage_crossings")
        return rejected
    }

    private func reject(_ tx: PostgresTransaction, _ sql: String, field: String, rule: String,
                        _ message: String) async throws -> [Rejection] {
        try await tx.query(PostgresQuery(unsafeSQL: sql)).map {
            Rejection(rowNumber: try $0.decode(Int64.self, column: 0), field: field, rule: rule, message: message)
        }
    }
}
