import Contracts
import Foundation
import Postgres

/// Exit bans (Law 49/2019 Art 36-37; Law 47/2014 Art 28). Placing one
/// withdraws the person's usable entry and exit permits in the same
/// transaction (Q679 Art 7.1; brief, reading 7). Lifting fills the lifting
/// columns once and restores nothing.
struct ExitBanStore: Sendable {
    let pool: PostgresPool
    let documents: DocumentStore

    init(pool: PostgresPool, documents: DocumentStore) {
        self.pool = pool
        self.documents = documents
    }

    func place(requestID: UUID, request: [UInt8], personID: UUID, decidingAuthority: String, legalBasis: String,
               term: ExitBanTerm, provenance: ProvenanceInput) async throws -> Immigration_Records_V1_PlaceExitBanResponse {
        try await pool.idempotentWrite(personID: personID, requestID: requestID, rpc: "PlaceExitBan", request: request) { tx in
            // The person row lock orders this ban against concurrent status changes of the person's permits.
            let person = try await tx.query("SELECT 1 FROM persons WHERE person_id = \(personID) FOR UPDATE")
            guard person.count == 1 else { throw StoreError.notFound("person") }
            let banID = UUID()
            let source = provenance.source.rawValue
            _ = try await tx.query("""
                INSERT INTO exit_bans (person_id, exit_ban_id, deciding_authority, legal_basis, starts_on, ends_on,
                    placed_source, placed_unit_code, placed_actor_id)
                VALUES (\(personID), \(banID), \(decidingAuthority), \(legalBasis), \(term.startsOn.postgres),
                    \(term.endsOn?.postgres), \(source), \(provenance.unitCode), \(provenance.actorID))
                """)
            let holdings = try await tx.query("""
                SELECT document_id, kind, status, version FROM documents
                WHERE person_id = \(personID) AND kind = 'entry_exit_permit' ORDER BY document_id FOR UPDATE
                """)
            var versions: [UUID: (DocumentStatus, Int64)] = [:]
            var facts: [PermitWithdrawal.Holding] = []
            for row in holdings {
                let (id, kind, status, version) = try row.decode((UUID, String, String, Int64).self)
                guard let kind = DocumentKind(rawValue: kind), let status = DocumentStatus(rawValue: status) else { continue }
                versions[id] = (status, version)
                facts.append(.init(documentID: id.text, kind: kind, status: status))
            }
            var withdrawn: [Immigration_Records_V1_Document] = []
            for idText in PermitWithdrawal.documentsToWithdraw(facts) {
                guard let id = UUID(canonicalText: idText), let (status, version) = versions[id] else { continue }
                let changed = try await documents.applyStatus(
                    tx, personID: personID, documentID: id, from: status, to: .withdrawn, version: version,
                    reason: PermitWithdrawal.reason(exitBanID: banID.text), exitBanID: banID, provenance: provenance)
                withdrawn.append(changed.document ?? .init())
            }
            let ban = try await read(tx, personID: personID, exitBanID: banID)
            try await tx.appendChange(.exitBanPlaced, personID: personID, payload: .exitBan(ban))
            return .with { $0.exitBan = ban; $0.withdrawnDocuments = withdrawn }
        }
    }

    func lift(requestID: UUID, request: [UInt8], personID: UUID, exitBanID: UUID, effectiveOn: CalendarDay,
              decidingAuthority: String, legalBasis: String,
              provenance: ProvenanceInput) async throws -> Immigration_Records_V1_LiftExitBanResponse {
        try await pool.idempotentWrite(personID: personID, requestID: requestID, rpc: "LiftExitBan", request: request) { tx in
            let rows = try await tx.query("""
                SELECT \(unsafeRaw: ExitBanRows.columns) FROM exit_bans b
                WHERE b.person_id = \(personID) AND b.exit_ban_id = \(exitBanID) FOR UPDATE OF b
                """)
            guard let row = rows.first else { throw StoreError.notFound("exit ban") }
            _ = try ExitBanRows.term(row).lifted(from: effectiveOn)
            _ = try await tx.query("""
                UPDATE exit_bans SET lifted_on = \(effectiveOn.postgres), lifted_deciding_authority = \(decidingAuthority),
                    lifted_legal_basis = \(legalBasis), lifted_source = \(provenance.source.rawValue),
                    lifted_unit_code = \(provenance.unitCode), lifted_actor_id = \(provenance.actorID), lifted_at = now()
                WHERE person_id = \(personID) AND exit_ban_id = \(exitBanID)
                """)
            let ban = try await read(tx, personID: personID, exitBanID: exitBanID)
            try await tx.appendChange(.exitBanLifted, personID: personID, payload: .exitBan(ban))
            return .with { $0.exitBan = ban }
        }
    }

    func read(_ tx: PostgresTransaction, personID: UUID, exitBanID: UUID) async throws -> Immigration_Records_V1_ExitBan {
        let rows = try await tx.query("""
            SELECT \(unsafeRaw: ExitBanRows.columns) FROM exit_bans b
            WHERE b.person_id = \(personID) AND b.exit_ban_id = \(exitBanID)
            """)
        guard let row = rows.first else { throw StoreError.notFound("exit ban") }
        return try ExitBanRows.exitBan(row)
    }
}
