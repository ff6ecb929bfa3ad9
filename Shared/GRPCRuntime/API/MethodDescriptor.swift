/// The four kinds of RPC that gRPC knows, by whether each side streams.
public enum RPCKind: Sendable, Hashable {
    /// One request, one response.
    case unary
    /// One request, a stream of responses.
    case serverStreaming
    /// A stream of requests, one response.
    case clientStreaming
    /// Streams both ways.
    case bidirectionalStreaming
}

/// Names one RPC: the fully qualified service, the method and its kind.
///
/// Generated contracts declare one per RPC; the server registers handlers and
/// the authorisation policy by it, and clients call through it.
public struct MethodDescriptor: Sendable, Hashable, CustomStringConvertible {
    /// The fully qualified service name, such as `immigration.records.v1.RecordsService`.
    public let service: String
    /// The method name, such as `RecordCrossing`.
    public let method: String
    /// Whether either side streams.
    public let kind: RPCKind

    /// The HTTP/2 path, `/service/method` (built once: every call uses it).
    public let path: String

    public init(service: String, method: String, kind: RPCKind) {
        self.service = service
        self.method = method
        self.kind = kind
        path = "/\(service)/\(method)"
    }

    public var description: String { path }
}
