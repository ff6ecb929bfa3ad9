import Contracts
import Foundation
import GRPCRuntime
import Logging
import Postgres

/// The service's schema `records` behind one pool: migrations, and the two
/// things every write shares — the outbox row written in the change's own
/// transaction (docs/records.md, "Change feed") and the request log that makes
/// retries idempotent ("Idempotency").
struct RecordsDatabase: Sendable {
    let pool: PostgresPool
    let logger: Logger

    /// Applies the bundled migrations (`migrate` subcommand, and at start) to
    /// `schema`, which is the pool's role's schema and search_path.
    func migrate(schema: String = "records") async throws -> [Migration] {
        let migrations = try MigrationFiles.migrations(schema: schema)
        return try await MigrationRunner(schema: schema, migrations: migrations, logger: logger).run(on: pool)
    }
}

/// The change types as the outbox's `change_type` column holds them.
enum ChangeKind: String, Sendable {
    case personCreated = "person_created"
    case personUpdated = "person_updated"
    case documentIssued = "document_issued"
    case documentStatusChanged = "document_status_changed"
    case crossingRecorded = "crossing_recorded"
    case exitBanPlaced = "exit_ban_placed"
    case exitBanLifted = "exit_ban_lifted"

    var proto: Immigration_Records_V1_ChangeType {
        switch self {
        case .personCreated: .personCreated
        case .personUpdated: .personUpdated
        case .documentIssued: .documentIssued
        case .documentStatusChanged: .documentStatusChanged
        case .crossingRecorded: .crossingRecorded
        case .exitBanPlaced: .exitBanPlaced
        case .exitBanLifted: .exitBanLifted
        }
    }

    /// The event as the outbox stores it: position and time are left empty,
    /// the feed fills them in when it reads the row (FeedStore).
    func event(personID: UUID, payload: Immigration_Records_V1_ChangeEvent.OneOf_Payload) -> Immigration_Records_V1_ChangeEvent {
        var event = Immigration_Records_V1_ChangeEvent()
        event.type = proto
        event.personID = personID.text
        event.payload = payload
        return event
    }

    init?(proto: Immigration_Records_V1_ChangeType) {
        switch proto {
        case .personCreated: self = .personCreated
        case .personUpdated: self = .personUpdated
        case .documentIssued: self = .documentIssued
        case .documentStatusChanged: self = .documentStatusChanged
        case .crossingRecorded: self = .crossingRecorded
        case .exitBanPlaced: self = .exitBanPlaced
        case .exitBanLifted: self = .exitBanLifted
        default: return nil
        }
    }
}

extension PostgresTransaction {
    /// Appends a change to the outbox in this transaction and wakes the
    /// sequencer at commit (NOTIFY is delivered only if the transaction commits).
    /// Every change the feed publishes changes what GetPerson shows of the
    /// person, so the same statement makes their kept answer unusable
    /// (`ReadyAnswers`). The outbox's two other writers do the same:
    /// RecordCrossing's statement and the intake's batches.
    func appendChange(_ kind: ChangeKind, personID: UUID, payload: Immigration_Records_V1_ChangeEvent.OneOf_Payload) async throws {
        let bytes = try kind.event(personID: personID, payload: payload).serializedBytes()
        _ = try await query("""
            WITH event AS (
                INSERT INTO outbox (person_id, change_type, payload) VALUES (\(personID), \(kind.rawValue), \(bytes))
                RETURNING person_id),
            \(unsafeRaw: ReadyAnswers.invalidation(named: "ready", of: "event"))
            SELECT count(*) FROM event
            """)
        _ = try await query("SELECT pg_notify('records_outbox', '')")
    }

    /// Claims `(personID, requestID)` in the request log. Returns nil when
    /// this transaction is the first (write the change, then `completeRequest`);
    /// otherwise the first call's stored response, after it committed. The same
    /// id with other content is ALREADY_EXISTS.
    func claimRequest(personID: UUID, requestID: UUID, rpc: String, request: [UInt8]) async throws -> [UInt8]? {
        let inserted = try await query("""
            INSERT INTO request_log (person_id, request_id, rpc, request_fingerprint, response)
            VALUES (\(personID), \(requestID), \(rpc), sha256(\(request)), '\\x'::bytea)
            ON CONFLICT (person_id, request_id) DO NOTHING RETURNING 1
            """)
        if inserted.count == 1 { return nil }
        let rows = try await query("""
            SELECT rpc, request_fingerprint = sha256(\(request)), response FROM request_log
            WHERE person_id = \(personID) AND request_id = \(requestID)
            """)
        guard let row = rows.first else { throw StoreError.alreadyExists("request_id is in use") }
        let (storedRPC, same, response) = try row.decode((String, Bool, [UInt8]).self)
        guard storedRPC == rpc, same else {
            throw StoreError.alreadyExists("request_id was already used for another request")
        }
        return response
    }

    /// Stores the response of the request claimed in this transaction.
    func completeRequest(personID: UUID, requestID: UUID, response: [UInt8]) async throws {
        _ = try await query("""
            UPDATE request_log SET response = \(response) WHERE person_id = \(personID) AND request_id = \(requestID)
            """)
    }
}

extension PostgresPool {
    /// Runs a person-scoped idempotent write: the first call runs `body` and
    /// stores its response with the request's fingerprint in the same
    /// transaction; a retry (also one racing the first) gets that response.
    func idempotentWrite<Response: WireMessage & Sendable>(
        personID: UUID, requestID: UUID, rpc: String, request: [UInt8],
        _ body: @Sendable (PostgresTransaction) async throws -> Response
    ) async throws -> Response {
        try await transaction { tx in
            if let stored = try await tx.claimRequest(personID: personID, requestID: requestID, rpc: rpc, request: request) {
                return try Response(serializedBytes: stored)
            }
            let response = try await body(tx)
            try await tx.completeRequest(personID: personID, requestID: requestID, response: try response.serializedBytes())
            return response
        }
    }
}
