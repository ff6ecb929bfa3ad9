import Contracts
import GRPCRuntime

/// grpc.testing.TestService reduced to the benchmark's one method: UnaryCall
/// answers with the request's payload. The rest is UNIMPLEMENTED.
struct EchoService: Grpc_Testing_TestService.ServiceProtocol {
    nonisolated(nonsending) func unaryCall(request: Grpc_Testing_SimpleRequest, context: ServerContext) async throws -> Grpc_Testing_SimpleResponse {
        var response = Grpc_Testing_SimpleResponse()
        response.payload = request.payload
        return response
    }

    nonisolated(nonsending) func emptyCall(request: Grpc_Testing_Empty, context: ServerContext) async throws -> Grpc_Testing_Empty {
        Grpc_Testing_Empty()
    }

    nonisolated(nonsending) func cacheableUnaryCall(request: Grpc_Testing_SimpleRequest, context: ServerContext) async throws -> Grpc_Testing_SimpleResponse {
        throw RPCError(.unimplemented, "not part of the benchmark")
    }

    nonisolated(nonsending) func streamingOutputCall(request: Grpc_Testing_StreamingOutputCallRequest,
                             responses: ResponseStreamWriter<Grpc_Testing_StreamingOutputCallResponse>,
                             context: ServerContext) async throws {
        throw RPCError(.unimplemented, "not part of the benchmark")
    }

    nonisolated(nonsending) func streamingInputCall(requests: RequestStream<Grpc_Testing_StreamingInputCallRequest>,
                            context: ServerContext) async throws -> Grpc_Testing_StreamingInputCallResponse {
        throw RPCError(.unimplemented, "not part of the benchmark")
    }

    nonisolated(nonsending) func fullDuplexCall(requests: RequestStream<Grpc_Testing_StreamingOutputCallRequest>,
                        responses: ResponseStreamWriter<Grpc_Testing_StreamingOutputCallResponse>,
                        context: ServerContext) async throws {
        throw RPCError(.unimplemented, "not part of the benchmark")
    }

    nonisolated(nonsending) func halfDuplexCall(requests: RequestStream<Grpc_Testing_StreamingOutputCallRequest>,
                        responses: ResponseStreamWriter<Grpc_Testing_StreamingOutputCallResponse>,
                        context: ServerContext) async throws {
        throw RPCError(.unimplemented, "not part of the benchmark")
    }

    nonisolated(nonsending) func unimplementedCall(request: Grpc_Testing_Empty, context: ServerContext) async throws -> Grpc_Testing_Empty {
        throw RPCError(.unimplemented, "not part of the benchmark")
    }
}
