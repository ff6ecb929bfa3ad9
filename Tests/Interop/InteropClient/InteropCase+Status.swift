import Contracts
import GRPCRuntime

extension InteropCase {
    static let initialMetadataKey = "x-grpc-test-echo-initial"
    static let initialMetadataValue = "test_initial_metadata_value"
    static let trailingMetadataKey = "x-grpc-test-echo-trailing-bin"
    static let trailingMetadataValue: [UInt8] = [0xab, 0xab, 0xab]

    static func customMetadata(_ client: Grpc_Testing_TestService.Client) async throws {
        var metadata = Metadata()
        metadata.add(initialMetadataKey, initialMetadataValue)
        metadata.add(trailingMetadataKey, binary: trailingMetadataValue)
        let options = CallOptions(metadata: metadata)

        let unary: UnaryResponse<Grpc_Testing_SimpleResponse> = try await client.channel.unaryCall(
            Grpc_Testing_TestService.unaryCall, request: Grpc_Testing_SimpleRequest.with {
                $0.responseType = .compressable
                $0.responseSize = Int32(InteropSizes.largeResponse)
                $0.payload = .zeros(InteropSizes.largeRequest)
            }, options: options)
        try expectZeros(unary.message.payload, size: InteropSizes.largeResponse, "custom_metadata (unary)")
        try expectEchoed(headers: unary.initialMetadata, trailers: unary.trailingMetadata, "custom_metadata (unary)")

        let (headers, trailers) = try await client.fullDuplexCall(options: options, requests: { writer in
            try await writer.send(.with {
                $0.responseType = .compressable
                $0.responseParameters = [.with { $0.size = Int32(InteropSizes.largeResponse) }]
                $0.payload = .zeros(InteropSizes.largeRequest)
            })
        }, onResponse: { responses in
            var count = 0
            for try await response in responses {
                try expectZeros(response.payload, size: InteropSizes.largeResponse, "custom_metadata (full duplex)")
                count += 1
            }
            try expect(count == 1, "custom_metadata (full duplex): \(count) responses, expected 1")
            return (responses.initialMetadata ?? Metadata(), await responses.trailingMetadata())
        })
        try expectEchoed(headers: headers, trailers: trailers, "custom_metadata (full duplex)")
    }

    private static func expectEchoed(headers: Metadata, trailers: Metadata, _ what: String) throws(InteropFailure) {
        try expect(headers.first(initialMetadataKey) == initialMetadataValue,
                   "\(what): header \(initialMetadataKey) is \(headers.first(initialMetadataKey).debugDescription)")
        try expect(trailers.firstBinary(trailingMetadataKey) == trailingMetadataValue,
                   "\(what): trailer \(trailingMetadataKey) is \(trailers.firstBinary(trailingMetadataKey).debugDescription)")
    }

    static func statusCodeAndMessage(_ client: Grpc_Testing_TestService.Client) async throws {
        try await expectEchoedStatus(client, message: "test status message", "status_code_and_message")
    }

    static func specialStatusMessage(_ client: Grpc_Testing_TestService.Client) async throws {
        let message = "\t\ntest with whitespace\r\nand Unicode BMP \u{263A} and non-BMP \u{1F608}\t\n"
        let echo = Grpc_Testing_EchoStatus.with {
            $0.code = 2
            $0.message = message
        }
        let error = try await expectFailure("special_status_message") {
            _ = try await client.unaryCall(.with { $0.responseStatus = echo })
        }
        try expectStatus(error, .unknown, message: message, "special_status_message")
    }

    /// The echoed status, through a unary call and then a full-duplex call.
    private static func expectEchoedStatus(_ client: Grpc_Testing_TestService.Client, message: String,
                                           _ what: String) async throws {
        let echo = Grpc_Testing_EchoStatus.with {
            $0.code = 2
            $0.message = message
        }
        let unaryError = try await expectFailure("\(what) (unary)") {
            _ = try await client.unaryCall(.with { $0.responseStatus = echo })
        }
        try expectStatus(unaryError, .unknown, message: message, "\(what) (unary)")
        let streamError = try await expectFailure("\(what) (full duplex)") {
            _ = try await client.fullDuplexCall(requests: { writer in
                try await writer.send(.with { $0.responseStatus = echo })
            }, onResponse: { responses in
                for try await _ in responses {}
            })
        }
        try expectStatus(streamError, .unknown, message: message, "\(what) (full duplex)")
    }
}
