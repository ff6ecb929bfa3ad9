import Contracts
import Synchronization

/// The serving status of this process (`""`) and of each service it hosts,
/// as `grpc.health.v1.Health` reports it. The host and the services update it
/// (NOT_SERVING while the database is down, NOT_SERVING on shutdown); watchers
/// hear every change. Thread-safe.
public final class HealthStatusBoard: Sendable {
    public typealias Status = Grpc_Health_V1_HealthCheckResponse.ServingStatus

    private struct State {
        var statuses: [String: Status] = [:]
        var watchers: [Int: (service: String, continuation: AsyncStream<Status>.Continuation)] = [:]
        var nextWatcher = 0
    }
    private let state = Mutex(State())

    /// A board that knows the overall status `""` and `services`, all NOT_SERVING.
    public init(services: [String] = []) {
        state.withLock { state in
            state.statuses[""] = .notServing
            for service in services { state.statuses[service] = .notServing }
        }
    }

    /// The status of `service`, `nil` for a name never registered.
    public func status(of service: String) -> Status? {
        state.withLock { $0.statuses[service] }
    }

    /// Sets (and registers) the status of `service`; watchers hear it if it changed.
    public func set(_ status: Status, for service: String = "") {
        let listeners = state.withLock { state -> [AsyncStream<Status>.Continuation] in
            guard state.statuses[service] != status else { return [] }
            state.statuses[service] = status
            return state.watchers.values.filter { $0.service == service }.map(\.continuation)
        }
        for listener in listeners { listener.yield(status) }
    }

    /// Sets every registered name (the overall status included) to `status`.
    public func setAll(_ status: Status) {
        let names = state.withLock { Array($0.statuses.keys) }
        for name in names { set(status, for: name) }
    }

    /// The current status (SERVICE_UNKNOWN for an unknown name), then every
    /// change, until the consumer stops iterating. Only the newest pending
    /// status is kept for a slow consumer: health is a state, not a log.
    public func watch(_ service: String) -> AsyncStream<Status> {
        let (stream, continuation) = AsyncStream<Status>.makeStream(bufferingPolicy: .bufferingNewest(1))
        let id = state.withLock { state -> Int in
            let id = state.nextWatcher
            state.nextWatcher += 1
            state.watchers[id] = (service, continuation)
            continuation.yield(state.statuses[service] ?? .serviceUnknown)
            return id
        }
        continuation.onTermination = { [weak self] _ in
            _ = self?.state.withLock { $0.watchers.removeValue(forKey: id) }
        }
        return stream
    }

    /// Ends every watch (at shutdown, so that Watch calls finish).
    public func finishWatches() {
        let all = state.withLock { state -> [AsyncStream<Status>.Continuation] in
            defer { state.watchers = [:] }
            return state.watchers.values.map(\.continuation)
        }
        for continuation in all { continuation.finish() }
    }

    /// How many Watch calls are listening (for tests and metrics).
    public var watcherCount: Int { state.withLock { $0.watchers.count } }
}
