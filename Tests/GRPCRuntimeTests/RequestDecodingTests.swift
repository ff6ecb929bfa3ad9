import Foundation
import GRPCRuntime
import XCTest

/// A request that remembers the thread it was decoded on and its size.
struct DecodedWhere: WireMessage {
    let thread: String
    let size: Int

    init(serializedBytes: [UInt8]) throws {
        thread = (try? String(contentsOfFile: "/proc/thread-self/comm", encoding: .utf8))?
            .trimmingCharacters(in: .newlines) ?? "?"
        size = serializedBytes.count
    }

    func serializedBytes() throws -> [UInt8] { [] }
}

/// Answers where each request was decoded, as "size:thread" words.
struct DecodingPlaceService: ServiceProvider {
    static let one = MethodDescriptor(service: "test.DecodingPlace", method: "One", kind: .unary)
    static let many = MethodDescriptor(service: "test.DecodingPlace", method: "Many", kind: .clientStreaming)

    var methods: [ServerMethod] {
        [.unary(Self.one) { (request: DecodedWhere, _: ServerContext) -> Bytes in
            Bytes("\(request.size):\(request.thread)")
         },
         .clientStreaming(Self.many) { (requests: RequestStream<DecodedWhere>, _: ServerContext) -> Bytes in
            var words: [String] = []
            for try await request in requests { words.append("\(request.size):\(request.thread)") }
            return Bytes(words.joined(separator: " "))
         }]
    }
}

final class RequestDecodingTests: XCTestCase {
    /// Small requests are decoded on the completion-queue thread that received
    /// them; large ones (a bulk-intake batch, an image) on Swift's pool, so that
    /// the thread that reads every socket is not held for milliseconds.
    func testLargeRequestsAreDecodedAwayFromTheCompletionQueue() async throws {
        let running = try RunningServer.start(services: [DecodingPlaceService()]) {
            $0.completionQueueCount = 1
            $0.name = "decoding"
        }
        let small = Bytes([UInt8](repeating: 7, count: 1_000))
        let large = Bytes([UInt8](repeating: 7, count: 100_000))
        let options = CallOptions(timeout: .seconds(10))
        let channel = running.channel

        let unarySmall: Bytes = try await channel.unary(DecodingPlaceService.one, request: small, options: options)
        let unaryLarge: Bytes = try await channel.unary(DecodingPlaceService.one, request: large, options: options)
        XCTAssertEqual(unarySmall.text, "1000:cq-decoding-#0")
        XCTAssertTrue(unaryLarge.text.hasPrefix("100000:"), unaryLarge.text)
        XCTAssertFalse(unaryLarge.text.contains(":cq-"), unaryLarge.text)

        let streamed: Bytes = try await channel.clientStreaming(DecodingPlaceService.many, options: options) {
            (writer: RequestStreamWriter<Bytes>) in
            for request in [small, large, small] { try await writer.send(request) }
        }
        let words = streamed.text.split(separator: " ").map(String.init)
        XCTAssertEqual(words.count, 3, streamed.text)
        XCTAssertEqual(words.first, "1000:cq-decoding-#0")
        // The third is small, but where it is decoded depends on timing: after the
        // large one the handler carries on on the pool, and if the third has already
        // arrived when it asks, it is decoded there with no hop back.
        XCTAssertTrue(words.count == 3 && words[2].hasPrefix("1000:"), streamed.text)
        XCTAssertTrue(words.count == 3 && words[1].hasPrefix("100000:") && !words[1].contains(":cq-"), streamed.text)
        await running.stop()
    }
}
