import Logging

/// What a handler knows about its call besides the request: the method, the
/// request headers, the deadline, the verified caller, a logger carrying the
/// trace id, and where to put response headers and trailers.
public struct ServerContext: Sendable {
    public let method: MethodDescriptor
    public let requestMetadata: Metadata
    /// When the client stops waiting; the handler's Task is cancelled then.
    public let deadline: ContinuousClock.Instant?
    /// The verified caller; `nil` when the peer presented no usable identity.
    public let caller: CallerIdentity?
    /// The server's logger with `rpc.method` and `trace.id` set.
    public var logger: Logger
    /// The W3C trace id (32 hex digits) of this call, from `traceparent` or new.
    public let traceID: String
    /// Response headers and trailers the handler wants sent.
    public let response: ResponseMetadata
    /// The peer's address as the core reports it, such as `ipv4:127.0.0.1:50412`.
    public let peer: String

    public init(method: MethodDescriptor, requestMetadata: Metadata = [:],
                deadline: ContinuousClock.Instant? = nil, caller: CallerIdentity? = nil,
                logger: Logger, traceID: String, response: ResponseMetadata = ResponseMetadata(),
                peer: String = "") {
        self.method = method
        self.requestMetadata = requestMetadata
        self.deadline = deadline
        self.caller = caller
        self.logger = logger
        self.traceID = traceID
        self.response = response
        self.peer = peer
    }

    /// Time left before the deadline, `nil` when there is none.
    public var timeRemaining: Duration? {
        deadline.map { ContinuousClock.now.duration(to: $0) }
    }
}
