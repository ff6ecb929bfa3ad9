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
            perMethod.handled(code).increment()
        }
        do {
            try await next(context)
        } catch {
            code = RPCError.from(error).code
            throw error
        }
    }

    private final class Instruments: Sendable {
        /// One method's instruments; its handled counters are made per code on first use.
        final class PerMethod: Sendable {
            let started: Counter
            let timer: Timer
            /// The OK counter, made up front: most calls end OK, and need no lock.
            let handledOK: Counter
            private let method: String
            private let factory: (any MetricsFactory)?
            private let handledByCode = Mutex<[Int32: Counter]>([:])

            init(method: String, factory: (any MetricsFactory)?) {
                self.method = method
                self.factory = factory
                let dimensions = [("grpc_method", method)]
                started = Instruments.counter("grpc_server_started_total", dimensions, factory)
                timer = factory.map { Timer(label: "grpc_server_handling_seconds", dimensions: dimensions, factory: $0) }
                    ?? Timer(label: "grpc_server_handling_seconds", dimensions: dimensions)
                handledOK = Instruments.counter("grpc_server_handled_total",
                                                [("grpc_method", method), ("grpc_code", StatusCode.ok.name)], factory)
            }

            func handled(_ code: StatusCode) -> Counter {
                if code == .ok { return handledOK }
                return handledByCode.withLock { counters in
                    if let existing = counters[code.rawValue] { return existing }
                    let made = Instruments.counter("grpc_server_handled_total",
                                                   [("grpc_method", method), ("grpc_code", code.name)], factory)
                    counters[code.rawValue] = made
                    return made
                }
            }
        }

        private let factory: (any MetricsFactory)?
        private let methods = Mutex<[String: PerMethod]>([:])

        init(factory: (any MetricsFactory)?) { self.factory = factory }

        func forMethod(_ method: String) -> PerMethod {
            methods.withLock { methods in
                if let existing = methods[method] { return existing }
                let made = PerMethod(method: method, factory: factory)
                methods[method] = made
                return made
            }
        }

        static func counter(_ label: String, _ dimensions: [(String, String)], _ factory: (any MetricsFactory)?) -> Counter {
            factory.map { Counter(label: label, dimensions: dimensions, factory: $0) }
                ?? Counter(label: label, dimensions: dimensions)
        }
    }
}
