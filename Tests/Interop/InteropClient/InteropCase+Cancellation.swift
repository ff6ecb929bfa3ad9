import Contracts
import GRPCRuntime

extension InteropCase {
    static func cancelAfterBegin(_ client: Grpc_Testing_TestService.Client) async throws {
        let (started, startedSignal) = AsyncStream.makeStream(of: Void.self)
        let call = Task {
            defer { startedSignal.finish() }
            _ = try await client.streamingInputCall { _ in
                startedSignal.yield()
                // Wait to be cancelled; the call must then end with CANCELLED (not the sleep's error).
                try? await Task.sleep(for: .seconds(60))
            }
        }
        var iterator = started.makeAsyncIterator()
        _ = await iterator.next()
        call.cancel()
        guard case .failure(let error) = await call.result else {
            throw InteropFailure("cancel_after_begin: the call succeeded after it was cancelled")
        }
        try expectStatus(error, .cancelled, "cancel_after_begin")
    }

    static func cancelAfterFirstResponse(_ client: Grpc_Testing_TestService.Client) async throws {
        let (firstResponse, firstResponseSignal) = AsyncStream.makeStream(of: Int.self)
        let call = Task {
            try await client.fullDuplexCall(requests: { writer in
                try await writer.send(.with {
                    $0.responseType = .compressable
                    $0.responseParameters = [.with { $0.size = Int32(InteropSizes.streamingResponses[0]) }]
                    $0.payload = .zeros(InteropSizes.streamingRequests[0])
                })
                try? await Task.sleep(for: .seconds(60))
            }, onResponse: { responses in
                defer { firstResponseSignal.finish() }
                for try await response in responses {
                    firstResponseSignal.yield(response.payload?.body.count ?? 0)
                }
            })
        }
        var iterator = firstResponse.makeAsyncIterator()
        let size = await iterator.next()
        call.cancel()
        try expect(size == InteropSizes.streamingResponses[0],
                   "cancel_after_first_response: first response of \(size.map(String.init) ?? "no") bytes")
        guard case .failure(let error) = await call.result else {
            throw InteropFailure("cancel_after_first_response: the call succeeded after it was cancelled")
        }
        try expectStatus(error, .cancelled, "cancel_after_first_response")
    }

    static func timeoutOnSleepingServer(_ client: Grpc_Testing_TestService.Client) async throws {
        let error = try await expectFailure("timeout_on_sleeping_server") {
            try await client.fullDuplexCall(options: CallOptions(timeout: .milliseconds(1)), requests: { writer in
                // The deadline may pass before the send; that is the expected outcome too.
                try? await writer.send(.with { $0.payload = .zeros(InteropSizes.streamingRequests[0]) })
                // No half-close, as the case's description has it: the server keeps
                // waiting for requests, so only the deadline ends the call (with a
                // half-close a quick server answered OK within the 1 ms, once, in CI).
                // The call's end cancels this wait.
                try? await Task.sleep(for: .seconds(30))
            }, onResponse: { responses in
                for try await _ in responses {}
            })
        }
        try expectStatus(error, .deadlineExceeded, "timeout_on_sleeping_server")
    }
}
