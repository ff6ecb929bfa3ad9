import GRPCRuntime
import XCTest

final class StressTests: XCTestCase {
    /// 10,000 calls of every kind, each cancelled by its client at a random
    /// moment; afterwards the server still answers, and it shuts down (which
    /// waits until every call object was released).
    func testThousandsOfCallsCancelledAtRandomPointsLeaveTheServerServing() async throws {
        let running = try RunningServer.start()
        let channel = running.channel
        let completed = Counter()
        let cancelled = Counter()
        await withTaskGroup(of: Void.self) { group in
            for index in 0..<10_000 {
                // At most 64 calls at once, so that cancellations land at every stage of a call.
                if index >= 64 { await group.next() }
                group.addTask {
                    let call = Task {
                        switch index % 4 {
                        case 0:
                            let _: Bytes = try await channel.unary(Echo.get, request: Bytes("\(index)"), options: CallOptions())
                        case 1:
                            try await channel.serverStreaming(Echo.expand, request: Bytes("a b c d e f g h"), options: CallOptions()) {
                                (responses: ResponseStream<Bytes>) in for try await _ in responses {}
                            }
                        case 2:
                            let _: Bytes = try await channel.clientStreaming(Echo.collect, options: CallOptions()) {
                                (writer: RequestStreamWriter<Bytes>) in
                                for word in ["a", "b", "c", "d"] { try await writer.send(Bytes(word)) }
                            }
                        default:
                            try await channel.bidirectionalStreaming(
                                Echo.update, options: CallOptions(),
                                requests: { (writer: RequestStreamWriter<Bytes>) in
                                    for word in ["a", "b", "c", "d"] { try await writer.send(Bytes(word)) }
                                },
                                onResponse: { (responses: ResponseStream<Bytes>) in for try await _ in responses {} })
                        }
                    }
                    try? await Task.sleep(for: .microseconds(Int.random(in: 0...20_000)))
                    call.cancel()
                    switch await call.result {
                    case .success: completed.increment()
                    case .failure(let error as RPCError) where error.code == .cancelled: cancelled.increment()
                    case .failure(let error): XCTFail("unexpected \(error)")
                    }
                }
            }
        }
        // Both outcomes happen: the cancellations land before, during and after calls.
        print("random cancellations: completed \(completed.value), cancelled \(cancelled.value)")
        XCTAssertGreaterThan(completed.value, 20, "completed \(completed.value), cancelled \(cancelled.value)")
        XCTAssertGreaterThan(cancelled.value, 20, "completed \(completed.value), cancelled \(cancelled.value)")
        let response: Bytes = try await channel.unary(Echo.get, request: Bytes("alive"), options: CallOptions())
        XCTAssertEqual(response.text, "alive")
        let stopped = expectation(description: "server stopped")
        Task {
            await running.stop()
            stopped.fulfill()
        }
        await fulfillment(of: [stopped], timeout: 10)
    }
}
