import Contracts
import GRPCRuntime

extension InteropCase {
    static func clientStreaming(_ client: Grpc_Testing_TestService.Client) async throws {
        let response = try await client.streamingInputCall { writer in
            for size in InteropSizes.streamingRequests {
                try await writer.send(.with { $0.payload = .zeros(size) })
            }
        }
        let expected = InteropSizes.streamingRequests.reduce(0, +)
        try expect(response.aggregatedPayloadSize == expected,
                   "client_streaming: aggregated size \(response.aggregatedPayloadSize), expected \(expected)")
    }

    static func serverStreaming(_ client: Grpc_Testing_TestService.Client) async throws {
        let request = Grpc_Testing_StreamingOutputCallRequest.with {
            $0.responseType = .compressable
            $0.responseParameters = InteropSizes.streamingResponses.map { size in .with { $0.size = Int32(size) } }
        }
        let sizes = try await client.streamingOutputCall(request) { responses in
            var sizes: [Int] = []
            for try await response in responses {
                try expectZeros(response.payload, size: response.payload?.body.count ?? -1, "server_streaming")
                sizes.append(response.payload?.body.count ?? 0)
            }
            return sizes
        }
        try expect(sizes == InteropSizes.streamingResponses,
                   "server_streaming: response sizes \(sizes), expected \(InteropSizes.streamingResponses)")
    }

    static func pingPong(_ client: Grpc_Testing_TestService.Client) async throws {
        // Each request goes out only after the previous response came back.
        let (received, receivedSignal) = AsyncStream.makeStream(of: Void.self)
        let sizes = try await client.fullDuplexCall(requests: { writer in
            var responses = received.makeAsyncIterator()
            for (requestSize, responseSize) in zip(InteropSizes.streamingRequests, InteropSizes.streamingResponses) {
                try await writer.send(.with {
                    $0.responseType = .compressable
                    $0.responseParameters = [.with { $0.size = Int32(responseSize) }]
                    $0.payload = .zeros(requestSize)
                })
                guard await responses.next() != nil else { return }
            }
        }, onResponse: { responses in
            var sizes: [Int] = []
            for try await response in responses {
                let expected = sizes.count < InteropSizes.streamingResponses.count
                    ? InteropSizes.streamingResponses[sizes.count] : -1
                try expectZeros(response.payload, size: expected, "ping_pong response \(sizes.count + 1)")
                sizes.append(expected)
                receivedSignal.yield()
            }
            receivedSignal.finish()
            return sizes
        })
        try expect(sizes == InteropSizes.streamingResponses,
                   "ping_pong: \(sizes.count) responses, expected \(InteropSizes.streamingResponses.count)")
    }

    static func emptyStream(_ client: Grpc_Testing_TestService.Client) async throws {
        let count = try await client.fullDuplexCall(requests: { _ in }, onResponse: { responses in
            var count = 0
            for try await _ in responses { count += 1 }
            return count
        })
        try expect(count == 0, "empty_stream: \(count) responses, expected none")
    }
}
