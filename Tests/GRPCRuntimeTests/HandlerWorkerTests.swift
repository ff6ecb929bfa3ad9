import GRPCRuntime
import XCTest

/// A method that says what its handler's Task looks like: whether it is
/// cancelled and whether its task-local trace is this call's.
struct TaskStateService: ServiceProvider {
    static let inspect = MethodDescriptor(service: "test.TaskState", method: "Inspect", kind: .unary)

    var methods: [ServerMethod] {
        [.unary(Self.inspect) { (request: Bytes, context: ServerContext) -> Bytes in
            // Suspends once, so the call also runs after a resumption.
            try await Task.sleep(for: .milliseconds(Int(request.text) ?? 0))
            let ownTrace = TraceContext.current?.traceID == context.traceID
            return Bytes("cancelled=\(Task.isCancelled) ownTrace=\(ownTrace)")
        }]
    }
}

/// Handlers run on long-lived worker Tasks, one call after another: what one
/// call did to its Task must not reach the next.
final class HandlerWorkerTests: XCTestCase {
    func testCallsAfterACancelledCallOnTheSameQueueAreNotCancelled() async throws {
        let observer = HandlerObserver()
        let running = try RunningServer.start(services: [EchoService(observer: observer), TaskStateService()]) {
            $0.completionQueueCount = 1
        }
        for round in 1...3 {
            await assertRPCError(.deadlineExceeded) {
                let _: Bytes = try await running.channel.unary(
                    Echo.sleep, request: Bytes("5000"), options: CallOptions(timeout: .milliseconds(100)))
            }
            let cancelled = await observer.eventually { $0.cancelledCount == round }
            XCTAssertTrue(cancelled, "the handler was not cancelled at its deadline")
            for _ in 0..<10 {
                let answer: Bytes = try await running.channel.unary(
                    TaskStateService.inspect, request: Bytes("1"), options: CallOptions(timeout: .seconds(5)))
                XCTAssertEqual(answer.text, "cancelled=false ownTrace=true")
                let immediate: Bytes = try await running.channel.unary(
                    TaskStateService.inspect, request: Bytes("0"), options: CallOptions(timeout: .seconds(5)))
                XCTAssertEqual(immediate.text, "cancelled=false ownTrace=true")
            }
        }
        await running.stop()
    }

    func testManyConcurrentSuspendedHandlersOnOneQueueAllFinish() async throws {
        let running = try RunningServer.start(services: [TaskStateService()]) { $0.completionQueueCount = 1 }
        let channel = running.channel
        for _ in 0..<3 {
            try await withThrowingTaskGroup(of: String.self) { group in
                for _ in 0..<100 {
                    group.addTask {
                        let answer: Bytes = try await channel.unary(
                            TaskStateService.inspect, request: Bytes("20"), options: CallOptions(timeout: .seconds(10)))
                        return answer.text
                    }
                }
                for try await answer in group {
                    XCTAssertEqual(answer, "cancelled=false ownTrace=true")
                }
            }
        }
        await running.stop()
    }
}
