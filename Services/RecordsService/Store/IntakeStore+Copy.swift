import COpenSSL
import Foundation
import Postgres

// Bulk intake's write path (docs/records.md, "Bulk intake"): the batch's keys
// looked up with one statement per key kind (arrays, `= ANY`, index-backed),
// every row decided in Swift (`IntakeRules.check`, the one place the rules
// live), and the accepted rows written once, with binary COPY straight into
// the final tables, in the batch's transaction. Unique keys stay the final
// guard against a concurrent writer: a violation (or a deadlock) rolls the
// writes back to a savepoint, and the keys are looked up again (what the other
// writer committed is seen then) and every row decided again by the same rules.

extension IntakeStore {
    /// A job's source system and provenance, as every row it writes carries them.
    struct Job: Hashable, Sendable {
        var system: String
        var source: String
        var unit: String
        var actor: String

        /// A new job's, from its description.
        init(_ spec: JobSpec) {
            self.init(system: spec.sourceSystem, source: spec.provenance.source.rawValue, unit: spec.provenance.unitCode,
                      actor: spec.provenance.actorID)
        }

        init(system: String, source: String, unit: String, actor: String) {
            (self.system, self.source, self.unit, self.actor) = (system, source, unit, actor)
        }
    }

    /// The job's provenance and the transaction's time, as every written row carries them.
    struct Writer: Sendable {
        var job: Job
        /// `now()` of the transaction as `to_jsonb` writes it, for the persons' revisions.
        var nowJSON: [UInt8]
        var system: String { job.system }
        var source: String { job.source }
        var unit: String { job.unit }
        var actor: String { job.actor }
    }

    /// A batch's rows in row-number order, with their keys in the job's source system.
    struct KeyedBatch: Sendable {
        var job: Job
        var persons: [PersonRow]
        var documents: [DocumentRow]
        var crossings: [CrossingRow]
        var personKeys: [IntakeRules.PersonKeys]
        var documentKeys: [IntakeRules.DocumentKeys]
        var crossingKeys: [IntakeRules.CrossingKeys]
        /// What the COPYs write that does not depend on the look-up, made here,
        /// before the transaction: each person's folded name, intake reference
        /// and first revision (but for the transaction's time), each crossing's
        /// id and request fingerprint.
        var foldedNames: [String]
        var intakeReferences: [String]
        var revisions: [RevisionTemplate]
        var crossingIDs: [UUID]
        var fingerprints: [[UInt8]]
    }

    /// A person's first revision (`PersonRevisionJSON`) made before the
    /// transaction with empty times; the write puts the transaction's time in
    /// (`created_at` and `updated_at`, the object's last two times).
    struct RevisionTemplate: Sendable {
        var bytes: [UInt8]
        /// Where the two times go: just inside the quotes of `"created_at":""` and `"updated_at":""`.
        var createdAt: Int
        var updatedAt: Int

        init(_ json: PostgresJSON) {
            bytes = json.bytes
            updatedAt = Self.lastValue(of: "updated_at", in: bytes, before: bytes.count)
            createdAt = Self.lastValue(of: "created_at", in: bytes, before: updatedAt)
        }

        /// The revision with the transaction's time.
        func json(at now: [UInt8]) -> PostgresJSON {
            var json: [UInt8] = []
            json.reserveCapacity(bytes.count + 2 * now.count)
            json.append(contentsOf: bytes[..<createdAt])
            json.append(contentsOf: now)
            json.append(contentsOf: bytes[createdAt..<updatedAt])
            json.append(contentsOf: now)
            json.append(contentsOf: bytes[updatedAt...])
            return PostgresJSON(bytes: json)
        }

        /// The offset inside the empty string value of the last `"key":""` before `end`.
        /// (A string value's own quotes are escaped, so the pattern only meets keys.)
        private static func lastValue(of key: String, in bytes: [UInt8], before end: Int) -> Int {
            let pattern = Array("\"\(key)\":\"\"".utf8)
            var start = end - pattern.count
            while start >= 0 {
                if bytes[start..<(start + pattern.count)].elementsEqual(pattern) { return start + pattern.count - 1 }
                start -= 1
            }
            preconditionFailure("a person revision without \(key)")
        }
    }

    /// How many times a batch is decided and written before conflicts with
    /// concurrent writers fail it with ABORTED (the client sends it again,
    /// as `immigctl intake` does; nothing of it was committed).
    static let maximumWriteAttempts = 5

    /// Checks the batch against the database and writes its accepted rows
    /// with COPY. Returns the rows the data refused (not yet sorted).
    func loadChecked(_ tx: PostgresTransaction, _ w: Writer, _ batch: KeyedBatch) async throws -> [Rejection] {
        var attempt = 1
        while true {
            _ = try await tx.execute(unsafeSQL: "SAVEPOINT intake_write")
            do {
                let existing = try await lookUp(tx, persons: batch.personKeys, documents: batch.documentKeys,
                                                crossings: batch.crossingKeys)
                let verdict = IntakeRules.check(persons: batch.personKeys, documents: batch.documentKeys,
                                                crossings: batch.crossingKeys, existing: existing)
                try await write(tx, w, batch, verdict)
                return verdict.rejected
            } catch let error as PostgresError
                where error.isUniqueViolation || error.isForeignKeyViolation || error.isDeadlock {
                // A concurrent writer took one of the batch's keys after the
                // look-up (its commit made the COPY fail): decide again against
                // what is committed now. A deadlock past the last attempt goes
                // to the transaction, which retries it whole.
                guard attempt < Self.maximumWriteAttempts else {
                    if error.isDeadlock { throw error }
                    throw StoreError.contended("the batch met concurrent writers of its keys \(attempt) times")
                }
                _ = try await tx.execute(unsafeSQL: "ROLLBACK TO SAVEPOINT intake_write")
                attempt += 1
            }
        }
    }

    /// The batch's rows in row-number order ("earlier in the batch" means a
    /// smaller row number, whatever the order sent) with their keys.
    static func keyed(_ job: Job, persons: [PersonRow], documents: [DocumentRow], crossings: [CrossingRow]) -> KeyedBatch {
        let system = job.system
        let persons = persons.sorted { $0.rowNumber < $1.rowNumber }
        let documents = documents.sorted { $0.rowNumber < $1.rowNumber }
        let crossings = crossings.sorted { $0.rowNumber < $1.rowNumber }
        let personKeys = persons.map { p in
            IntakeRules.PersonKeys(rowNumber: p.rowNumber, personID: DerivedID.intakePerson(sourceSystem: system, sourceKey: p.sourceKey),
                                   citizenID: p.details.citizenID?.digits, nationality: p.details.nationalities[0])
        }
        let documentKeys = documents.map { d in
            IntakeRules.DocumentKeys(rowNumber: d.rowNumber,
                                     personID: DerivedID.intakePerson(sourceSystem: system, sourceKey: d.personSourceKey),
                                     documentID: UUID(), key: .init(number: d.details.number, issuingState: d.details.issuingState,
                                                                    kind: d.details.kind.rawValue))
        }
        let crossingKeys = crossings.map { c in
            IntakeRules.CrossingKeys(rowNumber: c.rowNumber,
                                     personID: DerivedID.intakePerson(sourceSystem: system, sourceKey: c.personSourceKey),
                                     requestID: Self.crossingRequestID(system: system, c),
                                     document: .init(number: c.number, issuingState: c.issuingState, kind: c.kind.rawValue),
                                     checkpointCode: c.checkpointCode)
        }
        let references = persons.map { "\(system):\($0.sourceKey)" }
        let revisions = persons.indices.map { index in
            RevisionTemplate(PersonRevisionJSON.firstVersion(personID: personKeys[index].personID, details: persons[index].details,
                                                             intakeReference: references[index], source: job.source, unit: job.unit,
                                                             actor: job.actor, at: ""))
        }
        return KeyedBatch(job: job, persons: persons, documents: documents, crossings: crossings, personKeys: personKeys,
                          documentKeys: documentKeys, crossingKeys: crossingKeys, foldedNames: persons.map(\.details.foldedName),
                          intakeReferences: references, revisions: revisions, crossingIDs: crossings.map { _ in UUID() },
                          fingerprints: crossingKeys.map { fingerprint($0.requestID) })
    }

    /// Writes the accepted rows of the batch with one binary COPY per table.
    private func write(_ tx: PostgresTransaction, _ w: Writer, _ batch: KeyedBatch,
                       _ verdict: IntakeRules.BatchVerdict) async throws {
        let (persons, documents, crossings) = (batch.persons, batch.documents, batch.crossings)
        let (personKeys, documentKeys, crossingKeys) = (batch.personKeys, batch.documentKeys, batch.crossingKeys)
        let conn = tx.connection

        if !verdict.persons.isEmpty {
            _ = try await conn.copyFrom(table: "persons", columns: [
                "person_id", "citizen_id", "family_name", "middle_name", "given_name", "folded_name", "birth_year", "birth_month",
                "birth_day", "sex", "nationalities", "residence_address", "residence_province", "residence_since_year",
                "residence_since_month", "residence_since_day", "biometric_subject_id", "remarks", "intake_reference",
                "created_source", "created_unit_code", "created_actor_id", "updated_source", "updated_unit_code", "updated_actor_id",
            ]) { writer in
                for index in verdict.persons {
                    let d = persons[index].details
                    try await writer.appendRow(
                        personKeys[index].personID, d.citizenID?.digits, d.name.family, d.name.middle, d.name.given, batch.foldedNames[index],
                        Int16(d.dateOfBirth.year), d.dateOfBirth.month.map(Int16.init), d.dateOfBirth.day.map(Int16.init),
                        d.sex.rawValue, CharArray(d.nationalities), d.residenceAddress, d.residenceProvince,
                        d.residenceSince.map { Int16($0.year) }, d.residenceSince?.month.map(Int16.init),
                        d.residenceSince?.day.map(Int16.init), d.biometricSubjectID, d.remarks, batch.intakeReferences[index],
                        w.source, w.unit, w.actor, w.source, w.unit, w.actor)
                }
            }
            let citizens = verdict.persons.filter { personKeys[$0].citizenID != nil }
            if !citizens.isEmpty {
                _ = try await conn.copyFrom(table: "citizen_ids", columns: ["citizen_id", "person_id"]) { writer in
                    for index in citizens { try await writer.appendRow(personKeys[index].citizenID, personKeys[index].personID) }
                }
            }
            _ = try await conn.copyFrom(table: "person_revisions", columns: [
                "person_id", "version", "details", "reason", "written_source", "written_unit_code", "written_actor_id",
            ]) { writer in
                for index in verdict.persons {
                    try await writer.appendRow(personKeys[index].personID, Int64(1), batch.revisions[index].json(at: w.nowJSON),
                                               "bulk intake", w.source, w.unit, w.actor)
                }
            }
        }

        if !verdict.documents.isEmpty {
            _ = try await conn.copyFrom(table: "documents", columns: [
                "person_id", "document_id", "kind", "number", "issuing_state", "symbol", "has_chip", "issuing_authority",
                "issued_on", "valid_from", "valid_until", "status", "status_reason", "status_source", "status_unit_code",
                "status_actor_id", "created_source", "created_unit_code", "created_actor_id",
            ]) { writer in
                for index in verdict.documents {
                    let r = documents[index], d = r.details, k = documentKeys[index]
                    try await writer.appendRow(
                        k.personID, k.documentID, d.kind.rawValue, d.number, d.issuingState, d.symbol, d.hasChip,
                        d.issuingAuthority, d.issuedOn.postgres, d.validFrom.postgres, d.validUntil.postgres, r.status.rawValue,
                        r.status == .issued ? "" : "status in the source", w.source, w.unit, w.actor, w.source, w.unit, w.actor)
                }
            }
            _ = try await conn.copyFrom(table: "document_numbers", columns: [
                "number", "issuing_state", "kind", "person_id", "document_id",
            ]) { writer in
                for index in verdict.documents {
                    let k = documentKeys[index]
                    try await writer.appendRow(k.key.number, k.key.issuingState, k.key.kind, k.personID, k.documentID)
                }
            }
            _ = try await conn.copyFrom(table: "document_status_changes", columns: [
                "person_id", "document_id", "version", "from_status", "to_status", "reason", "written_source",
                "written_unit_code", "written_actor_id",
            ]) { writer in
                for index in verdict.documents {
                    let k = documentKeys[index]
                    try await writer.appendRow(k.personID, k.documentID, Int64(1), String?.none, documents[index].status.rawValue,
                                               "bulk intake", w.source, w.unit, w.actor)
                }
            }
            let news = verdict.documents.filter { documents[$0].status != .issued }
            if !news.isEmpty {
                try await tx.appendIntakeDocumentEvents(personIDs: news.map { documentKeys[$0].personID },
                                                        documentIDs: news.map { documentKeys[$0].documentID })
            }
        }

        if !verdict.crossings.isEmpty {
            _ = try await conn.copyFrom(table: "crossings", columns: [
                "person_id", "crossing_id", "request_id", "request_fingerprint", "document_id", "direction", "checkpoint_code",
                "crossed_at", "lane", "gate_id", "nationality", "recorded_source", "recorded_unit_code", "recorded_actor_id",
            ]) { writer in
                for accepted in verdict.crossings {
                    let c = crossings[accepted.index], k = crossingKeys[accepted.index]
                    try await writer.appendRow(
                        k.personID, batch.crossingIDs[accepted.index], k.requestID, batch.fingerprints[accepted.index], accepted.documentID, c.direction.rawValue,
                        c.checkpointCode, c.crossedAt, c.lane.rawValue, c.gateID, accepted.nationality, w.source, w.unit, w.actor)
                }
            }
        }

        // Persons loaded earlier who got documents or crossings here: their
        // kept GetPerson answers are out of date. (A person created by this
        // batch has none: no answer is made for a person not yet committed.)
        let created = Set(verdict.persons.map { personKeys[$0].personID })
        let touched = verdict.documents.map { documentKeys[$0].personID } + verdict.crossings.map { crossingKeys[$0.index].personID }
        try await ReadyAnswers.invalidate(tx, personIDs: touched.filter { !created.contains($0) })
    }

    /// What exists of the batch's keys: one statement per key kind, each an
    /// index look-up per key.
    private func lookUp(_ tx: PostgresTransaction, persons: [IntakeRules.PersonKeys], documents: [IntakeRules.DocumentKeys],
                        crossings: [IntakeRules.CrossingKeys]) async throws -> IntakeRules.Existing {
        var existing = IntakeRules.Existing()
        let personIDs = Array(Set(persons.map(\.personID) + documents.map(\.personID) + crossings.map(\.personID)))
        if !personIDs.isEmpty {
            for row in try await tx.query("""
                SELECT person_id, nationalities[1]::text FROM persons WHERE person_id = ANY(\(personIDs))
                """) {
                let (id, nationality) = try row.decode((UUID, String).self)
                existing.persons[id] = nationality
            }
        }
        let citizenIDs = persons.compactMap(\.citizenID)
        if !citizenIDs.isEmpty {
            for row in try await tx.query("""
                SELECT citizen_id::text FROM citizen_ids WHERE citizen_id = ANY(\(citizenIDs)::char(12)[])
                """) {
                existing.citizenIDs.insert(try row.decode(String.self))
            }
        }
        let numbers = Array(Set(documents.map(\.key.number) + crossings.map(\.document.number)))
        if !numbers.isEmpty {
            for row in try await tx.query("""
                SELECT number, issuing_state::text, kind, person_id, document_id FROM document_numbers WHERE number = ANY(\(numbers))
                """) {
                let (number, state, kind, person, document) = try row.decode((String, String, String, UUID, UUID).self)
                existing.documents[.init(number: number, issuingState: state, kind: kind)] = (person, document)
            }
        }
        // Crossings can exist only for persons that existed before the batch.
        let earlier = crossings.filter { existing.persons[$0.personID] != nil }
        if !earlier.isEmpty {
            for row in try await tx.query("""
                SELECT x.person_id, x.request_id FROM unnest(\(earlier.map(\.personID)), \(earlier.map(\.requestID))) AS k(p, r)
                JOIN crossings x ON x.person_id = k.p AND x.request_id = k.r
                """) {
                let (person, request) = try row.decode((UUID, UUID).self)
                existing.crossings.insert(.init(personID: person, requestID: request))
            }
        }
        let codes = Array(Set(crossings.map(\.checkpointCode)))
        if !codes.isEmpty {
            for row in try await tx.query("SELECT code FROM checkpoints WHERE code = ANY(\(codes))") {
                existing.checkpoints.insert(try row.decode(String.self))
            }
        }
        return existing
    }

    /// The request id of an intake crossing: derived from its content, so a
    /// crossing loaded twice (by two jobs of one source) is found as a duplicate.
    static func crossingRequestID(system: String, _ c: CrossingRow) -> UUID {
        let micros = Int64((c.crossedAt.timeIntervalSince1970 * 1_000_000).rounded())
        return DerivedID.uuid(namespace: "immigration.records.intake-crossing",
                              name: "\(system):\(c.personSourceKey):\(micros):\(c.direction.rawValue):\(c.checkpointCode)")
    }

    /// The request fingerprint of an intake crossing: SHA-256 of its request
    /// id's text (the id is itself derived from the crossing's content).
    static func fingerprint(_ requestID: UUID) -> [UInt8] {
        let input = Array(requestID.text.utf8)
        var digest = [UInt8](repeating: 0, count: Int(SHA256_DIGEST_LENGTH))
        _ = input.withUnsafeBufferPointer { SHA256($0.baseAddress, $0.count, &digest) }
        return digest
    }
}

/// A `char(3)[]` value for binary COPY: the array's element type must be the
/// column's (`bpchar`), where `[String]` is sent as `text[]`.
struct CharArray: PostgresEncodable {
    static var postgresType: PostgresType { PostgresType(rawValue: 1014) }   // bpchar[]
    var elements: [String]
    init(_ elements: [String]) { self.elements = elements }

    func encode(into buffer: inout [UInt8]) {
        func append<T: FixedWidthInteger>(_ value: T) {
            var big = value.bigEndian
            withUnsafeBytes(of: &big) { buffer.append(contentsOf: $0) }
        }
        append(Int32(1))                    // dimensions
        append(Int32(0))                    // has nulls
        append(UInt32(1042))                // element type: bpchar
        append(Int32(elements.count))
        append(Int32(1))                    // lower bound
        for element in elements {
            let bytes = Array(element.utf8)
            append(Int32(bytes.count))
            buffer.append(contentsOf: bytes)
        }
    }
}
