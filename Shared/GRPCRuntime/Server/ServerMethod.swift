/// One RPC bound to its handler, typed at the edge and bytes inside.
///
/// The runtime decodes requests (a failure is INVALID_ARGUMENT), runs the
/// interceptors and the handler, and encodes responses.
public struct ServerMethod: Sendable {
    public let descriptor: MethodDescriptor
    /// Runs the handler; returns the encoded single response of unary and
    /// client-streaming methods, which the runtime sends with the status.
    let invoke: @Sendable (ServerCall, ServerContext) async throws -> [UInt8]?

    public static func unary<Req: WireMessage, Res: WireMessage>(
        _ d: MethodDescriptor,
        _ handler: @escaping @Sendable (Req, ServerContext) async throws -> Res
    ) -> ServerMethod {
        ServerMethod(descriptor: d) { call, context in
            guard let request: Req = try call.decodeInitialRequest() else { try await call.requestMissing() }
            return try encodeResponse(try await handler(request, context))
        }
    }

    public static func serverStreaming<Req: WireMessage, Res: WireMessage>(
        _ d: MethodDescriptor,
        _ handler: @escaping @Sendable (Req, ResponseStreamWriter<Res>, ServerContext) async throws -> Void
    ) -> ServerMethod {
        ServerMethod(descriptor: d) { call, context in
            guard let request: Req = try call.decodeInitialRequest() else { try await call.requestMissing() }
            try await handler(request, ResponseStreamWriter(call: call), context)
            return nil
        }
    }

    public static func clientStreaming<Req: WireMessage, Res: WireMessage>(
        _ d: MethodDescriptor,
        _ handler: @escaping @Sendable (RequestStream<Req>, ServerContext) async throws -> Res
    ) -> ServerMethod {
        ServerMethod(descriptor: d) { call, context in
            try encodeResponse(try await handler(RequestStream(call: call), context))
        }
    }

    public static func bidirectionalStreaming<Req: WireMessage, Res: WireMessage>(
        _ d: MethodDescriptor,
        _ handler: @escaping @Sendable (RequestStream<Req>, ResponseStreamWriter<Res>, ServerContext) async throws -> Void
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

func encodeResponse<Res: WireMessage>(_ response: Res) throws -> [UInt8] {
    do {
        return try response.serializedBytes()
    } catch {
        throw RPCError(.internalError, "response could not be encoded")
    }
}

func decodeRequest<Req: WireMessage>(_ bytes: [UInt8]) throws -> Req {
    do {
        return try Req(serializedBytes: bytes)
    } catch let error as RPCError {
        throw error
    } catch let error as any RPCErrorConvertible {
        throw error.rpcError
    } catch {
        throw RPCError(.invalidArgument, "request message could not be decoded")
    }
}
