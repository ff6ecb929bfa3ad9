import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import GRPCRuntime
import XCTest

/// Returns the trace id the handler saw and the `traceparent` it received.
struct TraceService: ServiceProvider {
    static let trace = MethodDescriptor(service: "test.Trace", method: "Trace", kind: .unary)
    static let relay = MethodDescriptor(service: "test.Trace", method: "Relay", kind: .unary)
    let downstream: Channel?

    var methods: [ServerMethod] {
        [
            .unary(Self.trace) { (_: Bytes, context: ServerContext) in
                Bytes(context.traceID + " " + (context.requestMetadata.first("traceparent") ?? "-"))
            },
            .unary(Self.relay) { [downstream] (request: Bytes, _: ServerContext) in
                guard let downstream else { throw RPCError(.failedPrecondition, "no downstream") }
                let response: Bytes = try await downstream.unary(Self.trace, request: request, options: CallOptions())
                return response
            },
        ]
    }
}

final class ObservabilityTests: XCTestCase {
    func testLoggingInterceptorWritesOneStructuredLineWithoutBodies() async throws {
        try await checkLoggingInterceptor(CapturedLogs(supportsMetadataProviders: true))
    }

    func testCallMetadataReachesLogHandlersWithoutMetadataProviders() async throws {
        try await checkLoggingInterceptor(CapturedLogs(supportsMetadataProviders: false))
    }

    private func checkLoggingInterceptor(_ logs: CapturedLogs) async throws {
        let running = try RunningServer.start(interceptors: [LoggingInterceptor()]) { $0.logger = logs.logger() }
        let _: Bytes = try await running.channel.unary(
            Echo.get, request: Bytes("Nguyen Van A"),
            options: CallOptions(metadata: ["x-dev-caller": "spiffe://immigration.example/gate/HAN-T2-07"]))
        await assertRPCError(.invalidArgument) {
            let _: Bytes = try await running.channel.unary(Echo.fail, request: Bytes("B123456"), options: CallOptions())
        }
        await running.stop()
        let finished = logs.all.filter { $0.message == "rpc finished" }
        XCTAssertEqual(finished.count, 2)
        XCTAssertEqual(finished.first?.metadata["rpc.method"], "/test.Echo/Get")
        XCTAssertEqual(finished.first?.metadata["rpc.code"], "OK")
        XCTAssertEqual(finished.first?.metadata["caller.role"], "gate")
        XCTAssertEqual(finished.first?.metadata["trace.id"]?.count, 32)
        XCTAssertNotNil(finished.first?.metadata["rpc.duration_ms"].flatMap(Double.init))
        XCTAssertEqual(finished.last?.metadata["rpc.code"], "INVALID_ARGUMENT")
        let everything = logs.all.map { "\($0.message) \($0.metadata)" }.joined()
        XCTAssertFalse(everything.contains("Nguyen"))
        XCTAssertFalse(everything.contains("B123456"))
        XCTAssertFalse(everything.contains("HAN-T2-07"))
    }

    /// At `notice`, a successful call (logged at `info`) writes nothing; a failed one
    /// (logged at `notice`) still writes its line.
    func testLoggingInterceptorWritesOnlyTheLinesItsLoggersLevelLetsThrough() async throws {
        let logs = CapturedLogs(supportsMetadataProviders: true)
        var logger = logs.logger()
        logger.logLevel = .notice
        let running = try RunningServer.start(interceptors: [LoggingInterceptor()]) { $0.logger = logger }
        let _: Bytes = try await running.channel.unary(Echo.get, request: Bytes("x"), options: CallOptions())
        await assertRPCError(.invalidArgument) {
            let _: Bytes = try await running.channel.unary(Echo.fail, request: Bytes("y"), options: CallOptions())
        }
        await running.stop()
        let finished = logs.all.filter { $0.message == "rpc finished" }
        XCTAssertEqual(finished.map { $0.metadata["rpc.code"] }, ["INVALID_ARGUMENT"])
    }

    func testIncomingTraceparentGivesTheTraceIDAndAMissingOneStartsATrace() async throws {
        let running = try RunningServer.start(services: [TraceService(downstream: nil)])
        let traceparent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
        let given: Bytes = try await running.channel.unary(
            TraceService.trace, request: Bytes(""), options: CallOptions(metadata: ["traceparent": .string(traceparent)]))
        XCTAssertEqual(given.text, "4bf92f3577b34da6a3ce929d0e0e4736 " + traceparent)
        let fresh: Bytes = try await running.channel.unary(TraceService.trace, request: Bytes(""), options: CallOptions())
        let id = String(fresh.text.prefix(32))
        XCTAssertEqual(id.count, 32)
        XCTAssertNotEqual(id, "4bf92f3577b34da6a3ce929d0e0e4736")
        let malformed: Bytes = try await running.channel.unary(
            TraceService.trace, request: Bytes(""), options: CallOptions(metadata: ["traceparent": "00-zz-00-01"]))
        XCTAssertNotEqual(String(malformed.text.prefix(32)), "00-zz-00-01")
        await running.stop()
    }

    func testTraceFollowsACallAcrossTwoServices() async throws {
        let downstream = try RunningServer.start(services: [TraceService(downstream: nil)])
        let relayChannel = try Channel(target: "127.0.0.1:\(downstream.port)", security: .plaintext,
                                       configuration: ChannelConfiguration(interceptors: [TracePropagationInterceptor()]))
        let upstream = try RunningServer.start(services: [TraceService(downstream: relayChannel)])
        let traceparent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"
        let relayed: Bytes = try await upstream.channel.unary(
            TraceService.relay, request: Bytes(""), options: CallOptions(metadata: ["traceparent": .string(traceparent)]))
        let parts = relayed.text.split(separator: " ")
        XCTAssertEqual(parts.first, "0af7651916cd43dd8448eb211c80319c")
        let forwarded = try XCTUnwrap(TraceContext(traceparent: String(parts[1])))
        XCTAssertEqual(forwarded.traceID, "0af7651916cd43dd8448eb211c80319c")
        XCTAssertNotEqual(forwarded.parentID, "b7ad6b7169203331")
        relayChannel.close()
        await upstream.stop()
        await downstream.stop()
    }

    func testMetricsAreServedInPrometheusTextOverHTTP() async throws {
        let metrics = PrometheusMetrics()
        let endpoint = MetricsEndpoint(metrics: metrics, host: "127.0.0.1", port: 0)
        try endpoint.start()
        let running = try RunningServer.start(interceptors: [MetricsInterceptor(factory: metrics)])
        for _ in 0..<3 {
            let _: Bytes = try await running.channel.unary(Echo.get, request: Bytes("x"), options: CallOptions())
        }
        await assertRPCError(.invalidArgument) {
            let _: Bytes = try await running.channel.unary(Echo.fail, request: Bytes("x"), options: CallOptions())
        }
        let (body, response) = try await URLSession.shared.data(from: URL(string: "http://127.0.0.1:\(endpoint.port)/metrics")!)
        let text = String(decoding: body, as: UTF8.self)
        XCTAssertEqual((response as? HTTPURLResponse)?.statusCode, 200)
        XCTAssertTrue(text.contains("# TYPE grpc_server_handled_total counter"), text)
        XCTAssertTrue(text.contains(#"grpc_server_handled_total{grpc_code="OK",grpc_method="/test.Echo/Get"} 3"#), text)
        XCTAssertTrue(text.contains(#"grpc_server_handled_total{grpc_code="INVALID_ARGUMENT",grpc_method="/test.Echo/Fail"} 1"#), text)
        XCTAssertTrue(text.contains(#"grpc_server_handling_seconds_count{grpc_method="/test.Echo/Get"} 3"#), text)
        XCTAssertTrue(text.contains(#"grpc_server_handling_seconds_bucket{grpc_method="/test.Echo/Get",le="+Inf"} 3"#), text)
        let (_, missing) = try await URLSession.shared.data(from: URL(string: "http://127.0.0.1:\(endpoint.port)/other")!)
        XCTAssertEqual((missing as? HTTPURLResponse)?.statusCode, 404)
        endpoint.stop()
        try await Task.sleep(for: .milliseconds(100))
        do {
            _ = try await URLSession.shared.data(from: URL(string: "http://127.0.0.1:\(endpoint.port)/metrics")!)
            XCTFail("the endpoint still answers after stop")
        } catch {}
        await running.stop()
    }
}
