import Dispatch
import Foundation
import GRPCRuntime
import XCTest

/// Large numbered messages: a 0x01 byte (payloads starting with 0xFF do not
/// decode), an 8-byte index, then bytes derived from it, so the receiver can
/// check order and content without keeping the messages.
enum NumberedPayload {
    static func make(index: Int, size: Int) -> Bytes {
        var bytes = [UInt8](repeating: 0, count: max(size, 9))
        bytes[0] = 1
        withUnsafeBytes(of: UInt64(index).littleEndian) { bytes.replaceSubrange(1..<9, with: $0) }
        let fill = UInt8(truncatingIfNeeded: index &* 31 &+ 7)
        for offset in stride(from: 9, to: bytes.count, by: 4096) { bytes[offset] = fill }
        bytes[bytes.count - 1] = fill
        return Bytes(bytes)
    }

    /// The index a payload carries, or nil if its content does not match it.
    static func index(of payload: Bytes) -> Int? {
        guard payload.bytes.count >= 9, payload.bytes[0] == 1 else { return nil }
        let index = Int(payload.bytes[1..<9].withUnsafeBytes { $0.loadUnaligned(as: UInt64.self).littleEndian })
        let fill = UInt8(truncatingIfNeeded: index &* 31 &+ 7)
        for offset in stride(from: 9, to: payload.bytes.count, by: 4096) where payload.bytes[offset] != fill { return nil }
        return payload.bytes[payload.bytes.count - 1] == fill ? index : nil
    }
}

/// How a slow handler waits after each message, as a database load would:
/// on a timer, on a Dispatch queue, on a thread of its own, or not at all.
enum SlowWait {
    static func after(index: Int) async throws {
        var random = SystemRandomNumberGenerator()
        let micros = Int.random(in: 0...8_000, using: &random)
        switch index % 4 {
        case 0:
            try await Task.sleep(for: .microseconds(micros))
        case 1:
            await withUnsafeContinuation { (continuation: UnsafeContinuation<Void, Never>) in
                DispatchQueue.global().asyncAfter(deadline: .now() + .microseconds(micros)) { continuation.resume() }
            }
        case 2:
            await withUnsafeContinuation { (continuation: UnsafeContinuation<Void, Never>) in
                Thread.detachNewThread {
                    usleep(UInt32(micros))
                    continuation.resume()
                }
            }
        default:
            await Task.yield()
        }
    }
}

/// Client-streaming and bidirectional methods whose handler waits after each
/// large message, checking the order of what arrives.
struct SlowSinkService: ServiceProvider {
    static let load = MethodDescriptor(service: "test.SlowSink", method: "Load", kind: .clientStreaming)
    static let acknowledge = MethodDescriptor(service: "test.SlowSink", method: "Acknowledge", kind: .bidirectionalStreaming)
    static let refuse = MethodDescriptor(service: "test.SlowSink", method: "Refuse", kind: .clientStreaming)
    static let refuseStream = MethodDescriptor(service: "test.SlowSink", method: "RefuseStream", kind: .bidirectionalStreaming)

    var methods: [ServerMethod] {
        [
            .clientStreaming(Self.load) { (requests: RequestStream<Bytes>, _: ServerContext) -> Bytes in
                var expected = 0
                for try await request in requests {
                    guard NumberedPayload.index(of: request) == expected else {
                        throw RPCError(.dataLoss, "message \(expected) arrived out of order or damaged")
                    }
                    try await SlowWait.after(index: expected)
                    expected += 1
                }
                return Bytes("\(expected)")
            },
            .clientStreaming(Self.refuse) { (requests: RequestStream<Bytes>, _: ServerContext) -> Bytes in
                for try await _ in requests { break }
                throw RPCError(.invalidArgument, "refused at the first message")
            },
            .bidirectionalStreaming(Self.refuseStream) { (requests: RequestStream<Bytes>, _: ResponseStreamWriter<Bytes>, _: ServerContext) in
                for try await _ in requests { break }
                throw RPCError(.invalidArgument, "refused at the first message")
            },
            .bidirectionalStreaming(Self.acknowledge) {
                (requests: RequestStream<Bytes>, writer: ResponseStreamWriter<Bytes>, _: ServerContext) in
                var expected = 0
                for try await request in requests {
                    guard NumberedPayload.index(of: request) == expected else {
                        throw RPCError(.dataLoss, "message \(expected) arrived out of order or damaged")
                    }
                    try await SlowWait.after(index: expected)
                    try await writer.send(Bytes("\(expected)"))
                    expected += 1
                }
            },
        ]
    }
}

/// A stream of many large messages to a handler that is slower than the
/// client, so flow control keeps the client waiting on its sends: every
/// message must arrive, in order, and the call must end (a lost wake-up on
/// either side shows as DEADLINE_EXCEEDED instead of a hang).
/// `GRPC_RUNTIME_BACKPRESSURE_MESSAGES` sets the number of messages (300).
final class ClientStreamingBackpressureTests: XCTestCase {
    private var messageCount: Int {
        ProcessInfo.processInfo.environment["GRPC_RUNTIME_BACKPRESSURE_MESSAGES"].flatMap(Int.init) ?? 300
    }

    /// Sizes from 100 KB to 1 MB, made a few ahead on other tasks, as the
    /// records intake client makes its batches.
    private static func send(_ count: Int, to writer: RequestStreamWriter<Bytes>) async throws {
        var pending: [Task<Bytes, Never>] = []
        var next = 0
        while next < count || !pending.isEmpty {
            while next < count && pending.count < 4 {
                let index = next
                pending.append(Task { NumberedPayload.make(index: index, size: Int.random(in: 100_000...1_000_000)) })
                next += 1
            }
            try await writer.send(await pending.removeFirst().value)
        }
    }

    func testEveryLargeMessageOfAClientStreamReachesASlowHandlerInOrder() async throws {
        let running = try RunningServer.start(services: [SlowSinkService()]) { $0.maxReceiveMessageBytes = 2 << 20 }
        let count = messageCount
        let response: Bytes = try await running.channel.clientStreaming(
            SlowSinkService.load, options: CallOptions(timeout: .seconds(120))
        ) { (writer: RequestStreamWriter<Bytes>) in
            try await Self.send(count, to: writer)
        }
        XCTAssertEqual(response.text, "\(count)")
        await running.stop()
    }

    func testEveryLargeMessageOfABidirectionalStreamIsAcknowledgedInOrder() async throws {
        let running = try RunningServer.start(services: [SlowSinkService()]) { $0.maxReceiveMessageBytes = 2 << 20 }
        let count = messageCount
        let acknowledged = try await running.channel.bidirectionalStreaming(
            SlowSinkService.acknowledge, options: CallOptions(timeout: .seconds(120)),
            requests: { (writer: RequestStreamWriter<Bytes>) in try await Self.send(count, to: writer) },
            onResponse: { (responses: ResponseStream<Bytes>) in
                var next = 0
                for try await response in responses {
                    guard response.text == "\(next)" else { return -1 }
                    next += 1
                }
                return next
            })
        XCTAssertEqual(acknowledged, count)
        await running.stop()
    }

    /// The server ends the call while the client is still sending (its
    /// sends held back by flow control): the client gets the server's status
    /// at once, not when the deadline cancels the call. The core withholds
    /// the status from a call with no receive pending until its sending side
    /// closes, so the client keeps the response's receive pending meanwhile.
    func testAClientStillSendingLearnsAtOnceThatTheServerEndedTheCall() async throws {
        let running = try RunningServer.start(services: [SlowSinkService()]) { $0.maxReceiveMessageBytes = 2 << 20 }
        let started = ContinuousClock.now
        await assertRPCError(.invalidArgument) {
            let _: Bytes = try await running.channel.clientStreaming(
                SlowSinkService.refuse, options: CallOptions(timeout: .seconds(60))
            ) { (writer: RequestStreamWriter<Bytes>) in
                for index in 0..<200 { try await writer.send(NumberedPayload.make(index: index, size: 1_000_000)) }
            }
        }
        // The deadline is the failure: a hang ends there, with the same status.
        XCTAssertLessThan(ContinuousClock.now - started, .seconds(30))
        await running.stop()
    }

    /// The same for a bidirectional call, whose response iterator keeps a
    /// receive pending while the requests go out.
    func testABidirectionalClientStillSendingLearnsAtOnceThatTheServerEndedTheCall() async throws {
        let running = try RunningServer.start(services: [SlowSinkService()]) { $0.maxReceiveMessageBytes = 2 << 20 }
        let started = ContinuousClock.now
        await assertRPCError(.invalidArgument) {
            try await running.channel.bidirectionalStreaming(
                SlowSinkService.refuseStream, options: CallOptions(timeout: .seconds(60)),
                requests: { (writer: RequestStreamWriter<Bytes>) in
                    for index in 0..<200 { try await writer.send(NumberedPayload.make(index: index, size: 1_000_000)) }
                },
                onResponse: { (responses: ResponseStream<Bytes>) in
                    for try await _ in responses {}
                })
        }
        XCTAssertLessThan(ContinuousClock.now - started, .seconds(30))
        await running.stop()
    }
}
