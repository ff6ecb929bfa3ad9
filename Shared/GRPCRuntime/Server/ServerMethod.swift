/// One RPC bound to its handler, typed at the edge and bytes inside.
///
/// The runtime decodes requests (a failure is INVALID_ARGUMENT), runs the
/// interceptors and the handler, and encodes responses.
///
/// `unary` and `serverStreaming` are inlinable: the generated code that calls
/// them gets its own copy specialised for its request and response types, so
/// the decode, the handler and the encode run in one frame of concrete types
/// instead of generic code going through witness tables.
///
/// The handlers are `nonisolated(nonsending)`, as the generated service
/// requirements are: a handler declared so runs on the executor of the
/// call's worker (the completion-queue thread) with no executor check at its
/// start. A plain `async` function or closure is accepted too, and runs in
/// the same place after that check.
public struct ServerMethod: Sendable {
    public let descriptor: MethodDescriptor
    /// Runs the handler; returns the encoded single response of unary and
    /// client-streaming methods, which the runtime sends with the status.
    /// `nonisolated(nonsending)`: it runs on the executor of the handler's
    /// Task (the completion-queue thread) without the hop to the generic
    /// executor that a plain `async` function makes at its start, which with
    /// a Task executor preference reads the preference under the task's
    /// status lock.
    let invoke: nonisolated(nonsending) @Sendable (ServerCall, ServerContext) async throws -> OutgoingMessage?

    @usableFromInline
    init(descriptor: MethodDescriptor,
         invoke: nonisolated(nonsending) @escaping @Sendable (ServerCall, ServerContext) async throws -> OutgoingMessage?) {
        self.descriptor = descriptor
        self.invoke = invoke
    }

    @inlinable
    public static func unary<Req: WireMessage, Res: WireMessage>(
        _ d: MethodDescriptor,
        _ handler: nonisolated(nonsending) @escaping @Sendable (Req, ServerContext) async throws -> Res
    ) -> ServerMethod {
        ServerMethod(descriptor: d) { call, context in
            guard let bytes = call.initialRequest() else { try await call.requestMissing() }
            let request: Req = try await decodeRequest(bytes)
            return try encodeResponse(try await handler(request, context))
        }
    }

    @inlinable
    public static func serverStreaming<Req: WireMessage, Res: WireMessage>(
        _ d: MethodDescriptor,
        _ handler: nonisolated(nonsending) @escaping @Sendable (Req, ResponseStreamWriter<Res>, ServerContext) async throws -> Void
    ) -> ServerMethod {
        ServerMethod(descriptor: d) { call, context in
            guard let bytes = call.initialRequest() else { try await call.requestMissing() }
            let request: Req = try await decodeRequest(bytes)
            try await handler(request, ResponseStreamWriter(call: call), context)
            return nil
        }
    }

    public static func clientStreaming<Req: WireMessage, Res: WireMessage>(
        _ d: MethodDescriptor,
        _ handler: nonisolated(nonsending) @escaping @Sendable (RequestStream<Req>, ServerContext) async throws -> Res
    ) -> ServerMethod {
        ServerMethod(descriptor: d) { call, context in
            try encodeResponse(try await handler(RequestStream(call: call), context))
        }
    }

    public static func bidirectionalStreaming<Req: WireMessage, Res: WireMessage>(
        _ d: MethodDescriptor,
        _ handler: nonisolated(nonsending) @escaping @Sendable (RequestStream<Req>, ResponseStreamWriter<Res>, ServerContext) async throws -> Void
    ) -> ServerMethod {
        ServerMethod(descriptor: d) { call, context in
            try await handler(RequestStream(call: call), ResponseStreamWriter(call: call), context)
            return nil
        }
    }

    /// Whether the core reads the single request with the call itself
    /// (`GRPC_SRM_PAYLOAD_READ_INITIAL_BYTE_BUFFER`), saving one batch.
    var readsInitialPayload: Bool {
        descriptor.kind == .unary || descriptor.kind == .serverStreaming
    }
}

/// A response encoded straight into the core's byte buffer.
@inlinable
func encodeResponse<Res: WireMessage>(_ response: Res) throws -> OutgoingMessage {
    do {
        return try response.withSerializedBytes { OutgoingMessage(copying: $0) }
    } catch {
        throw RPCError(.internalError, "response could not be encoded")
    }
}

/// Requests of at least this many bytes are decoded on Swift's pool rather
/// than on the completion-queue thread that received them.
///
/// Why: a server has one thread that reads every socket (queue #0, the only
/// polling queue: docs/runtime.md, Threading model), and a handler's code
/// runs on its call's queue thread. Decoding a message of many fields costs
/// in proportion to its size (a BulkIntake batch: about 8 ns a byte, 4.4 ms
/// for 1,000 persons), during which no other call's bytes are read: a gate's
/// check would wait behind an upload. The trip to the pool costs a thread
/// hand-over (a wake-up, some 10 µs); 16 KiB of such fields take about 130 µs, so
/// the threshold keeps a wide margin over the hop's cost, and the gates'
/// requests (a few hundred bytes) never pay it. After the decode the handler
/// carries on on the pool until a completion of its queue resumes it there.
@usableFromInline
let poolDecodedRequestBytes = 16 * 1024

/// A request decoded from borrowed bytes (on the pool when large); failures
/// as `decodingFailure` says.
@inlinable
nonisolated(nonsending) func decodeRequest<Req: WireMessage>(_ bytes: UnsafeRawBufferPointer) async throws -> Req {
    try await decodeRequest(size: bytes.count) { try decodeRequestHere(bytes) }
}

/// A request of a stream decoded (on the pool when large); failures as
/// `decodingFailure` says.
nonisolated(nonsending) func decodeRequest<Req: WireMessage>(_ bytes: [UInt8]) async throws -> Req {
    try await decodeRequest(size: bytes.count) { try decodeRequestHere(bytes) }
}

/// Runs `decode` where a request of `size` bytes belongs: here when small,
/// on the pool when large (`poolDecodedRequestBytes`). A large request of a
/// call already cancelled is not decoded (nobody will hear the answer).
@inlinable
nonisolated(nonsending) func decodeRequest<Req: WireMessage>(size: Int, _ decode: () throws -> Req) async throws -> Req {
    guard size >= poolDecodedRequestBytes else { return try decode() }
    guard !Task.isCancelled else { throw RPCError(.cancelled, "call cancelled before its request was decoded") }
    return try await withTaskExecutorPreference(globalConcurrentExecutor) { try decode() }
}

/// A request decoded from borrowed bytes, on the current thread.
@inlinable
func decodeRequestHere<Req: WireMessage>(_ bytes: UnsafeRawBufferPointer) throws -> Req {
    do {
        return try Req(serializedBuffer: bytes)
    } catch {
        throw decodingFailure(error)
    }
}

func decodeRequestHere<Req: WireMessage>(_ bytes: [UInt8]) throws -> Req {
    do {
        return try Req(serializedBytes: bytes)
    } catch {
        throw decodingFailure(error)
    }
}

/// What a request that failed to decode answers: the codec's own status if
/// it gave one, else INVALID_ARGUMENT.
@usableFromInline
func decodingFailure(_ error: any Error) -> RPCError {
    if let error = error as? RPCError { return error }
    if let error = error as? any RPCErrorConvertible { return error.rpcError }
    return RPCError(.invalidArgument, "request message could not be decoded")
}
