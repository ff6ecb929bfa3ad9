/// A server interceptor that acts only before and after the rest of the
/// chain (refuse a call, count it, time it), so the engine runs it without
/// nesting a `next` closure: no async frame and no closure of its own per
/// call. Its `intercept` does the same through `next` (`observe`), for
/// callers that compose interceptors themselves.
///
/// Internal: the built-in `AuthorizationInterceptor` and `MetricsInterceptor`
/// adopt it; services write `ServerInterceptor`s.
protocol ServerCallObserver: ServerInterceptor {
    /// Runs before the rest of the chain; throws to refuse the call (the
    /// rest of the chain and the handler then do not run).
    func callStarting(context: ServerContext) throws -> ObservedCall
    /// Runs after the rest of the chain, with what it threw, if anything
    /// (not when `callStarting` threw).
    func callEnded(_ call: ObservedCall, context: ServerContext, error: (any Error)?)
}

/// What an observer keeps between the start and the end of one call.
struct ObservedCall {
    var object: AnyObject?
    var start: ContinuousClock.Instant?

    static var nothing: ObservedCall { ObservedCall(object: nil, start: nil) }
}

extension ServerCallObserver {
    /// `callStarting`, `next`, `callEnded`: what the engine does inline.
    func observe(context: ServerContext, next: (ServerContext) async throws -> Void) async throws {
        let observed = try callStarting(context: context)
        do {
            try await next(context)
        } catch {
            callEnded(observed, context: context, error: error)
            throw error
        }
        callEnded(observed, context: context, error: nil)
    }
}
