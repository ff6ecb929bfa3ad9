import Contracts
import GRPCRuntime

/// grpc.testing.TestService as the immigctl tests need it: echoes what it is
/// sent, names the caller, fails with the status it is asked for, and can hold
/// a response stream open until the test says so.
struct DemoTestService: Grpc_Testing_TestService.ServiceProtocol {
    /// Server streams wait here between their first and second response.
    let gate: StreamGate

    func emptyCall(request: Grpc_Testing_Empty, context: ServerContext) async throws -> Grpc_Testing_Empty {
        Grpc_Testing_Empty()
    }

    func unaryCall(request: Grpc_Testing_SimpleRequest, context: ServerContext) async throws -> Grpc_Testing_SimpleResponse {
        try Self.fail(request.responseStatus)
        return Grpc_Testing_SimpleResponse.with {
            $0.payload = request.payload
            if request.fillUsername { $0.username = context.caller?.spiffeID ?? "anonymous" }
            $0.oauthScope = context.requestMetadata.first("x-echo") ?? ""
        }
    }

    func cacheableUnaryCall(request: Grpc_Testing_SimpleRequest, context: ServerContext) async throws -> Grpc_Testing_SimpleResponse {
        try await unaryCall(request: request, context: context)
    }

    func streamingOutputCall(request: Grpc_Testing_StreamingOutputCallRequest,
                             responses: ResponseStreamWriter<Grpc_Testing_StreamingOutputCallResponse>,
                             context: ServerContext) async throws {
        for (index, parameters) in request.responseParameters.enumerated() {
            if index == 1 && request.payload?.body == Array("wait".utf8) { await gate.wait() }
            try await responses.send(Self.response(size: parameters.size))
        }
        try Self.fail(request.responseStatus)
    }

    func streamingInputCall(requests: RequestStream<Grpc_Testing_StreamingInputCallRequest>,
                            context: ServerContext) async throws -> Grpc_Testing_StreamingInputCallResponse {
        var total: Int32 = 0
        for try await request in requests { total += Int32(request.payload?.body.count ?? 0) }
        return Grpc_Testing_StreamingInputCallResponse.with { $0.aggregatedPayloadSize = total }
    }

    func fullDuplexCall(requests: RequestStream<Grpc_Testing_StreamingOutputCallRequest>,
                        responses: ResponseStreamWriter<Grpc_Testing_StreamingOutputCallResponse>,
                        context: ServerContext) async throws {
        for try await request in requests {
            try Self.fail(request.responseStatus)
            for parameters in request.responseParameters { try await responses.send(Self.response(size: parameters.size)) }
        }
    }

    func halfDuplexCall(requests: RequestStream<Grpc_Testing_StreamingOutputCallRequest>,
                        responses: ResponseStreamWriter<Grpc_Testing_StreamingOutputCallResponse>,
                        context: ServerContext) async throws {
        var all: [Grpc_Testing_StreamingOutputCallRequest] = []
        for try await request in requests { all.append(request) }
        for request in all {
            for parameters in request.responseParameters { try await responses.send(Self.response(size: parameters.size)) }
        }
    }

    func unimplementedCall(request: Grpc_Testing_Empty, context: ServerContext) async throws -> Grpc_Testing_Empty {
        throw RPCError(.unimplemented, "not implemented")
    }

    static func response(size: Int32) -> Grpc_Testing_StreamingOutputCallResponse {
        Grpc_Testing_StreamingOutputCallResponse.with {
            $0.payload = Grpc_Testing_Payload.with { $0.body = [UInt8](repeating: 0x61, count: Int(size)) }
        }
    }

    /// Throws the status asked for; INVALID_ARGUMENT comes with two field
    /// violations, ABORTED with a google.rpc.ErrorInfo detail.
    static func fail(_ status: Grpc_Testing_EchoStatus?) throws {
        guard let status, status.code != 0 else { return }
        let code = StatusCode(rawValue: status.code)
        let violations = code == .invalidArgument
            ? [FieldViolation(field: "payload.body", description: "must not be empty"),
               FieldViolation(field: "response_size", description: "must be at most 1024")]
            : []
        var trailers = Metadata()
        if code == .aborted {
            let info = Google_Rpc_ErrorInfo.with {
                $0.reason = "LOCK_HELD"
                $0.domain = "records.immigration.example"
                $0.metadata = ["attempt": "2"]
            }
            let details = Google_Rpc_Status.with {
                $0.code = code.rawValue
                $0.message = status.message
                $0.details = [Google_Protobuf_Any.with {
                    $0.typeURL = "type.googleapis.com/google.rpc.ErrorInfo"
                    $0.value = (try? info.serializedBytes()) ?? []
                }]
            }
            trailers.add("grpc-status-details-bin", binary: try details.serializedBytes())
        }
        throw RPCError(code, status.message, fieldViolations: violations, trailingMetadata: trailers)
    }
}

/// Holds a server stream until the test has seen its first response.
actor StreamGate {
    private var opened = false
    private var waiters: [CheckedContinuation<Void, Never>] = []

    func wait() async {
        if opened { return }
        await withCheckedContinuation { waiters.append($0) }
    }

    func open() {
        opened = true
        for waiter in waiters { waiter.resume() }
        waiters = []
    }
}

/// grpc.health.v1.Health answering a fixed status for the whole server.
struct DemoHealthService: Grpc_Health_V1_Health.ServiceProtocol {
    let status: Grpc_Health_V1_HealthCheckResponse.ServingStatus

    func check(request: Grpc_Health_V1_HealthCheckRequest, context: ServerContext) async throws -> Grpc_Health_V1_HealthCheckResponse {
        guard request.service.isEmpty else { throw RPCError(.notFound, "unknown service") }
        return Grpc_Health_V1_HealthCheckResponse.with { $0.status = status }
    }

    func watch(request: Grpc_Health_V1_HealthCheckRequest,
               responses: ResponseStreamWriter<Grpc_Health_V1_HealthCheckResponse>, context: ServerContext) async throws {
        try await responses.send(try await check(request: request, context: context))
    }
}
