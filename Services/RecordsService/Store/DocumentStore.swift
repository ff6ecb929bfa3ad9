import Contracts
import Foundation
import Logging
import Postgres

/// Documents and their status history (D77 Art 4.1b, 6.2). Numbers are kept
/// unique across persons by `document_numbers` (docs/scaling.md); every status
/// change appends to `document_status_changes`.
struct DocumentStore: Sendable {
    let pool: PostgresPool
    /// Reads of the hot paths (GetPerson, the eligibility check), in libpq's
    /// pipeline mode: concurrent callers' statements share round trips.
    let reads: PostgresPipeline

    /// The eligibility checks of concurrent callers, read together (`CoalescedReads`).
    let eligibility: CoalescedReads<Selector, EligibilityFacts?>

    init(pool: PostgresPool) {
        self.pool = pool
        let reads = pool.makePipeline(connections: 1, logger: Logger(label: "records.documents"))
        self.reads = reads
        eligibility = CoalescedReads(
            batch: { try await Self.eligibilityFacts(of: $0, reads: reads) },
            single: { try await Self.eligibilityFacts($0, reads: reads) })
    }

    /// How a document is named: by ids, or by what is printed on it.
    enum Selector: Sendable, Hashable {
        case key(personID: UUID, documentID: UUID)
        case reference(kind: DocumentKind, number: String, issuingState: String)
    }

    /// `SELECT columns` of the document a selector names, as `documents d`
    /// (by number through `document_numbers n`), with `joins` added; both
    /// texts are made once, the binds at each call.
    struct SelectorStatement: Sendable {
        let byKey: String
        let byReference: String

        init(_ columns: String, joins: String = "") {
            byKey = """
                SELECT \(columns) FROM documents d \(joins)
                WHERE d.person_id = $1 AND d.document_id = $2
                """
            byReference = """
                SELECT \(columns) FROM document_numbers n
                JOIN documents d ON d.person_id = n.person_id AND d.document_id = n.document_id \(joins)
                WHERE n.number = $1 AND n.issuing_state = $2::char(3) AND n.kind = $3
                """
        }

        /// The same for many selectors of one form at once: `unnest` of arrays
        /// `WITH ORDINALITY`, each row with its selector's position (`ordinal`,
        /// from 1) last; a selector that names no document has no row.
        var batchByKey: String { Self.batch(byKey, from: "FROM documents d", keys: """
            FROM unnest($1::uuid[], $2::uuid[]) WITH ORDINALITY AS q(person_id, document_id, ordinal)
            JOIN documents d ON d.person_id = q.person_id AND d.document_id = q.document_id
            """, condition: "WHERE d.person_id = $1 AND d.document_id = $2") }
        var batchByReference: String { Self.batch(byReference, from: "FROM document_numbers n", keys: """
            FROM unnest($1::text[], $2::text[], $3::text[]) WITH ORDINALITY AS q(number, issuing_state, kind, ordinal)
            JOIN document_numbers n ON n.number = q.number AND n.issuing_state = q.issuing_state::char(3) AND n.kind = q.kind
            """, condition: "WHERE n.number = $1 AND n.issuing_state = $2::char(3) AND n.kind = $3") }

        private static func batch(_ single: String, from: String, keys: String, condition: String) -> String {
            precondition(single.contains(from) && single.contains(condition))
            return single.replacingOccurrences(of: condition, with: "")
                .replacingOccurrences(of: from, with: keys)
                .replacingOccurrences(of: "SELECT ", with: "SELECT q.ordinal, ", options: .anchored)
        }

        func query(_ selector: Selector) -> PostgresQuery {
            var bindings = PostgresBindings()
            switch selector {
            case .key(let personID, let documentID):
                bindings.append(personID)
                bindings.append(documentID)
                return PostgresQuery(unsafeSQL: byKey, bindings: bindings)
            case .reference(let kind, let number, let state):
                bindings.append(number)
                bindings.append(state)
                bindings.append(kind.rawValue)
                return PostgresQuery(unsafeSQL: byReference, bindings: bindings)
            }
        }
    }

    private static let ids = SelectorStatement("d.person_id, d.document_id")

    /// The ids of the document a selector names, or nil.
    func resolve(_ selector: Selector, in tx: PostgresTransaction? = nil) async throws -> (personID: UUID, documentID: UUID)? {
        let query = Self.ids.query(selector)
        let rows: PostgresRows
        if let tx { rows = try await tx.query(query) } else { rows = try await reads.query(query) }
        guard let row = rows.first else { return nil }
        let (p, d) = try row.decode((UUID, UUID).self)
        return (p, d)
    }

    /// What the eligibility check reads of a document: its status and dates,
    /// and its holder's unlifted exit bans.
    struct EligibilityFacts: Sendable {
        /// The contract's text form (read as such: no `UUID` and `uuidString` per call).
        var personID: String
        var documentID: String
        /// As stored; nil if the stored kind or status is not one this build knows.
        var document: CrossingEligibility.DocumentFacts?
        var status: Immigration_Common_V1_DocumentStatus
        var validUntil: CalendarDay
        var unliftedBans: [CrossingEligibility.BanFacts]
    }

    /// The document a selector names with its holder's unlifted bans, in one
    /// statement (`document_numbers` and `documents` by their keys, the bans by
    /// `exit_bans_not_lifted`); nil when no such document is held.
    /// Concurrent callers' selectors are read together, one statement for
    /// many (`CoalescedReads`); the answer is the one-statement read's.
    func eligibilityFacts(_ selector: Selector) async throws -> EligibilityFacts? {
        try await eligibility.read(selector)
    }

    /// One selector's facts by the statement of one call.
    static func eligibilityFacts(_ selector: Selector, reads: PostgresPipeline) async throws -> EligibilityFacts? {
        let rows = try await reads.query(eligibilityStatement.query(selector))
        return try rows.first.map { try facts(ListedRow(row: $0, list: eligibilityList)) }
    }

    /// Many selectors' facts by one statement per form (ids, printed
    /// reference), in one round trip; one answer per selector, in order.
    static func eligibilityFacts(of selectors: [Selector], reads: PostgresPipeline)
        async throws -> CoalescedReads<Selector, EligibilityFacts?>.Decode {
        var byKey: [(person: UUID, document: UUID, at: Int)] = []
        var byReference: [(kind: String, number: String, state: String, at: Int)] = []
        for (index, selector) in selectors.enumerated() {
            switch selector {
            case .key(let personID, let documentID): byKey.append((personID, documentID, index))
            case .reference(let kind, let number, let state): byReference.append((kind.rawValue, number, state, index))
            }
        }
        var statements: [PostgresQuery] = [], positions: [[Int]] = []
        if !byKey.isEmpty {
            var bindings = PostgresBindings()
            bindings.append(byKey.map(\.person))
            bindings.append(byKey.map(\.document))
            statements.append(PostgresQuery(unsafeSQL: batchByKey, bindings: bindings))
            positions.append(byKey.map(\.at))
        }
        if !byReference.isEmpty {
            var bindings = PostgresBindings()
            bindings.append(byReference.map(\.number))
            bindings.append(byReference.map(\.state))
            bindings.append(byReference.map(\.kind))
            statements.append(PostgresQuery(unsafeSQL: batchByReference, bindings: bindings))
            positions.append(byReference.map(\.at))
        }
        // Read-only statements: sent together as one transaction is one round trip and one snapshot each.
        let results = try await reads.transaction(statements)
        let count = selectors.count, placed = positions
        return { try decode(results, positions: placed, count: count) }
    }

    /// A batch's results (one per form) as one answer per selector.
    private static func decode(_ results: [PostgresRows], positions: [[Int]],
                               count: Int) throws -> [Result<EligibilityFacts?, any Error>] {
        var answers = [Result<EligibilityFacts?, any Error>](repeating: .success(nil), count: count)
        for (rows, positions) in zip(results, positions) {
            for row in rows {
                // A row that cannot be placed fails the batch: every selector is then read alone.
                let at = try BatchOrdinal.position(row, count: positions.count)
                answers[positions[at]] = Result { try facts(ListedRow(row: row, list: eligibilityList, offset: 1)) }
            }
        }
        return answers
    }

    private static let batchByKey = eligibilityStatement.batchByKey
    private static let batchByReference = eligibilityStatement.batchByReference

    /// A row of the eligibility statement (alone or in a batch) as facts.
    private static func facts(_ row: ListedRow) throws -> EligibilityFacts {
        let validFrom = CalendarDay(try row.value("valid_from", as: PostgresDate.self))
        let validUntil = CalendarDay(try row.value("valid_until", as: PostgresDate.self))
        let kind = DocumentKind(rawValue: try row.value("kind", as: String.self))
        let status = DocumentStatus(rawValue: try row.value("status", as: String.self))
        var facts: CrossingEligibility.DocumentFacts?
        if let kind, let status { facts = .init(kind: kind, status: status, validFrom: validFrom, validUntil: validUntil) }
        return EligibilityFacts(
            personID: try row.uuidText("person_id"), documentID: try row.uuidText("document_id"), document: facts,
            status: status.map { .init(rule: $0) } ?? .unspecified, validUntil: validUntil,
            unliftedBans: try row.value("bans", as: RecordArray.self).records(Self.banFacts).map {
                .init(exitBanID: try $0.uuidText("exit_ban_id"), term: try ExitBanRows.term($0))
            })
    }

    /// An exit ban's id and term, as the eligibility check weighs it.
    static let banFacts = SelectList("b.exit_ban_id, b.starts_on, b.ends_on, b.lifted_on")

    /// The eligibility statement's columns, read through this list's index.
    private static let eligibilityList = SelectList("""
        d.person_id, d.document_id, d.kind, d.status, d.valid_from, d.valid_until, \
        ARRAY(SELECT \(banFacts.record) FROM exit_bans b WHERE b.person_id = d.person_id AND b.lifted_on IS NULL) AS bans
        """)
    private static let eligibilityStatement = SelectorStatement(eligibilityList.columns)

    /// Registers an issued document, with its number claim, issuance status
    /// change (version 1), request log and outbox event.
    func issue(requestID: UUID, request: [UInt8], personID: UUID, details: DocumentDetails,
               provenance: ProvenanceInput) async throws -> Immigration_Records_V1_IssueDocumentResponse {
        do {
            return try await pool.idempotentWrite(personID: personID, requestID: requestID, rpc: "IssueDocument",
                                                  request: request) { tx in
                let person = try await tx.query("SELECT 1 FROM persons WHERE person_id = \(personID) FOR SHARE")
                guard person.count == 1 else { throw StoreError.notFound("person") }
                let documentID = UUID()
                let source = provenance.source.rawValue
                _ = try await tx.query("""
                    INSERT INTO documents (person_id, document_id, kind, number, issuing_state, symbol, has_chip,
                        issuing_authority, issued_on, valid_from, valid_until, status, status_source, status_unit_code,
                        status_actor_id, created_source, created_unit_code, created_actor_id)
                    VALUES (\(personID), \(documentID), \(details.kind.rawValue), \(details.number), \(details.issuingState),
                        \(details.symbol), \(details.hasChip), \(details.issuingAuthority), \(details.issuedOn.postgres),
                        \(details.validFrom.postgres), \(details.validUntil.postgres), 'issued', \(source),
                        \(provenance.unitCode), \(provenance.actorID), \(source), \(provenance.unitCode), \(provenance.actorID))
                    """)
                _ = try await tx.query("""
                    INSERT INTO document_numbers (number, issuing_state, kind, person_id, document_id)
                    VALUES (\(details.number), \(details.issuingState), \(details.kind.rawValue), \(personID), \(documentID))
                    """)
                _ = try await tx.query("""
                    INSERT INTO document_status_changes (person_id, document_id, version, from_status, to_status,
                        written_source, written_unit_code, written_actor_id)
                    VALUES (\(personID), \(documentID), 1, NULL, 'issued', \(source), \(provenance.unitCode), \(provenance.actorID))
                    """)
                let document = try await read(tx, personID: personID, documentID: documentID)
                try await tx.appendChange(.documentIssued, personID: personID, payload: .document(document))
                return .with { $0.document = document }
            }
        } catch let error as PostgresError where error.isUniqueViolation
                    && (error.tableName == "document_numbers" || error.tableName == "documents") {
            throw StoreError.alreadyExists("a document with this number, kind and issuing state exists")
        }
    }

    /// Moves a document to `target` if the state table allows it.
    func changeStatus(requestID: UUID, request: [UInt8], personID: UUID, documentID: UUID, target: DocumentStatus,
                      reason: String, expectedVersion: Int64?,
                      provenance: ProvenanceInput) async throws -> Immigration_Records_V1_ChangeDocumentStatusResponse {
        try await pool.idempotentWrite(personID: personID, requestID: requestID, rpc: "ChangeDocumentStatus",
                                       request: request) { tx in
            let rows = try await tx.query("""
                SELECT d.kind, d.issuing_state::text, d.valid_until, d.status, d.version, d.issued_on,
                    EXISTS (SELECT 1 FROM documents n WHERE n.person_id = d.person_id AND n.kind = d.kind
                            AND n.document_id <> d.document_id AND n.issued_on >= d.issued_on) AS superseded
                FROM documents d WHERE d.person_id = \(personID) AND d.document_id = \(documentID) FOR UPDATE
                """)
            guard let row = rows.first else { throw StoreError.notFound("document") }
            let (kindText, state, validUntil, statusText, version, _, superseded) =
                try row.decode((String, String, PostgresDate, String, Int64, PostgresDate, Bool).self)
            if let expectedVersion, expectedVersion != version { throw StoreError.staleVersion(current: version) }
            guard let kind = DocumentKind(rawValue: kindText), let status = DocumentStatus(rawValue: statusText) else {
                throw StoreError.refused(rule: "unknown_state", message: "the stored document has an unknown kind or status")
            }
            try DocumentLifecycle.check(from: status, to: target, facts: .init(
                kind: kind, issuingState: state, validUntil: CalendarDay(validUntil), today: .today,
                supersededByNewerPassport: superseded))
            return try await applyStatus(tx, personID: personID, documentID: documentID, from: status, to: target,
                                         version: version, reason: reason, exitBanID: nil, provenance: provenance)
        }
    }

    /// Writes a status change the caller has decided on (also permit withdrawals).
    func applyStatus(_ tx: PostgresTransaction, personID: UUID, documentID: UUID, from: DocumentStatus, to: DocumentStatus,
                     version: Int64, reason: String, exitBanID: UUID?,
                     provenance: ProvenanceInput) async throws -> Immigration_Records_V1_ChangeDocumentStatusResponse {
        let source = provenance.source.rawValue
        _ = try await tx.query("""
            UPDATE documents SET status = \(to.rawValue), status_reason = \(reason), status_source = \(source),
                status_unit_code = \(provenance.unitCode), status_actor_id = \(provenance.actorID), status_changed_at = now(),
                version = version + 1
            WHERE person_id = \(personID) AND document_id = \(documentID)
            """)
        _ = try await tx.query("""
            INSERT INTO document_status_changes (person_id, document_id, version, from_status, to_status, reason,
                exit_ban_id, written_source, written_unit_code, written_actor_id)
            VALUES (\(personID), \(documentID), \(version + 1), \(from.rawValue), \(to.rawValue), \(reason), \(exitBanID),
                \(source), \(provenance.unitCode), \(provenance.actorID))
            """)
        let document = try await read(tx, personID: personID, documentID: documentID)
        let changes = try await tx.query("""
            SELECT \(unsafeRaw: DocumentRows.changeColumns) FROM document_status_changes c
            WHERE c.person_id = \(personID) AND c.document_id = \(documentID) AND c.version = \(version + 1)
            """)
        let change = try DocumentRows.change(changes[0])
        try await tx.appendChange(.documentStatusChanged, personID: personID,
                                  payload: .documentStatusChanged(.with { $0.document = document; $0.change = change }))
        return .with { $0.document = document; $0.change = change }
    }

    func read(_ tx: PostgresTransaction, personID: UUID, documentID: UUID) async throws -> Immigration_Records_V1_Document {
        let rows = try await tx.query("""
            SELECT \(unsafeRaw: DocumentRows.columns) FROM documents d
            WHERE d.person_id = \(personID) AND d.document_id = \(documentID)
            """)
        guard let row = rows.first else { throw StoreError.notFound("document") }
        return try DocumentRows.document(row)
    }

    /// A document with its status history, oldest change first (one query:
    /// the document's columns repeat on each of its few changes).
    func get(personID: UUID, documentID: UUID) async throws -> Immigration_Records_V1_GetDocumentResponse? {
        let rows = try await reads.query("""
            SELECT \(unsafeRaw: DocumentRows.columns), \(unsafeRaw: DocumentRows.changeColumns)
            FROM documents d
            LEFT JOIN document_status_changes c ON c.person_id = d.person_id AND c.document_id = d.document_id
            WHERE d.person_id = \(personID) AND d.document_id = \(documentID) ORDER BY c.version
            """)
        guard let row = rows.first else { return nil }
        var response = Immigration_Records_V1_GetDocumentResponse()
        response.document = try DocumentRows.document(row)
        response.statusHistory = try rows.filter { try $0.value("to_status", as: String?.self) != nil }.map(DocumentRows.change)
        return response
    }

    /// A person's documents, newest issue first, filtered by kind and status.
    func list(personID: UUID, kinds: [DocumentKind], statuses: [DocumentStatus], offset: Int,
              limit: Int) async throws -> [Immigration_Records_V1_Document] {
        let rows = try await reads.query("""
            SELECT \(unsafeRaw: DocumentRows.columns) FROM documents d
            WHERE d.person_id = \(personID)
              AND (cardinality(\(kinds.map(\.rawValue))::text[]) = 0 OR d.kind = ANY(\(kinds.map(\.rawValue))::text[]))
              AND (cardinality(\(statuses.map(\.rawValue))::text[]) = 0 OR d.status = ANY(\(statuses.map(\.rawValue))::text[]))
            ORDER BY d.issued_on DESC, d.created_at DESC, d.document_id OFFSET \(offset) LIMIT \(limit)
            """)
        return try rows.map(DocumentRows.document)
    }
}
