import CoreMetrics
import Synchronization

/// Counts calls and times them per method and status code with
/// swift-metrics, under the names Prometheus users know from
/// go-grpc-prometheus: `grpc_server_started_total{grpc_method}`,
/// `grpc_server_handled_total{grpc_method,grpc_code}` and
/// `grpc_server_handling_seconds{grpc_method}`.
///
/// Instruments are made once per method and code and then reused.
public struct MetricsInterceptor: ServerInterceptor, ServerCallObserver {
    private let instruments: Instruments

    /// `factory` `nil` uses the process's bootstrapped `MetricsSystem`.
    public init(factory: (any MetricsFactory)? = nil) {
        instruments = Instruments(factory: factory)
    }

    public func intercept(context: ServerContext,
                          next: (ServerContext) async throws -> Void) async throws {
        try await observe(context: context, next: next)
    }

    func prepare(for method: MethodDescriptor) -> (any AnyObject & Sendable)? {
        instruments.forMethod(method.path)
    }

    func callStarting(context: ServerContext, prepared: (any AnyObject & Sendable)?) throws -> ObservedCall {
        // `prepared` is always this interceptor's own `prepare(for:)` result.
        let perMethod = prepared.map { unsafeDowncast($0, to: Instruments.PerMethod.self) }
            ?? instruments.forMethod(context.method.path)
        perMethod.started.increment()
        return ObservedCall(object: perMethod, start: ObservedCall.now())
    }

    func callEnded(_ call: ObservedCall, context: ServerContext, error: (any Error)?) {
        // Both were set by `callStarting` of this interceptor.
        guard let object = call.object else { return }
        let perMethod = unsafeDowncast(object, to: Instruments.PerMethod.self)
        perMethod.timer.recordNanoseconds(Int64(clamping: call.elapsedNanoseconds()))
        perMethod.handled(error.map { RPCError.from($0).code } ?? .ok).increment()
    }

    fileprivate final class Instruments: Sendable {
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
        /// Every method seen so far, read without a lock: a snapshot that is
        /// never changed once published. A new method publishes a new snapshot
        /// (under `adding`); old snapshots are kept until these instruments
        /// are released, since a reader may still hold one: at most one per
        /// method a server serves.
        private let published = Atomic<Unmanaged<Snapshot>?>(nil)
        private let adding = Mutex<[Unmanaged<Snapshot>]>([])

        private final class Snapshot: Sendable {
            let methods: [String: PerMethod]
            init(_ methods: [String: PerMethod]) { self.methods = methods }
        }

        init(factory: (any MetricsFactory)?) { self.factory = factory }

        deinit {
            adding.withLock { snapshots in snapshots.forEach { $0.release() } }
        }

        func forMethod(_ method: String) -> PerMethod {
            if let known = published.load(ordering: .acquiring)?.takeUnretainedValue().methods[method] { return known }
            return adding.withLock { snapshots in
                let current = published.load(ordering: .acquiring)?.takeUnretainedValue().methods ?? [:]
                if let known = current[method] { return known }
                let made = PerMethod(method: method, factory: factory)
                var next = current
                next[method] = made
                let snapshot = Unmanaged.passRetained(Snapshot(next))
                snapshots.append(snapshot)
                published.store(snapshot, ordering: .releasing)
                return made
            }
        }

        static func counter(_ label: String, _ dimensions: [(String, String)], _ factory: (any MetricsFactory)?) -> Counter {
            factory.map { Counter(label: label, dimensions: dimensions, factory: $0) }
                ?? Counter(label: label, dimensions: dimensions)
        }
    }
}
