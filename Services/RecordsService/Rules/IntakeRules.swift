import Foundation

/// The rules of bulk intake (D77 Art 4.2b: converted and national
/// databases): what a job and a batch must carry, and what to do with a batch
/// given the job's last committed batch (docs/records.md, "Bulk intake").
enum IntakeRules {
    /// The most rows in one batch.
    static let maximumRowsPerBatch = 10_000

    /// What the store does with an incoming batch.
    enum BatchDecision: Hashable, Sendable {
        /// Load it: it is the batch after the last committed one.
        case load
        /// Skip it: it was committed before (a resumed load resending it).
        case skip
        /// Refuse it (FAILED_PRECONDITION): batches would be missing before it.
        case gap(expected: Int64)
    }

    /// Decides from the job's last committed batch, read under the job's row
    /// lock in the batch's own transaction.
    static func decide(batchSequence: Int64, lastCommitted: Int64) -> BatchDecision {
        if batchSequence <= lastCommitted { return .skip }
        if batchSequence == lastCommitted + 1 { return .load }
        return .gap(expected: lastCommitted + 1)
    }

    /// Checks a new job's description: a source system (1 to 64 of a-z, 0-9,
    /// '-', '_', '.'), a description up to 500 characters, and a database
    /// source (D77 Art 4.2b).
    static func validatedJob(sourceSystem: String, description: String, source: InformationSource?) throws(ValidationErrors) {
        var report = ValidationReport()
        let allowed = sourceSystem.utf8.allSatisfy {
            (0x61...0x7A).contains($0) || (0x30...0x39).contains($0) || $0 == 0x2D || $0 == 0x5F || $0 == 0x2E
        }
        if sourceSystem.isEmpty || sourceSystem.utf8.count > 64 || !allowed {
            report.add(ValidationError(field: "job.source_system", rule: "source_system", "1 to 64 of a-z, 0-9, '-', '_', '.'"))
        }
        if description.count > 500 {
            report.add(ValidationError(field: "job.description", rule: "max_length", "at most 500 characters"))
        }
        if let source, !source.isDatabase {
            report.add(ValidationError(field: "job.provenance.source", rule: "database_source",
                                       "bulk intake loads converted or national databases (D77 Art 4.2b)"))
        } else if source == nil {
            report.add(ValidationError(field: "job.provenance.source", rule: "required", "the source database kind is required"))
        }
        try report.throwIfAny()
    }

    /// Checks a batch's framing (not its rows, which are checked one by one
    /// and rejected individually): a sequence from 1, at most 10,000 rows,
    /// row numbers from 1 and none twice in the batch.
    static func validatedBatch(sequence: Int64, rowNumbers: [Int64]) throws(ValidationErrors) {
        var report = ValidationReport()
        if sequence < 1 {
            report.add(ValidationError(field: "batch_sequence", rule: "positive", "batches are numbered from 1"))
        }
        if rowNumbers.count > maximumRowsPerBatch {
            report.add(ValidationError(field: "rows", rule: "max_rows", "at most \(maximumRowsPerBatch) rows per batch"))
        }
        var seen = Set<Int64>()
        for (index, number) in rowNumbers.enumerated() {
            if number < 1 {
                report.add(ValidationError(field: "rows[\(index)].row_number", rule: "positive", "row numbers start at 1"))
                break
            }
            if !seen.insert(number).inserted {
                report.add(ValidationError(field: "rows[\(index)].row_number", rule: "unique_in_batch", "the same row number twice"))
                break
            }
        }
        try report.throwIfAny()
    }

    /// Checks an intake person's key in its source system: 1 to 128 characters.
    static func validatedSourceKey(_ key: String, field: String) throws(ValidationError) -> String {
        guard !key.trimmed.isEmpty, key.count <= 128 else {
            throw ValidationError(field: field, rule: "source_key", "1 to 128 characters")
        }
        return key
    }
}

// MARK: - A batch checked in memory

extension IntakeRules {
    /// A document's key as printed on it: unique across persons.
    struct DocumentKey: Hashable, Sendable {
        var number: String
        var issuingState: String
        var kind: String
    }

    /// A person row's keys (the row passed the field rules).
    struct PersonKeys: Sendable {
        var rowNumber: Int64
        var personID: UUID
        var citizenID: String?
        /// The first nationality, which the person's crossings carry.
        var nationality: String
    }

    /// A document row's keys; `documentID` is the id it gets if accepted.
    struct DocumentKeys: Sendable {
        var rowNumber: Int64
        var personID: UUID
        var documentID: UUID
        var key: DocumentKey
    }

    /// A crossing row's keys.
    struct CrossingKeys: Sendable {
        var rowNumber: Int64
        var personID: UUID
        var requestID: UUID
        var document: DocumentKey
        var checkpointCode: String
    }

    /// What the database already holds of a batch's keys, read with one
    /// look-up per key kind (docs/records.md, "Bulk intake").
    struct Existing: Sendable {
        /// Persons among those the batch names, with their first nationality.
        var persons: [UUID: String] = [:]
        /// Citizen IDs among those of the batch's persons.
        var citizenIDs: Set<String> = []
        /// Documents among those the batch's documents and crossings name.
        var documents: [DocumentKey: (personID: UUID, documentID: UUID)] = [:]
        /// Crossings (person, request id) among those of the batch whose person existed before.
        var crossings: Set<CrossingKey> = []
        /// Checkpoint codes among those the batch's crossings name.
        var checkpoints: Set<String> = []
    }

    /// A crossing's idempotency key.
    struct CrossingKey: Hashable, Sendable {
        var personID: UUID
        var requestID: UUID
    }

    /// A row the data refuses.
    struct Rejection: Hashable, Sendable {
        var rowNumber: Int64
        var field: String
        var rule: String
        var message: String
    }

    /// A crossing to write: its row's index, the document it was made with
    /// and the traveller's first nationality.
    struct AcceptedCrossing: Hashable, Sendable {
        var index: Int
        var documentID: UUID
        var nationality: String
    }

    /// What a batch comes to: indices of the rows to write, and the rows refused.
    struct BatchVerdict: Sendable {
        var persons: [Int] = []
        var documents: [Int] = []
        var crossings: [AcceptedCrossing] = []
        var rejected: [Rejection] = []
    }

    /// Decides every row of a batch against what exists and what comes
    /// earlier in the batch (the only place these rules live: a batch that
    /// meets a concurrent writer's key is looked up and decided here again):
    /// persons —
    /// `duplicate` (loaded before), `duplicate_in_batch` (same person or
    /// citizen ID in an earlier row), `citizen_id_taken`; documents —
    /// `unknown_person`, `duplicate_in_batch`, `number_taken`; crossings —
    /// `unknown_document` (no such document of this person, loaded before or
    /// accepted in this batch), `known_checkpoint`, `duplicate_in_batch`,
    /// `duplicate` (loaded before).
    static func check(persons: [PersonKeys], documents: [DocumentKeys], crossings: [CrossingKeys],
                      existing: Existing) -> BatchVerdict {
        var verdict = BatchVerdict()
        func reject(_ row: Int64, _ field: String, _ rule: String, _ message: String) {
            verdict.rejected.append(Rejection(rowNumber: row, field: field, rule: rule, message: message))
        }

        var nationalities = existing.persons
        var seenPersons = Set<UUID>(), seenCitizenIDs = Set<String>()
        for (index, p) in persons.enumerated() {
            if existing.persons[p.personID] != nil {
                reject(p.rowNumber, "person.source_key", "duplicate", "this source row was loaded before")
                continue
            }
            let samePerson = !seenPersons.insert(p.personID).inserted
            var sameCitizen = false
            if let citizenID = p.citizenID { sameCitizen = !seenCitizenIDs.insert(citizenID).inserted }
            if samePerson || sameCitizen {
                reject(p.rowNumber, "person.source_key", "duplicate_in_batch", "the same person or citizen ID earlier in the batch")
                continue
            }
            if let citizenID = p.citizenID, existing.citizenIDs.contains(citizenID) {
                reject(p.rowNumber, "person.details.citizen_id", "citizen_id_taken", "the citizen ID belongs to another person")
                continue
            }
            verdict.persons.append(index)
            nationalities[p.personID] = p.nationality
        }

        var loaded = existing.documents
        var seenDocuments = Set<DocumentKey>()
        for (index, d) in documents.enumerated() {
            if nationalities[d.personID] == nil {
                reject(d.rowNumber, "document.person_source_key", "unknown_person", "no person of this source with that key")
                continue
            }
            if !seenDocuments.insert(d.key).inserted {
                reject(d.rowNumber, "document.details.reference.number", "duplicate_in_batch",
                       "the same document earlier in the batch")
                continue
            }
            if existing.documents[d.key] != nil {
                reject(d.rowNumber, "document.details.reference.number", "number_taken", "a document with this number exists")
                continue
            }
            verdict.documents.append(index)
            loaded[d.key] = (d.personID, d.documentID)
        }

        var seenCrossings = Set<CrossingKey>()
        for (index, c) in crossings.enumerated() {
            guard let document = loaded[c.document], document.personID == c.personID,
                  let nationality = nationalities[c.personID] else {
                reject(c.rowNumber, "crossing.document", "unknown_document", "no such document of this person loaded")
                continue
            }
            if !existing.checkpoints.contains(c.checkpointCode) {
                reject(c.rowNumber, "crossing.checkpoint_code", "known_checkpoint", "not in the reference data")
                continue
            }
            let key = CrossingKey(personID: c.personID, requestID: c.requestID)
            if !seenCrossings.insert(key).inserted {
                reject(c.rowNumber, "crossing", "duplicate_in_batch", "the same crossing earlier in the batch")
                continue
            }
            if existing.crossings.contains(key) {
                reject(c.rowNumber, "crossing", "duplicate", "this crossing was loaded before")
                continue
            }
            verdict.crossings.append(AcceptedCrossing(index: index, documentID: document.documentID, nationality: nationality))
        }
        return verdict
    }
}
