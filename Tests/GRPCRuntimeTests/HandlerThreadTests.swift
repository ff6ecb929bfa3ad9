import GRPCRuntime
import Synchronization
import XCTest

/// Tells a yielding handler to stop, and says whether it started.
final class SpinControl: Sendable {
    let stop = Atomic<Bool>(false)
    let spinning = Atomic<Bool>(false)
}

/// A method whose handler keeps yielding until told to stop (or 10 s passed).
struct YieldingService: ServiceProvider {
    static let spin = MethodDescriptor(service: "test.Yielding", method: "Spin", kind: .unary)
    let control: SpinControl

    var methods: [ServerMethod] {
        [.unary(Self.spin) { [control] (_: Bytes, _: ServerContext) -> Bytes in
            let until = ContinuousClock.now + .seconds(10)
            control.spinning.store(true, ordering: .relaxed)
            var turns = 0
            while !control.stop.load(ordering: .relaxed) && ContinuousClock.now < until {
                await Task.yield()
                turns += 1
            }
            return Bytes("\(turns)")
        }]
    }
}

final class HandlerThreadTests: XCTestCase {
    /// Handlers run on the completion-queue thread of their call: one that
    /// keeps yielding must not keep that thread from serving other calls.
    func testAHandlerThatKeepsYieldingDoesNotStallItsCompletionQueue() async throws {
        let control = SpinControl()
        let service = YieldingService(control: control)
        let running = try RunningServer.start(services: [service, EchoService()]) { $0.completionQueueCount = 1 }
        let channel = running.channel
        let spinner = Task {
            let _: Bytes = try await channel.unary(YieldingService.spin, request: Bytes(""), options: CallOptions())
        }
        while !control.spinning.load(ordering: .relaxed) { try await Task.sleep(for: .milliseconds(5)) }
        for index in 0..<20 {
            let echoed: Bytes = try await channel.unary(Echo.get, request: Bytes("\(index)"),
                                                        options: CallOptions(timeout: .seconds(5)))
            XCTAssertEqual(echoed.text, "\(index)")
        }
        control.stop.store(true, ordering: .relaxed)
        try await spinner.value
        await running.stop()
    }
}
