/// The requests of a client-streaming or bidirectional call, as they arrive.
///
/// Iterate it once, from one task: the core allows one receive at a time.
/// A request that cannot be decoded ends the iteration with INVALID_ARGUMENT.
public struct RequestStream<Message: WireMessage>: AsyncSequence, Sendable {
    public typealias Element = Message
    let call: ServerCall

    public struct AsyncIterator: AsyncIteratorProtocol {
        let call: ServerCall

        public mutating func next() async throws -> Message? {
            guard let bytes = try await call.receiveMessage() else { return nil }
            return try await decodeRequest(bytes)
        }
    }

    public func makeAsyncIterator() -> AsyncIterator { AsyncIterator(call: call) }
}

/// Sends the responses of a server-streaming or bidirectional call.
///
/// Sends are serialised: concurrent callers wait their turn, and each send
/// returns once the core has taken the message. Response headers
/// (`ServerContext.response`) go out with the first message.
public struct ResponseStreamWriter<Message: WireMessage>: Sendable {
    let call: ServerCall

    @usableFromInline
    init(call: ServerCall) { self.call = call }

    public func send(_ message: Message) async throws {
        try await call.sendMessage(try encodeResponse(message))
    }
}
