import CGRPC

/// The status a client received, with its trailers.
struct ReceivedStatus: Sendable {
    var code: StatusCode
    var message: String
    var trailingMetadata: Metadata

    var error: RPCError? {
        guard code != .ok else { return nil }
        let details = trailingMetadata.firstBinary(StatusDetails.metadataKey)
        let violations = details.flatMap { StatusDetails.decode($0)?.fieldViolations } ?? []
        return RPCError(code, message, fieldViolations: violations, trailingMetadata: trailingMetadata)
    }
}

/// What a completed batch brought back.
struct BatchResult: Sendable {
    /// Whether the core ran every operation of the batch.
    var success: Bool
    /// Set when `grpc_call_start_batch` refused the batch (the tag never completes).
    var startError: grpc_call_error?
    var initialMetadata: Metadata?
    /// `nil` when no message was asked for or the stream ended.
    var message: [UInt8]?
    var status: ReceivedStatus?
    var cancelled = false
}
