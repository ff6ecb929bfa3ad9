/// Code that runs around every handler of a server: authorisation, logging,
/// metrics. One method, one concern per type (as grpc-swift 2 and
/// Hummingbird's middleware).
///
/// Call `next` at most once to run the rest of the chain and the handler; it
/// returns when the handler has returned (all responses of a streaming call
/// sent) and throws what the handler threw. Throw to refuse the call: the
/// client receives the thrown status (`RPCError`, an `RPCErrorConvertible`, or
/// INTERNAL for anything else). Interceptors run in the handler's Task.
public protocol ServerInterceptor: Sendable {
    func intercept(context: ServerContext,
                   next: (ServerContext) async throws -> Void) async throws
}

/// Code that runs around every call a channel makes: it may change the call's
/// options (adding metadata such as `traceparent`) before calling `next`, and
/// sees the outcome.
public protocol ClientInterceptor: Sendable {
    func intercept(method: MethodDescriptor, options: CallOptions,
                   next: (CallOptions) async throws -> Void) async throws
}
