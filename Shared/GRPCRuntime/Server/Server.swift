import Synchronization

/// A gRPC server on the C core: one listening address, the services it
/// hosts, and the completion-queue threads that drive them.
///
/// Lifecycle: `start()` binds and serves; `shutdown(gracePeriod:)` stops
/// accepting, lets calls in flight finish within the grace period, cancels the
/// rest and frees everything. `runUntilTerminated` does the latter on SIGTERM
/// or SIGINT. Each call runs its handler in one Swift Task; the completion
/// queues are drained by their own threads (`cq-<name>-#n`), never by the
/// cooperative pool. Thread-safe.
public final class Server: Sendable {
    private let engine: ServerEngine
    private let state = Mutex<Phase>(.created)

    private enum Phase { case created, serving(port: Int), stopping, stopped }

    public init(configuration: ServerConfiguration, services: [any ServiceProvider]) throws {
        engine = try ServerEngine(configuration: configuration, methods: services.flatMap(\.methods))
    }

    /// Binds the address and starts serving. Throws if the port cannot be bound
    /// or the credentials cannot be read.
    public func start() throws {
        try state.withLock { phase in
            guard case .created = phase else { throw RuntimeError("server already started") }
            do {
                phase = .serving(port: try engine.start())
            } catch {
                // The engine freed the core's server: this one cannot start again.
                phase = .stopped
                throw error
            }
        }
    }

    /// The bound port (useful with port 0); 0 before `start`.
    public var port: Int {
        state.withLock { phase in
            if case .serving(let port) = phase { return port }
            return 0
        }
    }

    /// Stops accepting calls, lets those in flight finish within
    /// `gracePeriod`, cancels the rest, then frees the server and its queues.
    public func shutdown(gracePeriod: Duration = .seconds(10)) async {
        let proceed = state.withLock { phase -> Bool in
            guard case .serving = phase else { return false }
            phase = .stopping
            return true
        }
        guard proceed else { return }
        await engine.stop(gracePeriod: gracePeriod)
        state.withLock { $0 = .stopped }
    }

    /// Serves until SIGTERM or SIGINT, then shuts down gracefully. Create the
    /// `TerminationSignal` early (before `start`) so that no signal is missed.
    public func runUntilTerminated(gracePeriod: Duration = .seconds(10),
                                   signals: TerminationSignal = TerminationSignal()) async {
        let signal = await signals.wait()
        engine.configuration.logger.notice("termination signal received, shutting down",
                                           metadata: ["signal": .stringConvertible(signal)])
        await shutdown(gracePeriod: gracePeriod)
    }
}
