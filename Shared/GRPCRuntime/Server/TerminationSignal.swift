import CGRPC
import Dispatch
import Synchronization

/// SIGTERM and SIGINT as an awaitable event, for graceful shutdown of services.
///
/// Keep one per process. Creating one turns the signals' default action off and starts listening
/// through Dispatch sources (nothing runs in a signal handler), so a signal
/// that arrives before anyone waits is kept, not lost and not fatal.
public final class TerminationSignal: Sendable {
    private let state = Mutex<(received: Int32?, waiters: [CheckedContinuation<Int32, Never>])>((nil, []))
    private let sources: Sources

    /// The Dispatch sources; immutable after `init`, and Dispatch sources are thread-safe.
    private final class Sources: @unchecked Sendable {
        let list: [any DispatchSourceSignal]
        init(_ list: [any DispatchSourceSignal]) { self.list = list }
    }

    /// Starts listening for SIGTERM and SIGINT now.
    public init() {
        let queue = DispatchQueue(label: "termination-signal")
        var sources: [any DispatchSourceSignal] = []
        for number in [SIGTERM, SIGINT] {
            cgrpc_ignore_signal(number)
            sources.append(DispatchSource.makeSignalSource(signal: number, queue: queue))
        }
        self.sources = Sources(sources)
        for (source, number) in zip(sources, [SIGTERM, SIGINT]) {
            source.setEventHandler { [weak self] in self?.fire(number) }
            source.resume()
        }
    }

    /// Stops listening; the signals' default action (terminate) is back.
    deinit {
        sources.list.forEach { $0.cancel() }
        cgrpc_default_signal(SIGTERM)
        cgrpc_default_signal(SIGINT)
    }

    private func fire(_ number: Int32) {
        let waiters = state.withLock { state -> [CheckedContinuation<Int32, Never>] in
            if state.received == nil { state.received = number }
            defer { state.waiters = [] }
            return state.waiters
        }
        waiters.forEach { $0.resume(returning: number) }
    }

    /// Returns the first signal received since this object was created.
    public func wait() async -> Int32 {
        await withCheckedContinuation { continuation in
            let received = state.withLock { state -> Int32? in
                if let received = state.received { return received }
                state.waiters.append(continuation)
                return nil
            }
            if let received { continuation.resume(returning: received) }
        }
    }
}
