import GRPCRuntime
import Postgres

/// TEMPORARY: PostgreSQL error → gRPC status, until Shared/ServiceHost maps
/// them in one place; the lead deletes this file then (and `handle` calls
/// the host's mapping). Messages stay generic: server messages quote data.
enum RecordsPostgresStatus {
    static func rpcError(for error: PostgresError) -> RPCError {
        switch error.category {
        case .uniqueViolation: RPCError(.alreadyExists, "already exists")
        case .checkViolation, .notNullViolation, .invalidInput, .exclusionViolation:
            RPCError(.invalidArgument, "a rule of the schema refused the value")
        case .foreignKeyViolation: RPCError(.failedPrecondition, "a referenced record is missing")
        case .serializationFailure, .deadlock: RPCError(.aborted, "concurrent change; retry")
        case .unavailable: RPCError(.unavailable, "database unavailable")
        case .statementTimeout: RPCError(.deadlineExceeded, "database statement timed out")
        case .lockNotAvailable: RPCError(.aborted, "record locked; retry")
        case .readOnly: RPCError(.unavailable, "database is read-only")
        case .resourceExhausted: RPCError(.resourceExhausted, "database resources exhausted")
        case .insufficientPrivilege, .invalidStatement, .other: RPCError(.internalError, "internal error")
        }
    }
}
