import GRPCRuntime
import ProtoJSON

/// One RPC as `call` runs it: reads the requests, picks the runtime call of the
/// method's kind, and prints each response as soon as it arrives.
struct RPCInvocation: Sendable {
    let channel: Channel
    let method: MethodDescriptor
    let requestType: MessageType
    let responseType: MessageType
    let options: CallOptions
    let input: RequestInput
    let output: ProtoJSON.EncodingOptions
    let ignoreUnknownFields: Bool
    let verbose: Bool

    func run() async throws {
        switch method.kind {
        case .unary:
            let response: UnaryResponse<RawMessage> = try await channel.unaryCall(
                method, request: try await singleRequest(), options: options)
            showMetadata("headers", response.initialMetadata)
            try show(response.message)
            showMetadata("trailers", response.trailingMetadata)
        case .serverStreaming:
            try await channel.serverStreaming(method, request: try await singleRequest(), options: options) {
                (responses: ResponseStream<RawMessage>) in try await printAll(responses)
            }
        case .clientStreaming:
            let response: RawMessage = try await channel.clientStreaming(method, options: options) { writer in
                try await sendAll(writer)
            }
            try show(response)
        case .bidirectionalStreaming:
            try await channel.bidirectionalStreaming(method, options: options, requests: { writer in
                try await sendAll(writer)
            }, onResponse: { (responses: ResponseStream<RawMessage>) in
                try await printAll(responses)
            })
        }
    }

    /// The one request of a unary or server-streaming call; empty input is `{}`.
    private func singleRequest() async throws -> RawMessage {
        var bytes = await input.readAll()
        if bytes.allSatisfy({ $0 == 0x20 || $0 == 0x0a || $0 == 0x0d || $0 == 0x09 }) { bytes = Array("{}".utf8) }
        return try requestType.decode(json: bytes, ignoreUnknownFields: ignoreUnknownFields)
    }

    private func sendAll(_ writer: RequestStreamWriter<RawMessage>) async throws {
        var index = 0
        for try await object in input.objects() {
            index += 1
            let message: RawMessage
            do {
                message = try requestType.decode(json: object, ignoreUnknownFields: ignoreUnknownFields)
            } catch {
                throw CommandFailure("request \(index): \(error.description)")
            }
            try await writer.send(message)
        }
    }

    private func printAll(_ responses: ResponseStream<RawMessage>) async throws {
        var first = true
        for try await response in responses {
            if first, let headers = responses.initialMetadata { showMetadata("headers", headers) }
            first = false
            try show(response)
        }
        if verbose { showMetadata("trailers", await responses.trailingMetadata()) }
    }

    private func show(_ response: RawMessage) throws {
        Console.out(try responseType.encode(response, options: output))
    }

    private func showMetadata(_ title: String, _ metadata: Metadata) {
        guard verbose else { return }
        var lines = ["\(title):"]
        for (key, value) in metadata {
            switch value {
            case .string(let text): lines.append("  \(key): \(text)")
            case .binary(let bytes): lines.append("  \(key): (\(bytes.count) bytes)")
            }
        }
        Console.error(lines.joined(separator: "\n"))
    }
}
