import GRPCRuntime
import Postgres

/// The one place where database failures become gRPC statuses, so that
/// handlers just throw what the storage layer threw. Messages are generic:
/// PostgreSQL's own text may quote data values and never reaches a caller.
///
/// Decision (docs/service-host.md): a CHECK, NOT NULL or data (class 22)
/// violation is INVALID_ARGUMENT, since it is about the values sent whatever the
/// stored state (handlers validate first, so reaching it means a rule the
/// validation missed); the constraint's name is given so the field can be found.
/// Foreign keys and exclusion constraints depend on other rows: FAILED_PRECONDITION.
extension PostgresError: RPCErrorConvertible {
    public var rpcError: RPCError {
        switch category {
        case .uniqueViolation:
            return RPCError(.alreadyExists, "a record with the same key already exists" + constraintSuffix)
        case .checkViolation, .notNullViolation:
            return RPCError(.invalidArgument, "a value breaks a storage rule" + constraintSuffix)
        case .invalidInput:
            return RPCError(.invalidArgument, "a value cannot be stored (out of range or malformed)" + columnSuffix)
        case .foreignKeyViolation:
            return RPCError(.failedPrecondition, "a referenced record is missing or still referenced" + constraintSuffix)
        case .exclusionViolation:
            return RPCError(.failedPrecondition, "the record conflicts with an existing one" + constraintSuffix)
        case .unavailable, .readOnly, .resourceExhausted:
            return RPCError(.unavailable, "the database is unavailable; try again later")
        case .serializationFailure, .deadlock, .lockNotAvailable:
            return RPCError(.aborted, "the operation conflicted with a concurrent one; try again")
        case .statementTimeout:
            return RPCError(.deadlineExceeded, "the database did not answer in time")
        case .insufficientPrivilege, .invalidStatement, .other:
            return RPCError(.internalError, "internal error")
        }
    }

    private var constraintSuffix: String { constraintName.map { " (constraint \($0))" } ?? "" }
    private var columnSuffix: String { columnName.map { " (column \($0))" } ?? "" }
}
