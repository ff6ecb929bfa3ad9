import GRPCRuntime
import XCTest

final class DeadlineAndCancellationTests: XCTestCase {
    func testHandlerSeesTheDeadlineAndIsCancelledWhenItPasses() async throws {
        let observer = HandlerObserver()
        let running = try RunningServer.start(services: [EchoService(observer: observer)])
        let before = ContinuousClock.now
        await assertRPCError(.deadlineExceeded) {
            let _: Bytes = try await running.channel.unary(
                Echo.sleep, request: Bytes("5000"), options: CallOptions(timeout: .milliseconds(300)))
        }
        XCTAssertLessThan(ContinuousClock.now - before, .seconds(2))
        let deadline = try XCTUnwrap(observer.lastDeadline)
        XCTAssertGreaterThan(before.duration(to: deadline), .zero)
        XCTAssertLessThan(before.duration(to: deadline), .milliseconds(400))
        let cancelled = await observer.eventually { $0.cancelledCount == 1 }
        XCTAssertTrue(cancelled, "the handler was not cancelled at its deadline")
        XCTAssertEqual(observer.finishedCount, 0)
        await running.stop()
    }

    func testZeroDeadlineFailsWithDeadlineExceeded() async throws {
        let running = try RunningServer.start()
        await assertRPCError(.deadlineExceeded) {
            let _: Bytes = try await running.channel.unary(Echo.get, request: Bytes("x"), options: CallOptions(timeout: .zero))
        }
        await running.stop()
    }

    func testNegativeAndHugeTimeoutsAreAcceptedAsNowAndNever() async throws {
        let running = try RunningServer.start()
        await assertRPCError(.deadlineExceeded) {
            let _: Bytes = try await running.channel.unary(Echo.get, request: Bytes("x"), options: CallOptions(timeout: .seconds(-5)))
        }
        let response: Bytes = try await running.channel.unary(
            Echo.get, request: Bytes("x"), options: CallOptions(timeout: .seconds(Int64.max)))
        XCTAssertEqual(response.text, "x")
        await running.stop()
    }

    func testClientCancellationCancelsTheServerHandler() async throws {
        let observer = HandlerObserver()
        let running = try RunningServer.start(services: [EchoService(observer: observer)])
        let channel = running.channel
        let call = Task {
            let _: Bytes = try await channel.unary(Echo.sleep, request: Bytes("5000"), options: CallOptions())
        }
        let started = await observer.eventually { $0.startedCount == 1 }
        XCTAssertTrue(started)
        call.cancel()
        do {
            try await call.value
            XCTFail("the cancelled call succeeded")
        } catch let error as RPCError {
            XCTAssertEqual(error.code, .cancelled)
        }
        let cancelled = await observer.eventually { $0.cancelledCount == 1 }
        XCTAssertTrue(cancelled, "the server handler was not cancelled")
        await running.stop()
    }

    func testRequestClosuresStoppedByCancellationEndTheCallWithCancelled() async throws {
        let running = try RunningServer.start()
        await assertRPCError(.cancelled) {
            let _: Bytes = try await running.channel.clientStreaming(Echo.collect, options: CallOptions()) {
                (writer: RequestStreamWriter<Bytes>) in
                try await writer.send(Bytes("a"))
                throw CancellationError()
            }
        }
        await assertRPCError(.cancelled) {
            try await running.channel.bidirectionalStreaming(
                Echo.update, options: CallOptions(),
                requests: { (writer: RequestStreamWriter<Bytes>) in
                    try await writer.send(Bytes("a"))
                    throw CancellationError()
                },
                onResponse: { (responses: ResponseStream<Bytes>) in
                    for try await _ in responses {}
                })
        }
        // The channel still works.
        let response: Bytes = try await running.channel.unary(Echo.get, request: Bytes("x"), options: CallOptions())
        XCTAssertEqual(response.text, "x")
        await running.stop()
    }

    func testServerEndingAStreamEarlyReachesTheClientAsItsStatus() async throws {
        let early = MethodDescriptor(service: "test.Early", method: "Stop", kind: .bidirectionalStreaming)
        struct EarlyService: ServiceProvider {
            let method: MethodDescriptor
            var methods: [ServerMethod] {
                [.bidirectionalStreaming(method) { (requests: RequestStream<Bytes>, writer: ResponseStreamWriter<Bytes>, _: ServerContext) in
                    for try await request in requests {
                        try await writer.send(request)
                        throw RPCError(.aborted, "server stopped the stream")
                    }
                }]
            }
        }
        let running = try RunningServer.start(services: [EarlyService(method: early)])
        let received = Counter()
        await assertRPCError(.aborted) {
            try await running.channel.bidirectionalStreaming(
                early, options: CallOptions(),
                requests: { (writer: RequestStreamWriter<Bytes>) in
                    for _ in 0..<1000 { try await writer.send(Bytes("again")) }
                },
                onResponse: { (responses: ResponseStream<Bytes>) in
                    for try await _ in responses { received.increment() }
                })
        }
        XCTAssertEqual(received.value, 1)
        await running.stop()
    }

    func testServerStreamingConsumerThatStopsEarlyCancelsTheCall() async throws {
        let running = try RunningServer.start()
        let first = try await running.channel.serverStreaming(
            Echo.expand, request: Bytes(Array(repeating: "word", count: 1000).joined(separator: " ")),
            options: CallOptions()
        ) { (responses: ResponseStream<Bytes>) -> String? in
            for try await response in responses { return response.text }
            return nil
        }
        XCTAssertEqual(first, "word")
        let response: Bytes = try await running.channel.unary(Echo.get, request: Bytes("after"), options: CallOptions())
        XCTAssertEqual(response.text, "after")
        await running.stop()
    }
}

final class Counter: Sendable {
    private let count = Mutex<Int>(0)
    func increment() { count.withLock { $0 += 1 } }
    var value: Int { count.withLock { $0 } }
}

import Synchronization
