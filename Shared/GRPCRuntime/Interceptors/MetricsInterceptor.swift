import Metrics

/// Counts calls and times them per method and status code with
/// swift-metrics, under the names Prometheus users know from
/// go-grpc-prometheus: `grpc_server_started_total`,
/// `grpc_server_handled_total{grpc_method,grpc_code}` and
/// `grpc_server_handling_seconds{grpc_method}`.
public struct MetricsInterceptor: ServerInterceptor {
    public init() {}

    public func intercept(context: ServerContext,
                          next: (ServerContext) async throws -> Void) async throws {
        let method = context.method.path
        Counter(label: "grpc_server_started_total", dimensions: [("grpc_method", method)]).increment()
        let start = ContinuousClock.now
        var code = StatusCode.ok
        defer {
            let (seconds, attoseconds) = start.duration(to: .now).components
            Timer(label: "grpc_server_handling_seconds", dimensions: [("grpc_method", method)])
                .recordNanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
            Counter(label: "grpc_server_handled_total", dimensions: [("grpc_method", method), ("grpc_code", code.name)])
                .increment()
        }
        do {
            try await next(context)
        } catch {
            code = RPCError.from(error).code
            throw error
        }
    }
}
