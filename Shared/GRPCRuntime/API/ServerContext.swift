import Logging

/// What a handler knows about its call besides the request: the method, the
/// request headers, the deadline, the verified caller, a logger carrying the
/// trace id, and where to put response headers and trailers.
///
/// A value type holding the served call itself (where a served call's
/// context lives: no object of its own per call) and, only when made by the
/// public initialiser or after a handler changed `logger`, a storage object of
/// its own. Every interceptor and the handler get a copy; a copy costs one retain.
public struct ServerContext: Sendable {
    /// The served call, which holds its caller, logger, trace and deadline.
    private let call: ServerCall?
    /// The context's own values: given to the public initialiser, or copied
    /// from `call` when a handler first changes `logger`.
    private var own: Storage?

    /// Immutable once shared: `logger`'s setter copies it unless this context holds the only reference.
    private final class Storage: @unchecked Sendable {
        let method: MethodDescriptor
        let givenMetadata: Metadata
        let deadline: ContinuousClock.Instant?
        let caller: CallerIdentity?
        var logger: Logger
        /// The trace id as given, or `nil` when it comes from `trace`.
        let traceIDText: String?
        let trace: TraceContext?
        /// The response given to the public initialiser; a served call's is made by the call on first use.
        let givenResponse: ResponseMetadata?
        let peer: String

        init(method: MethodDescriptor, givenMetadata: Metadata, deadline: ContinuousClock.Instant?,
             caller: CallerIdentity?, logger: Logger, traceIDText: String?, trace: TraceContext?,
             givenResponse: ResponseMetadata?, peer: String) {
            self.method = method
            self.givenMetadata = givenMetadata
            self.deadline = deadline
            self.caller = caller
            self.logger = logger
            self.traceIDText = traceIDText
            self.trace = trace
            self.givenResponse = givenResponse
            self.peer = peer
        }

        func copy() -> Storage {
            Storage(method: method, givenMetadata: givenMetadata, deadline: deadline, caller: caller,
                    logger: logger, traceIDText: traceIDText, trace: trace, givenResponse: givenResponse, peer: peer)
        }
    }

    public var method: MethodDescriptor { own?.method ?? call!.registered.method.descriptor }
    /// The request headers. A served call's are read from the core on first
    /// use (most handlers never ask), so a context kept after its call ended
    /// keeps the call's memory until it is released.
    public var requestMetadata: Metadata {
        if let call { return call.requestMetadata }
        return own!.givenMetadata
    }
    /// When the client stops waiting; the handler's Task is cancelled then.
    public var deadline: ContinuousClock.Instant? {
        if let own { return own.deadline }
        return call!.deadline
    }
    /// The verified caller; `nil` when the peer presented no usable identity.
    public var caller: CallerIdentity? {
        if let own { return own.caller }
        return call!.caller
    }
    /// The server's logger with `rpc.method` and `trace.id` set.
    public var logger: Logger {
        get { own?.logger ?? call!.logger }
        set {
            if own == nil {
                let call = call!
                own = Storage(method: call.registered.method.descriptor, givenMetadata: Metadata(), deadline: call.deadline,
                              caller: call.caller, logger: newValue, traceIDText: nil, trace: call.trace,
                              givenResponse: nil, peer: "")
            } else {
                if !isKnownUniquelyReferenced(&own) { own = own!.copy() }
                own!.logger = newValue
            }
        }
    }
    /// The W3C trace id (32 hex digits) of this call, from `traceparent` or new.
    public var traceID: String {
        if let own { return own.traceIDText ?? own.trace?.traceID ?? "" }
        return call!.trace.traceID
    }
    /// Response headers and trailers the handler wants sent.
    public var response: ResponseMetadata {
        // The public initialiser always gives one, a served call always makes one.
        call?.response ?? own?.givenResponse ?? ResponseMetadata()
    }
    /// The peer's address as the core reports it, such as `ipv4:127.0.0.1:50412`.
    public var peer: String { own?.peer ?? "" }

    public init(method: MethodDescriptor, requestMetadata: Metadata = [:],
                deadline: ContinuousClock.Instant? = nil, caller: CallerIdentity? = nil,
                logger: Logger, traceID: String, response: ResponseMetadata = ResponseMetadata(),
                peer: String = "") {
        call = nil
        own = Storage(method: method, givenMetadata: requestMetadata, deadline: deadline, caller: caller,
                      logger: logger, traceIDText: traceID, trace: nil, givenResponse: response, peer: peer)
    }

    /// The context of a served call, read from the call (its caller, logger and trace set before).
    init(call: ServerCall) {
        self.call = call
        own = nil
    }

    /// Time left before the deadline, `nil` when there is none.
    public var timeRemaining: Duration? {
        deadline.map { ContinuousClock.now.duration(to: $0) }
    }
}
