import CGRPC
import Dispatch

/// Waits for SIGTERM or SIGINT, for graceful shutdown of services.
///
/// The signals' default action is turned off and they are delivered through
/// Dispatch sources, so nothing runs in a signal handler.
public enum TerminationSignal {
    /// Returns the first SIGTERM or SIGINT received from now on.
    public static func wait() async -> Int32 {
        await withCheckedContinuation { (continuation: CheckedContinuation<Int32, Never>) in
            let queue = DispatchQueue(label: "termination-signal")
            let sources = [SIGTERM, SIGINT].map { number -> any DispatchSourceSignal in
                cgrpc_ignore_signal(number)
                return DispatchSource.makeSignalSource(signal: number, queue: queue)
            }
            let once = SignalOnce(sources: sources, continuation: continuation)
            for (source, number) in zip(sources, [SIGTERM, SIGINT]) {
                source.setEventHandler { once.fire(number) }
                source.resume()
            }
        }
    }

    /// Resumes the waiter once and cancels the sources (confined to `queue`).
    private final class SignalOnce: @unchecked Sendable {
        private var sources: [any DispatchSourceSignal]
        private var continuation: CheckedContinuation<Int32, Never>?

        init(sources: [any DispatchSourceSignal], continuation: CheckedContinuation<Int32, Never>) {
            self.sources = sources
            self.continuation = continuation
        }

        func fire(_ number: Int32) {
            guard let continuation else { return }
            self.continuation = nil
            sources.forEach { $0.cancel() }
            sources = []
            continuation.resume(returning: number)
        }
    }
}
