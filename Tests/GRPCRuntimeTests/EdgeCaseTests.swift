import Foundation
import GRPCRuntime
import XCTest

/// Methods for edge cases: a status with an unusual message, large responses,
/// an endless stream, and a stream that watches for its cancellation.
struct EdgeService: ServiceProvider {
    static let special = MethodDescriptor(service: "test.Edge", method: "Special", kind: .unary)
    static let large = MethodDescriptor(service: "test.Edge", method: "Large", kind: .unary)
    static let endless = MethodDescriptor(service: "test.Edge", method: "Endless", kind: .bidirectionalStreaming)
    static let empty = MethodDescriptor(service: "test.Edge", method: "Empty", kind: .bidirectionalStreaming)
    static let specialMessage = "\t\ntest with whitespace\r\nand Unicode BMP ☺ and non-BMP 😈\t\n 100% done"
    let observer: HandlerObserver

    var methods: [ServerMethod] {
        [
            .unary(Self.special) { (_: Bytes, _: ServerContext) -> Bytes in
                throw RPCError(.unknown, Self.specialMessage)
            },
            .unary(Self.large) { (request: Bytes, _: ServerContext) in
                Bytes([UInt8](repeating: 1, count: Int(request.text) ?? 0))
            },
            .bidirectionalStreaming(Self.endless) { [observer] (requests: RequestStream<Bytes>, writer: ResponseStreamWriter<Bytes>, context: ServerContext) in
                observer.started(deadline: context.deadline)
                do {
                    for try await request in requests { try await writer.send(request) }
                    observer.finished()
                } catch {
                    observer.cancelled()
                    throw error
                }
            },
            .bidirectionalStreaming(Self.empty) { (requests: RequestStream<Bytes>, _: ResponseStreamWriter<Bytes>, _: ServerContext) in
                for try await _ in requests {}
            },
        ]
    }
}

final class EdgeCaseTests: XCTestCase {
    func testStatusMessagesWithWhitespaceUnicodeAndPercentSignsArriveIntact() async throws {
        let running = try RunningServer.start(services: [EdgeService(observer: HandlerObserver())])
        let error = await assertRPCError(.unknown) {
            let _: Bytes = try await running.channel.unary(EdgeService.special, request: Bytes(""), options: CallOptions())
        }
        XCTAssertEqual(error?.message, EdgeService.specialMessage)
        await running.stop()
    }

    func testOversizedResponseFailsWithResourceExhaustedAndTheServerGoesOn() async throws {
        let running = try RunningServer.start(services: [EdgeService(observer: HandlerObserver())]) {
            $0.maxSendMessageBytes = 10_000
        }
        await assertRPCError(.resourceExhausted) {
            let _: Bytes = try await running.channel.unary(EdgeService.large, request: Bytes("20000"), options: CallOptions())
        }
        let fine: Bytes = try await running.channel.unary(EdgeService.large, request: Bytes("9000"), options: CallOptions())
        XCTAssertEqual(fine.bytes.count, 9000)
        await running.stop()
    }

    func testLargeMessagesWithinTheLimitsTravelWhole() async throws {
        let running = try RunningServer.start(services: [EdgeService(observer: HandlerObserver()), EchoService()])
        let large: Bytes = try await running.channel.unary(EdgeService.large, request: Bytes("3000000"), options: CallOptions())
        XCTAssertEqual(large.bytes.count, 3_000_000)
        let payload = (0..<2_000_000).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        let echoed: Bytes = try await running.channel.unary(Echo.get, request: Bytes(payload), options: CallOptions())
        XCTAssertEqual(echoed.bytes, payload)
        await running.stop()
    }

    func testEmptyStreamEndsWithOKAndNoResponses() async throws {
        let running = try RunningServer.start(services: [EdgeService(observer: HandlerObserver())])
        let count = try await running.channel.bidirectionalStreaming(
            EdgeService.empty, options: CallOptions(),
            requests: { (_: RequestStreamWriter<Bytes>) in },
            onResponse: { (responses: ResponseStream<Bytes>) in
                var count = 0
                for try await _ in responses { count += 1 }
                return count
            })
        XCTAssertEqual(count, 0)
        await running.stop()
    }

    func testCancelAfterTheFirstResponseCancelsTheServerHandler() async throws {
        let observer = HandlerObserver()
        let running = try RunningServer.start(services: [EdgeService(observer: observer)])
        let channel = running.channel
        let firstSeen = HandlerObserver()
        let call = Task {
            try await channel.bidirectionalStreaming(
                EdgeService.endless, options: CallOptions(),
                requests: { (writer: RequestStreamWriter<Bytes>) in
                    try await writer.send(Bytes("first"))
                    try await Task.sleep(for: .seconds(30))
                },
                onResponse: { (responses: ResponseStream<Bytes>) in
                    for try await _ in responses { firstSeen.finished() }
                })
        }
        let gotFirst = await firstSeen.eventually { $0.finishedCount == 1 }
        XCTAssertTrue(gotFirst)
        call.cancel()
        do {
            try await call.value
            XCTFail("the cancelled stream ended normally")
        } catch let error as RPCError {
            XCTAssertEqual(error.code, .cancelled)
        } catch is CancellationError {
        }
        let cancelled = await observer.eventually { $0.cancelledCount == 1 }
        XCTAssertTrue(cancelled, "started \(observer.startedCount) finished \(observer.finishedCount)")
        await running.stop()
    }

    func testAClientProcessKilledMidStreamCancelsTheServerHandler() async throws {
        let observer = HandlerObserver()
        let running = try RunningServer.start(services: [EdgeService(observer: observer), EchoService()])
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("Fixtures/grpcio_stream_client.py").path
        let client = Process()
        let output = Pipe()
        client.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        client.arguments = ["python3", script, "\(running.port)"]
        client.standardOutput = output
        try client.run()
        var line = Data()
        while !line.contains(UInt8(ascii: "\n")) {
            let chunk = output.fileHandleForReading.availableData
            guard !chunk.isEmpty else { break }
            line.append(chunk)
        }
        XCTAssertEqual(String(decoding: line, as: UTF8.self), "STREAMING\n")
        XCTAssertEqual(observer.startedCount, 1)
        kill(client.processIdentifier, SIGKILL)
        client.waitUntilExit()
        let cancelled = await observer.eventually { $0.cancelledCount == 1 }
        XCTAssertTrue(cancelled, "the server did not notice the client leaving")
        XCTAssertEqual(observer.finishedCount, 0)
        let response: Bytes = try await running.channel.unary(Echo.get, request: Bytes("next"), options: CallOptions())
        XCTAssertEqual(response.text, "next")
        await running.stop()
    }

    func testHandlerWithoutAClientDeadlineSeesNone() async throws {
        let observer = HandlerObserver()
        let running = try RunningServer.start(services: [EchoService(observer: observer)])
        let _: Bytes = try await running.channel.unary(Echo.sleep, request: Bytes("1"), options: CallOptions())
        XCTAssertNil(observer.lastDeadline)
        await running.stop()
    }
}

final class ConcurrentSendTests: XCTestCase {
    static let fanOut = MethodDescriptor(service: "test.Fan", method: "Out", kind: .serverStreaming)

    struct FanService: ServiceProvider {
        var methods: [ServerMethod] {
            [.serverStreaming(ConcurrentSendTests.fanOut) { (_: Bytes, writer: ResponseStreamWriter<Bytes>, _: ServerContext) in
                try await withThrowingTaskGroup(of: Void.self) { group in
                    for sender in 0..<10 {
                        group.addTask {
                            for index in 0..<20 { try await writer.send(Bytes("\(sender)-\(index)")) }
                        }
                    }
                    try await group.waitForAll()
                }
            }]
        }
    }

    func testSendsFromManyTasksAreSerialisedAndAllArrive() async throws {
        let running = try RunningServer.start(services: [FanService()])
        let received = try await running.channel.serverStreaming(Self.fanOut, request: Bytes(""), options: CallOptions()) {
            (responses: ResponseStream<Bytes>) in
            var received: [String] = []
            for try await response in responses { received.append(response.text) }
            return received
        }
        XCTAssertEqual(received.count, 200)
        XCTAssertEqual(Set(received).count, 200)
        for sender in 0..<10 {
            let own = received.filter { $0.hasPrefix("\(sender)-") }
            XCTAssertEqual(own, (0..<20).map { "\(sender)-\($0)" }, "each task's messages keep their order")
        }
        await running.stop()
    }
}
