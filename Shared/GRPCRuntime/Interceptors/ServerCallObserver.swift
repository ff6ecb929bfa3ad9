#if canImport(Glibc)
import Glibc
#endif

/// A server interceptor that acts only before and after the rest of the
/// chain (refuse a call, count it, time it), so the engine runs it without
/// nesting a `next` closure: no async frame and no closure of its own per
/// call. Its `intercept` does the same through `next` (`observe`), for
/// callers that compose interceptors themselves.
///
/// Internal: the built-in `AuthorizationInterceptor`, `MetricsInterceptor`
/// and `LoggingInterceptor` adopt it; services write `ServerInterceptor`s.
protocol ServerCallObserver: ServerInterceptor {
    /// What the observer needs to know of one method (its instruments, who
    /// may call it), worked out once per method when the server starts, so
    /// that a call looks nothing up by name.
    func prepare(for method: MethodDescriptor) -> (any AnyObject & Sendable)?
    /// Runs before the rest of the chain, with what `prepare` made for the
    /// call's method; throws to refuse the call (the rest of the chain and
    /// the handler then do not run).
    func callStarting(context: ServerContext, prepared: (any AnyObject & Sendable)?) throws -> ObservedCall
    /// Runs after the rest of the chain, with what it threw, if anything
    /// (not when `callStarting` threw).
    func callEnded(_ call: ObservedCall, context: ServerContext, error: (any Error)?)
}

/// An observing interceptor held by reference in the server's list (a call
/// reaches it without copying the interceptor's value).
final class ObserverReference: Sendable {
    let observer: any ServerCallObserver

    init(_ observer: any ServerCallObserver) {
        self.observer = observer
    }
}

/// What an observer keeps between the start and the end of one call.
struct ObservedCall {
    var object: AnyObject?
    /// When the call started (`ObservedCall.now()`), if the observer times it.
    var start: UInt64?

    static var nothing: ObservedCall { ObservedCall(object: nil, start: nil) }

    /// Nanoseconds on the monotonic clock: timing a call costs two
    /// `clock_gettime` (vDSO) and a subtraction, no `Duration` arithmetic.
    static func now() -> UInt64 {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return UInt64(time.tv_sec) &* 1_000_000_000 &+ UInt64(time.tv_nsec)
    }

    /// Nanoseconds since `start` (0 without one).
    func elapsedNanoseconds() -> UInt64 {
        guard let start else { return 0 }
        let now = ObservedCall.now()
        return now > start ? now - start : 0
    }
}

extension ServerCallObserver {
    /// `callStarting`, `next`, `callEnded`: what the engine does inline.
    func observe(context: ServerContext, next: (ServerContext) async throws -> Void) async throws {
        let observed = try callStarting(context: context, prepared: prepare(for: context.method))
        do {
            try await next(context)
        } catch {
            callEnded(observed, context: context, error: error)
            throw error
        }
        callEnded(observed, context: context, error: nil)
    }
}
