import Logging

/// What a handler knows about its call besides the request: the method, the
/// request headers, the deadline, the verified caller, a logger carrying the
/// trace id, and where to put response headers and trailers.
///
/// A value type holding one reference: every interceptor and the handler get
/// a copy, and a copy costs one retain, whatever the call carries.
public struct ServerContext: Sendable {
    private var storage: Storage

    /// Immutable once shared: `logger`'s setter copies it unless this context holds the only reference.
    private final class Storage: @unchecked Sendable {
        let method: MethodDescriptor
        /// The headers given to the public initialiser; a served call's are read from `call`.
        let givenMetadata: Metadata
        /// The served call, whose headers are read only when asked for.
        let call: ServerCall?
        let deadline: ContinuousClock.Instant?
        let caller: CallerIdentity?
        var logger: Logger
        /// The trace id as given, or `nil` when it comes from `trace`.
        let traceIDText: String?
        let trace: TraceContext?
        /// The response given to the public initialiser; a served call's is made by `call` on first use.
        let givenResponse: ResponseMetadata?
        let peer: String

        init(method: MethodDescriptor, givenMetadata: Metadata, call: ServerCall?, deadline: ContinuousClock.Instant?,
             caller: CallerIdentity?, logger: Logger, traceIDText: String?, trace: TraceContext?,
             givenResponse: ResponseMetadata?, peer: String) {
            self.method = method
            self.givenMetadata = givenMetadata
            self.call = call
            self.deadline = deadline
            self.caller = caller
            self.logger = logger
            self.traceIDText = traceIDText
            self.trace = trace
            self.givenResponse = givenResponse
            self.peer = peer
        }

        func copy() -> Storage {
            Storage(method: method, givenMetadata: givenMetadata, call: call, deadline: deadline, caller: caller,
                    logger: logger, traceIDText: traceIDText, trace: trace, givenResponse: givenResponse, peer: peer)
        }
    }

    public var method: MethodDescriptor { storage.method }
    /// The request headers. A served call's are read from the core on first
    /// use (most handlers never ask), so a context kept after its call ended
    /// keeps the call's memory until it is released.
    public var requestMetadata: Metadata { storage.call?.requestMetadata ?? storage.givenMetadata }
    /// When the client stops waiting; the handler's Task is cancelled then.
    public var deadline: ContinuousClock.Instant? { storage.deadline }
    /// The verified caller; `nil` when the peer presented no usable identity.
    public var caller: CallerIdentity? { storage.caller }
    /// The server's logger with `rpc.method` and `trace.id` set.
    public var logger: Logger {
        get { storage.logger }
        set {
            if !isKnownUniquelyReferenced(&storage) { storage = storage.copy() }
            storage.logger = newValue
        }
    }
    /// The W3C trace id (32 hex digits) of this call, from `traceparent` or new.
    public var traceID: String { storage.traceIDText ?? storage.trace?.traceID ?? "" }
    /// Response headers and trailers the handler wants sent.
    public var response: ResponseMetadata {
        // The public initialiser always gives one, a served call always makes one.
        storage.call?.response ?? storage.givenResponse ?? ResponseMetadata()
    }
    /// The peer's address as the core reports it, such as `ipv4:127.0.0.1:50412`.
    public var peer: String { storage.peer }

    public init(method: MethodDescriptor, requestMetadata: Metadata = [:],
                deadline: ContinuousClock.Instant? = nil, caller: CallerIdentity? = nil,
                logger: Logger, traceID: String, response: ResponseMetadata = ResponseMetadata(),
                peer: String = "") {
        storage = Storage(method: method, givenMetadata: requestMetadata, call: nil, deadline: deadline, caller: caller,
                          logger: logger, traceIDText: traceID, trace: nil, givenResponse: response, peer: peer)
    }

    /// The server's context of a call: the trace id is read from `trace` only when asked for.
    init(method: MethodDescriptor, call: ServerCall, deadline: ContinuousClock.Instant?,
         caller: CallerIdentity?, logger: Logger, trace: TraceContext) {
        storage = Storage(method: method, givenMetadata: Metadata(), call: call, deadline: deadline, caller: caller,
                          logger: logger, traceIDText: nil, trace: trace, givenResponse: nil, peer: "")
    }

    /// Time left before the deadline, `nil` when there is none.
    public var timeRemaining: Duration? {
        deadline.map { ContinuousClock.now.duration(to: $0) }
    }
}
