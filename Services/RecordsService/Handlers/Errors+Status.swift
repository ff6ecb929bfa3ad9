import GRPCRuntime

// Which gRPC status each domain error is (docs/records.md, "Errors").

extension ValidationError: RPCErrorConvertible {
    var rpcError: RPCError {
        RPCError(.invalidArgument, "\(field): \(rule)",
                 fieldViolations: [FieldViolation(field: field, description: "\(rule): \(message)")])
    }
}

extension ValidationErrors: RPCErrorConvertible {
    var rpcError: RPCError {
        RPCError(.invalidArgument, errors.map { "\($0.field): \($0.rule)" }.joined(separator: "; "),
                 fieldViolations: errors.map { FieldViolation(field: $0.field, description: "\($0.rule): \($0.message)") })
    }
}

extension DocumentLifecycle.Refusal: RPCErrorConvertible {
    var rpcError: RPCError { RPCError(.failedPrecondition, "\(rule): \(message)") }
}

extension ExitBanTerm.LiftRefusal: RPCErrorConvertible {
    var rpcError: RPCError { RPCError(.failedPrecondition, "\(rule): \(message)") }
}

extension FeedPosition.Purged: RPCErrorConvertible {
    var rpcError: RPCError {
        RPCError(.outOfRange, "after_position: retained: events through position \"\(FeedPosition.token(purgedThrough))\" "
                 + "were purged; the oldest available event follows it: re-read the state you need, then resume with "
                 + "after_position \"\(FeedPosition.token(purgedThrough))\"")
    }
}

extension StoreError: RPCErrorConvertible {
    var rpcError: RPCError {
        switch self {
        case .notFound(let what): RPCError(.notFound, "\(what) not found")
        case .alreadyExists(let what): RPCError(.alreadyExists, what)
        case .staleVersion(let current): RPCError(.aborted, "expected_version is stale; the current version is \(current)")
        case .contended(let what): RPCError(.aborted, "\(what); send it again")
        case .overloaded: RPCError(.unavailable, "too many calls are waiting for this read; retry with backoff")
        case .refused(let rule, let message): RPCError(.failedPrecondition, "\(rule): \(message)")
        case .invalid(let field, let rule, let message):
            RPCError(.invalidArgument, "\(field): \(rule)", fieldViolations: [FieldViolation(field: field, description: "\(rule): \(message)")])
        }
    }
}
