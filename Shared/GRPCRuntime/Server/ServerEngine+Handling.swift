import Logging
#if canImport(Glibc)
import Glibc
#endif

/// Running a call: its context, then the interceptors and the handler.
extension ServerEngine {
    // MARK: Handler chain

    /// Runs interceptors `index...` and the handler. An observer (the
    /// built-in authorisation and metrics interceptors) runs inline, before
    /// and after the rest; any other interceptor gets a `next` closure.
    /// `nonisolated(nonsending)`, as everything on a call's path: no hop at its start.
    nonisolated(nonsending) func intercept(call: ServerCall, context: ServerContext, index: Int) async throws -> OutgoingMessage? {
        if index == interceptors.count {
            return try await call.registered.method.invoke(call, context)
        }
        if let reference = observers[index] {
            // Called through the reference's `let`: the interceptor is borrowed, not copied.
            let observed = try reference.observer.callStarting(context: context, prepared: call.registered.prepared[index])
            let response: OutgoingMessage?
            do {
                response = try await intercept(call: call, context: context, index: index + 1)
            } catch {
                reference.observer.callEnded(observed, context: context, error: error)
                throw error
            }
            reference.observer.callEnded(observed, context: context, error: nil)
            return response
        }
        var response: OutgoingMessage?
        let last = index + 1 == interceptors.count
        do {
            try await interceptors[index].intercept(context: context) { context in
                // The last interceptor calls the handler itself: one async frame less.
                let made = last ? try await call.registered.method.invoke(call, context)
                                : try await intercept(call: call, context: context, index: index + 1)
                response?.discard()  // `next` called twice: only the last response is sent
                response = made
            }
        } catch {
            // Refused after the handler answered: the response is never sent.
            response?.discard()
            throw error
        }
        return response
    }

    /// The caller a SPIFFE id (its bytes) names. A queue's thread remembers
    /// the last one it saw, compared in place: a connection's calls all
    /// carry the same id, so most calls make no `String` and take no lock.
    func callerIdentity(id: UnsafeRawBufferPointer, on queue: CompletionQueue) -> CallerIdentity? {
        let onQueueThread = queue.isDrainingThread
        if onQueueThread, let recent = queue.recentCaller, recent.id.count == id.count,
           id.isEmpty || recent.id.withUnsafeBytes({ memcmp($0.baseAddress!, id.baseAddress!, id.count) == 0 }) {
            return recent.identity
        }
        let identity = callerIdentity(spiffeID: String(decoding: id, as: UTF8.self))
        if onQueueThread { queue.recentCaller = (Array(id), identity) }
        return identity
    }

    /// The caller a SPIFFE id names, parsed once per distinct id: a server
    /// sees the same few callers over and over. The cache is bounded
    /// (emptied when full), so ids that keep changing cannot grow it.
    func callerIdentity(spiffeID: String) -> CallerIdentity? {
        if let known = knownCallers.withLock({ $0[spiffeID] }) { return known }
        guard let parsed = CallerIdentity(spiffeID: spiffeID, trustDomain: configuration.trustDomain) else { return nil }
        knownCallers.withLock { known in
            if known.count >= 1024 { known.removeAll(keepingCapacity: true) }
            known[spiffeID] = parsed
        }
        return parsed
    }

    /// Sets the call's caller, trace and logger, which its `ServerContext` reads.
    func prepareContext(of call: ServerCall) {
        let caller: CallerIdentity?
        if configuration.isDevelopmentPlaintext {
            caller = call.withFirstRequestHeader("x-dev-caller") { callerIdentity(id: $0, on: call.queue) } ?? nil
        } else {
            caller = PeerIdentity.withSpiffeID(of: call.pointer) { callerIdentity(id: $0, on: call.queue) } ?? nil
        }
        var trace = TraceContext(incoming: call.firstRequestHeader("traceparent"))
        trace.method = call.registered.method.descriptor.path
        if callLogger == nil {
            var perCall = configuration.logger
            perCall[metadataKey: "trace.id"] = .string(trace.traceID)
            perCall[metadataKey: "rpc.method"] = .string(call.registered.method.descriptor.path)
            call.ownLogger = perCall
        }
        call.caller = caller
        call.trace = trace
    }
}
