import Foundation
import GRPCRuntime
import XCTest

/// Swift client to Swift server unary calls per second, at concurrency 1 and
/// 64, with the authorisation and metrics interceptors on. Runs only when
/// GRPC_RUNTIME_THROUGHPUT is set (it measures; it does not judge). Use a
/// release build for figures: `swift test -c release --filter ThroughputTests`.
final class ThroughputTests: XCTestCase {
    func testUnaryCallsPerSecondAtConcurrencyOneAndSixtyFour() async throws {
        guard ProcessInfo.processInfo.environment["GRPC_RUNTIME_THROUGHPUT"] != nil else {
            throw XCTSkip("set GRPC_RUNTIME_THROUGHPUT=1 to measure")
        }
        let metrics = PrometheusMetrics()
        let running = try RunningServer.start(interceptors: [
            AuthorizationInterceptor(policy: [Echo.get: [.gate]]), MetricsInterceptor(factory: metrics),
        ])
        let channel = running.channel
        let options = CallOptions(metadata: ["x-dev-caller": "spiffe://immigration.example/gate/HAN-T2-07"])
        let payload = Bytes([UInt8](repeating: 0x2a, count: 64))
        for concurrency in [1, 64] {
            let total = concurrency == 1 ? 5_000 : 50_000
            let start = ContinuousClock.now
            try await withThrowingTaskGroup(of: Void.self) { group in
                for worker in 0..<concurrency {
                    group.addTask {
                        for _ in stride(from: worker, to: total, by: concurrency) {
                            let _: Bytes = try await channel.unary(Echo.get, request: payload, options: options)
                        }
                    }
                }
                try await group.waitForAll()
            }
            let (seconds, attoseconds) = (ContinuousClock.now - start).components
            let elapsed = Double(seconds) + Double(attoseconds) / 1e18
            print("unary 64 B, concurrency \(concurrency): \(Int(Double(total) / elapsed)) calls/s")
        }
        await running.stop()
    }
}
