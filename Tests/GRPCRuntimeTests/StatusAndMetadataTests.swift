import GRPCRuntime
import XCTest

final class StatusAndMetadataTests: XCTestCase {
    func testTextAndBinaryMetadataTravelBothWays() async throws {
        let running = try RunningServer.start()
        var metadata: Metadata = ["x-echo": "gate HAN-T2-07"]
        let bytes: [UInt8] = [0, 1, 2, 0x7f, 0x80, 0xff]
        metadata.add("x-echo-bin", binary: bytes)
        let response: UnaryResponse<Bytes> = try await running.channel.unaryCall(
            Echo.get, request: Bytes("hi"), options: CallOptions(metadata: metadata))
        XCTAssertEqual(response.initialMetadata.first("x-echo"), "gate HAN-T2-07")
        XCTAssertEqual(response.trailingMetadata.firstBinary("x-echo-bin"), bytes)
        await running.stop()
    }

    func testFieldViolationsReachTheClientAsBadRequestDetails() async throws {
        let running = try RunningServer.start()
        let error = await assertRPCError(.invalidArgument) {
            let _: Bytes = try await running.channel.unary(Echo.fail, request: Bytes("x"), options: CallOptions())
        }
        XCTAssertEqual(error?.message, "two fields are wrong")
        XCTAssertEqual(error?.fieldViolations, [
            FieldViolation(field: "person.date_of_birth", description: "must not be in the future"),
            FieldViolation(field: "document.number", description: "must be 8 or 9 characters"),
        ])
        XCTAssertNotNil(error?.trailingMetadata.firstBinary("grpc-status-details-bin"))
        await running.stop()
    }

    func testUnknownMethodIsUnimplemented() async throws {
        let running = try RunningServer.start()
        let missing = MethodDescriptor(service: "test.Echo", method: "Missing", kind: .unary)
        await assertRPCError(.unimplemented) {
            let _: Bytes = try await running.channel.unary(missing, request: Bytes("x"), options: CallOptions())
        }
        let unknownService = MethodDescriptor(service: "test.Nowhere", method: "Get", kind: .bidirectionalStreaming)
        await assertRPCError(.unimplemented) {
            try await running.channel.bidirectionalStreaming(
                unknownService, options: CallOptions(),
                requests: { (writer: RequestStreamWriter<Bytes>) in try? await writer.send(Bytes("x")) },
                onResponse: { (responses: ResponseStream<Bytes>) in for try await _ in responses {} })
        }
        await running.stop()
    }

    func testMalformedRequestIsInvalidArgument() async throws {
        let running = try RunningServer.start()
        await assertRPCError(.invalidArgument) {
            let _: Bytes = try await running.channel.unary(Echo.get, request: Bytes([0xFF, 1, 2]), options: CallOptions())
        }
        await assertRPCError(.invalidArgument) {
            let _: Bytes = try await running.channel.clientStreaming(Echo.collect, options: CallOptions()) {
                (writer: RequestStreamWriter<Bytes>) in
                try await writer.send(Bytes("fine"))
                try await writer.send(Bytes([0xFF]))
            }
        }
        let response: Bytes = try await running.channel.unary(Echo.get, request: Bytes("still up"), options: CallOptions())
        XCTAssertEqual(response.text, "still up")
        await running.stop()
    }

    func testOversizedRequestIsResourceExhausted() async throws {
        let running = try RunningServer.start { $0.maxReceiveMessageBytes = 1024 }
        await assertRPCError(.resourceExhausted) {
            let _: Bytes = try await running.channel.unary(
                Echo.get, request: Bytes([UInt8](repeating: 7, count: 4096)), options: CallOptions())
        }
        let response: Bytes = try await running.channel.unary(
            Echo.get, request: Bytes([UInt8](repeating: 7, count: 1000)), options: CallOptions())
        XCTAssertEqual(response.bytes.count, 1000)
        await running.stop()
    }

    func testStatusDetailsRoundTripThroughTheEncoder() throws {
        let error = RPCError.invalidArgument(field: "passport.number", rule: "must be 8 or 9 characters")
        XCTAssertEqual(error.code, .invalidArgument)
        XCTAssertEqual(error.fieldViolations, [FieldViolation(field: "passport.number", description: "must be 8 or 9 characters")])
    }
}
