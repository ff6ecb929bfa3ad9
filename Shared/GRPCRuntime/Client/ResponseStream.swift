/// The responses of a server-streaming or bidirectional call, as they arrive.
///
/// Iteration ends after the last response when the server's status is OK,
/// and throws that status as `RPCError` otherwise. Iterate it from one task.
public struct ResponseStream<Message: WireMessage>: AsyncSequence, Sendable {
    public typealias Element = Message
    let call: ClientCall

    public struct AsyncIterator: AsyncIteratorProtocol {
        let call: ClientCall
        var finished = false

        public mutating func next() async throws -> Message? {
            guard !finished else { return nil }
            if let bytes = await call.receiveMessage() {
                return try decodeResponse(bytes)
            }
            finished = true
            if let error = await call.status().error { throw error }
            // Our own cancel may have dropped responses the server sent before its OK.
            if Task.isCancelled { throw RPCError(.cancelled, "call cancelled") }
            return nil
        }
    }

    public func makeAsyncIterator() -> AsyncIterator { AsyncIterator(call: call) }

    /// The response headers, once the first response (or the end) arrived.
    public var initialMetadata: Metadata? { call.initialMetadata }

    /// The trailers, waiting for the status if needed.
    public func trailingMetadata() async -> Metadata { await call.status().trailingMetadata }
}

/// Sends the requests of a client-streaming or bidirectional call.
///
/// Sends are serialised; each returns once the core has taken the message.
/// A send after the call ended throws the call's status.
public struct RequestStreamWriter<Message: WireMessage>: Sendable {
    let call: ClientCall

    public func send(_ message: Message) async throws {
        try await call.send(try encodeRequest(message))
    }
}

/// A request encoded straight into the core's byte buffer; the caller hands
/// it to a batch, or discards it.
func encodeRequest<Req: WireMessage>(_ request: Req) throws -> OutgoingMessage {
    do {
        return try request.withSerializedBytes { OutgoingMessage(copying: $0) }
    } catch {
        throw RPCError(.internalError, "request could not be encoded")
    }
}

func decodeResponse<Res: WireMessage>(_ bytes: [UInt8]) throws -> Res {
    do {
        return try Res(serializedBytes: bytes)
    } catch {
        throw RPCError(.internalError, "response could not be decoded")
    }
}
