import Foundation
import GRPCRuntime
import XCTest

/// Answers every call with bytes the test's `Bytes` cannot decode (0xFF first),
/// to see what a client makes of a response it cannot read.
struct UndecodableAnswerService: ServiceProvider {
    static let get = MethodDescriptor(service: "test.Undecodable", method: "Get", kind: .unary)
    var methods: [ServerMethod] {
        [.unary(Self.get) { (_: Bytes, _: ServerContext) in Bytes([0xFF, 0x01]) }]
    }
}

final class ClientUnaryCallTests: XCTestCase {
    func testEveryRequestHeaderReachesTheServerAndItsHeadersAndTrailersComeBack() async throws {
        let running = try RunningServer.start()
        // Several entries, a value longer than a slice holds inline, and a binary one.
        var metadata: Metadata = ["x-first": "one", "x-echo": .string(String(repeating: "long value ", count: 8))]
        metadata.add("x-echo-bin", binary: [0, 1, 2, 255])
        let response: UnaryResponse<Bytes> = try await running.channel.unaryCall(
            Echo.get, request: Bytes("hello"), options: CallOptions(timeout: .seconds(10), metadata: metadata))
        XCTAssertEqual(response.message.text, "hello")
        XCTAssertEqual(response.initialMetadata.first("x-echo"), String(repeating: "long value ", count: 8))
        XCTAssertEqual(response.trailingMetadata.firstBinary("x-echo-bin"), [0, 1, 2, 255])
        await running.stop()
    }

    func testAResponseTheClientCannotDecodeFailsWithInternal() async throws {
        let running = try RunningServer.start(services: [UndecodableAnswerService()])
        let error = await assertRPCError(.internalError) {
            let _: Bytes = try await running.channel.unary(UndecodableAnswerService.get, request: Bytes("x"),
                                                           options: CallOptions())
        }
        XCTAssertEqual(error?.message, "response could not be decoded")
        await running.stop()
    }

    func testCallsToMorePathsThanTheChannelRegistersStillReachTheServer() async throws {
        let running = try RunningServer.start()
        // 300 distinct paths: past the 256 the channel registers with the
        // core, calls make their path slice each time; each must still reach
        // the server (which knows none of them) and come back UNIMPLEMENTED.
        for index in 0..<300 {
            let method = MethodDescriptor(service: "test.Unknown", method: "M\(index)", kind: .unary)
            await assertRPCError(.unimplemented) {
                let _: Bytes = try await running.channel.unary(method, request: Bytes("x"), options: CallOptions())
            }
        }
        let echoed: Bytes = try await running.channel.unary(Echo.get, request: Bytes("still"), options: CallOptions())
        XCTAssertEqual(echoed.text, "still")
        await running.stop()
    }

    func testTasksPreferringTheCompletionExecutorContinueOnTheClientCompletionThread() async throws {
        let running = try RunningServer.start()
        let channel = running.channel
        let threadNames = try await withThrowingTaskGroup(of: [String].self) { group in
            for task in 0..<16 {
                group.addTask(executorPreference: Channel.completionExecutor) {
                    var names: [String] = []
                    for call in 0..<20 {
                        let text = "\(task)-\(call)"
                        let response: Bytes = try await channel.unary(Echo.get, request: Bytes(text), options: CallOptions())
                        XCTAssertEqual(response.text, text)
                        names.append(currentThreadName())
                    }
                    return names
                }
            }
            return try await group.reduce(into: []) { $0 += $1 }
        }
        XCTAssertEqual(threadNames.count, 320)
        XCTAssertEqual(Set(threadNames), ["cq-client-#0"])
        await running.stop()
    }

    func testTasksWithoutAPreferenceContinueOffTheCompletionThread() async throws {
        let running = try RunningServer.start()
        for call in 0..<20 {
            let response: Bytes = try await running.channel.unary(Echo.get, request: Bytes("\(call)"), options: CallOptions())
            XCTAssertEqual(response.text, "\(call)")
            XCTAssertNotEqual(currentThreadName(), "cq-client-#0")
        }
        await running.stop()
    }
}

/// The name of the calling thread, as Linux keeps it.
private func currentThreadName() -> String {
    let name = (try? String(contentsOfFile: "/proc/thread-self/comm", encoding: .utf8)) ?? ""
    return name.trimmingCharacters(in: .newlines)
}
