import CoreMetrics
import Synchronization

/// Counts calls and times them per method and status code with
/// swift-metrics, under the names Prometheus users know from
/// go-grpc-prometheus: `grpc_server_started_total{grpc_method}`,
/// `grpc_server_handled_total{grpc_method,grpc_code}` and
/// `grpc_server_handling_seconds{grpc_method}`.
///
/// Instruments are made once per method and code and then reused.
public struct MetricsInterceptor: ServerInterceptor {
    private let instruments: Instruments

    /// `factory` `nil` uses the process's bootstrapped `MetricsSystem`.
    public init(factory: (any MetricsFactory)? = nil) {
        instruments = Instruments(factory: factory)
    }

    public func intercept(context: ServerContext,
                          next: (ServerContext) async throws -> Void) async throws {
        let method = context.method.path
        let perMethod = instruments.forMethod(method)
        perMethod.started.increment()
        let start = ContinuousClock.now
        var code = StatusCode.ok
        defer {
            let (seconds, attoseconds) = start.duration(to: .now).components
            perMethod.timer.recordNanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
            instruments.handled(method, code).increment()
        }
        do {
            try await next(context)
        } catch {
            code = RPCError.from(error).code
            throw error
        }
    }

    private final class Instruments: Sendable {
        struct PerMethod: Sendable {
            let started: Counter
            let timer: Timer
        }

        private let factory: (any MetricsFactory)?
        private let methods = Mutex<[String: PerMethod]>([:])
        private let handledCounters = Mutex<[String: Counter]>([:])

        init(factory: (any MetricsFactory)?) { self.factory = factory }

        func forMethod(_ method: String) -> PerMethod {
            methods.withLock { methods in
                if let existing = methods[method] { return existing }
                let dimensions = [("grpc_method", method)]
                let made = PerMethod(
                    started: counter("grpc_server_started_total", dimensions),
                    timer: factory.map { Timer(label: "grpc_server_handling_seconds", dimensions: dimensions, factory: $0) }
                        ?? Timer(label: "grpc_server_handling_seconds", dimensions: dimensions))
                methods[method] = made
                return made
            }
        }

        func handled(_ method: String, _ code: StatusCode) -> Counter {
            handledCounters.withLock { counters in
                let key = method + " " + code.name
                if let existing = counters[key] { return existing }
                let made = counter("grpc_server_handled_total", [("grpc_method", method), ("grpc_code", code.name)])
                counters[key] = made
                return made
            }
        }

        private func counter(_ label: String, _ dimensions: [(String, String)]) -> Counter {
            factory.map { Counter(label: label, dimensions: dimensions, factory: $0) }
                ?? Counter(label: label, dimensions: dimensions)
        }
    }
}
