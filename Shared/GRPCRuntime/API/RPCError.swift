/// A bad field and the rule it broke, sent to the client as a
/// `google.rpc.BadRequest.FieldViolation` in the status details.
public struct FieldViolation: Sendable, Hashable {
    /// The field's path, such as `person.date_of_birth`.
    public var field: String
    /// The rule it broke, in words the integrator can act on.
    public var description: String

    public init(field: String, description: String) {
        self.field = field
        self.description = description
    }
}

/// The failure of one RPC: the status a handler throws and a client catches.
///
/// Field violations travel as `google.rpc.Status` details (`grpc-status-details-bin`),
/// so any gRPC client can decode them with its `grpc-status` helpers.
public struct RPCError: Error, Sendable, Hashable, CustomStringConvertible {
    public var code: StatusCode
    public var message: String
    public var fieldViolations: [FieldViolation]
    public var trailingMetadata: Metadata

    public init(_ code: StatusCode, _ message: String, fieldViolations: [FieldViolation] = [],
                trailingMetadata: Metadata = [:]) {
        self.code = code
        self.message = message
        self.fieldViolations = fieldViolations
        self.trailingMetadata = trailingMetadata
    }

    /// INVALID_ARGUMENT naming one field and the rule it broke.
    public static func invalidArgument(field: String, rule: String) -> RPCError {
        RPCError(.invalidArgument, "\(field): \(rule)",
                 fieldViolations: [FieldViolation(field: field, description: rule)])
    }

    public var description: String { "\(code.name): \(message)" }
}

/// An error that knows which gRPC status it is. Domain errors conform to pick
/// their status in one place; any other error reaches the client as INTERNAL
/// with a generic message, so that details cannot leak.
public protocol RPCErrorConvertible: Error {
    var rpcError: RPCError { get }
}

extension RPCError {
    /// The status an arbitrary error becomes on the wire.
    static func from(_ error: any Error) -> RPCError {
        switch error {
        case let error as RPCError: return error
        case let error as any RPCErrorConvertible: return error.rpcError
        case is CancellationError: return RPCError(.cancelled, "call cancelled")
        default: return RPCError(.internalError, "internal error")
        }
    }
}
