import Contracts
import GRPCRuntime

/// `grpc.testing.TestService` as grpc's interop-test-descriptions.md asks of
/// a server: payloads of the requested sizes, echoed status, echoed metadata
/// (`x-grpc-test-echo-initial` as a header, `x-grpc-test-echo-trailing-bin` as
/// a trailer), paced streams, and UNIMPLEMENTED for UnimplementedCall.
struct TestServiceProvider: Grpc_Testing_TestService.ServiceProtocol {
    static let echoInitialKey = "x-grpc-test-echo-initial"
    static let echoTrailingKey = "x-grpc-test-echo-trailing-bin"

    func emptyCall(request: Grpc_Testing_Empty, context: ServerContext) async throws -> Grpc_Testing_Empty {
        echoMetadata(context)
        return Grpc_Testing_Empty()
    }

    func unaryCall(request: Grpc_Testing_SimpleRequest, context: ServerContext) async throws -> Grpc_Testing_SimpleResponse {
        echoMetadata(context)
        try throwRequestedStatus(request.responseStatus)
        var response = Grpc_Testing_SimpleResponse()
        response.payload = try payload(size: request.responseSize, field: "response_size")
        return response
    }

    func cacheableUnaryCall(request: Grpc_Testing_SimpleRequest,
                            context: ServerContext) async throws -> Grpc_Testing_SimpleResponse {
        try await unaryCall(request: request, context: context)
    }

    func streamingOutputCall(request: Grpc_Testing_StreamingOutputCallRequest,
                             responses: ResponseStreamWriter<Grpc_Testing_StreamingOutputCallResponse>,
                             context: ServerContext) async throws {
        echoMetadata(context)
        try await answer(request, on: responses)
        try throwRequestedStatus(request.responseStatus)
    }

    func streamingInputCall(requests: RequestStream<Grpc_Testing_StreamingInputCallRequest>,
                            context: ServerContext) async throws -> Grpc_Testing_StreamingInputCallResponse {
        echoMetadata(context)
        var total = 0
        for try await request in requests { total += request.payload?.body.count ?? 0 }
        var response = Grpc_Testing_StreamingInputCallResponse()
        response.aggregatedPayloadSize = Int32(clamping: total)
        return response
    }

    func fullDuplexCall(requests: RequestStream<Grpc_Testing_StreamingOutputCallRequest>,
                        responses: ResponseStreamWriter<Grpc_Testing_StreamingOutputCallResponse>,
                        context: ServerContext) async throws {
        echoMetadata(context)
        for try await request in requests {
            try throwRequestedStatus(request.responseStatus)
            try await answer(request, on: responses)
        }
    }

    func halfDuplexCall(requests: RequestStream<Grpc_Testing_StreamingOutputCallRequest>,
                        responses: ResponseStreamWriter<Grpc_Testing_StreamingOutputCallResponse>,
                        context: ServerContext) async throws {
        echoMetadata(context)
        var all: [Grpc_Testing_StreamingOutputCallRequest] = []
        for try await request in requests { all.append(request) }
        for request in all {
            try throwRequestedStatus(request.responseStatus)
            try await answer(request, on: responses)
        }
    }

    func unimplementedCall(request: Grpc_Testing_Empty, context: ServerContext) async throws -> Grpc_Testing_Empty {
        throw RPCError(.unimplemented, "grpc.testing.TestService/UnimplementedCall is not implemented")
    }

    /// One response per `response_parameters` entry, each after its `interval_us`.
    private func answer(_ request: Grpc_Testing_StreamingOutputCallRequest,
                        on responses: ResponseStreamWriter<Grpc_Testing_StreamingOutputCallResponse>) async throws {
        for (index, parameters) in request.responseParameters.enumerated() {
            if parameters.intervalUs > 0 { try await Task.sleep(for: .microseconds(parameters.intervalUs)) }
            var response = Grpc_Testing_StreamingOutputCallResponse()
            response.payload = try payload(size: parameters.size, field: "response_parameters[\(index)].size")
            try await responses.send(response)
        }
    }

    private func payload(size: Int32, field: String) throws -> Grpc_Testing_Payload {
        guard size >= 0 else { throw RPCError.invalidArgument(field: field, rule: "must not be negative") }
        var payload = Grpc_Testing_Payload()
        payload.type = .compressable
        payload.body = [UInt8](repeating: 0, count: Int(size))
        return payload
    }

    private func throwRequestedStatus(_ status: Grpc_Testing_EchoStatus?) throws {
        guard let status, status.code != 0 else { return }
        throw RPCError(StatusCode(rawValue: status.code), status.message)
    }

    private func echoMetadata(_ context: ServerContext) {
        if let initial = context.requestMetadata.first(TestServiceProvider.echoInitialKey) {
            context.response.addHeaders([TestServiceProvider.echoInitialKey: .string(initial)])
        }
        for (key, value) in context.requestMetadata where key == TestServiceProvider.echoTrailingKey {
            var trailers = Metadata()
            trailers.add(key, binary: value.bytes)
            context.response.addTrailers(trailers)
        }
    }
}
