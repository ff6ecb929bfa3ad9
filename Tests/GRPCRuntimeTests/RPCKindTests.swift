import GRPCRuntime
import XCTest

final class RPCKindTests: XCTestCase {
    func testUnaryCallEchoesTheRequest() async throws {
        let running = try RunningServer.start()
        let response: Bytes = try await running.channel.unary(Echo.get, request: Bytes("hello"), options: CallOptions())
        XCTAssertEqual(response.text, "hello")
        await running.stop()
    }

    func testEmptyUnaryRequestIsAMessageNotAnError() async throws {
        let running = try RunningServer.start()
        let response: Bytes = try await running.channel.unary(Echo.get, request: Bytes([]), options: CallOptions())
        XCTAssertEqual(response.bytes, [])
        await running.stop()
    }

    func testServerStreamingSendsEachWordAsAResponse() async throws {
        let running = try RunningServer.start()
        let words = try await running.channel.serverStreaming(
            Echo.expand, request: Bytes("one two three"), options: CallOptions()
        ) { (responses: ResponseStream<Bytes>) in
            var words: [String] = []
            for try await response in responses { words.append(response.text) }
            return words
        }
        XCTAssertEqual(words, ["one", "two", "three"])
        await running.stop()
    }

    func testClientStreamingCollectsEveryRequest() async throws {
        let running = try RunningServer.start()
        let response: Bytes = try await running.channel.clientStreaming(Echo.collect, options: CallOptions()) {
            (writer: RequestStreamWriter<Bytes>) in
            for word in ["a", "b", "c"] { try await writer.send(Bytes(word)) }
        }
        XCTAssertEqual(response.text, "a b c")
        await running.stop()
    }

    func testClientStreamingWithNoRequestsGetsAnEmptyCollection() async throws {
        let running = try RunningServer.start()
        let response: Bytes = try await running.channel.clientStreaming(Echo.collect, options: CallOptions()) {
            (_: RequestStreamWriter<Bytes>) in
        }
        XCTAssertEqual(response.text, "")
        await running.stop()
    }

    func testBidirectionalStreamingAnswersEachRequest() async throws {
        let running = try RunningServer.start()
        let answers = try await running.channel.bidirectionalStreaming(
            Echo.update, options: CallOptions(),
            requests: { (writer: RequestStreamWriter<Bytes>) in
                for index in 0..<50 { try await writer.send(Bytes("\(index)")) }
            },
            onResponse: { (responses: ResponseStream<Bytes>) in
                var answers: [String] = []
                for try await response in responses { answers.append(response.text) }
                return answers
            })
        XCTAssertEqual(answers, (0..<50).map { "echo \($0)" })
        await running.stop()
    }

    func testManyConcurrentUnaryCallsAllSucceed() async throws {
        let running = try RunningServer.start()
        let channel = running.channel
        try await withThrowingTaskGroup(of: Void.self) { group in
            for index in 0..<500 {
                group.addTask {
                    let response: Bytes = try await channel.unary(Echo.get, request: Bytes("\(index)"), options: CallOptions())
                    XCTAssertEqual(response.text, "\(index)")
                }
            }
            try await group.waitForAll()
        }
        await running.stop()
    }
}
