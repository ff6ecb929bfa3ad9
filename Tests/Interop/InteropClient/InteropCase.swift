import Contracts
import GRPCRuntime

/// The standard interop cases this client runs, named as in gRPC's
/// doc/interop-test-descriptions.md so that test drivers pass the same names.
enum InteropCase: String, CaseIterable, Sendable {
    case emptyUnary = "empty_unary"
    case largeUnary = "large_unary"
    case clientStreaming = "client_streaming"
    case serverStreaming = "server_streaming"
    case pingPong = "ping_pong"
    case emptyStream = "empty_stream"
    case customMetadata = "custom_metadata"
    case statusCodeAndMessage = "status_code_and_message"
    case specialStatusMessage = "special_status_message"
    case unimplementedMethod = "unimplemented_method"
    case unimplementedService = "unimplemented_service"
    case cancelAfterBegin = "cancel_after_begin"
    case cancelAfterFirstResponse = "cancel_after_first_response"
    case timeoutOnSleepingServer = "timeout_on_sleeping_server"

    /// Runs the case; throws `InteropFailure` (or the call's error) when it fails.
    func run(on channel: Channel) async throws {
        let client = Grpc_Testing_TestService.Client(channel: channel)
        switch self {
        case .emptyUnary: try await Self.emptyUnary(client)
        case .largeUnary: try await Self.largeUnary(client)
        case .clientStreaming: try await Self.clientStreaming(client)
        case .serverStreaming: try await Self.serverStreaming(client)
        case .pingPong: try await Self.pingPong(client)
        case .emptyStream: try await Self.emptyStream(client)
        case .customMetadata: try await Self.customMetadata(client)
        case .statusCodeAndMessage: try await Self.statusCodeAndMessage(client)
        case .specialStatusMessage: try await Self.specialStatusMessage(client)
        case .unimplementedMethod: try await Self.unimplementedMethod(client)
        case .unimplementedService: try await Self.unimplementedService(channel)
        case .cancelAfterBegin: try await Self.cancelAfterBegin(client)
        case .cancelAfterFirstResponse: try await Self.cancelAfterFirstResponse(client)
        case .timeoutOnSleepingServer: try await Self.timeoutOnSleepingServer(client)
        }
    }
}

/// Request and response sizes the interop description fixes.
enum InteropSizes {
    static let largeRequest = 271_828
    static let largeResponse = 314_159
    static let streamingRequests = [27_182, 8, 1_828, 45_904]
    static let streamingResponses = [31_415, 9, 2_653, 58_979]
}

extension Grpc_Testing_Payload {
    /// A payload of `size` zero bytes, as every interop case sends.
    static func zeros(_ size: Int) -> Grpc_Testing_Payload {
        .with {
            $0.type = .compressable
            $0.body = [UInt8](repeating: 0, count: size)
        }
    }
}

/// Checks that a response payload is `size` zero bytes.
func expectZeros(_ payload: Grpc_Testing_Payload?, size: Int, _ what: String) throws(InteropFailure) {
    guard let payload else { throw InteropFailure("\(what): no payload") }
    try expect(payload.body.count == size, "\(what): payload of \(payload.body.count) bytes, expected \(size)")
    try expect(payload.body.allSatisfy { $0 == 0 }, "\(what): payload bytes are not all zero")
}

/// Checks that `error` is an `RPCError` with `code` (and `message` when given).
func expectStatus(_ error: any Error, _ code: StatusCode, message: String? = nil,
                  _ what: String) throws(InteropFailure) {
    guard let rpcError = error as? RPCError else {
        throw InteropFailure("\(what): expected status \(code.name), got a non-RPC error: \(error)")
    }
    try expect(rpcError.code == code, "\(what): expected status \(code.name), got \(rpcError)")
    if let message {
        try expect(rpcError.message == message,
                   "\(what): expected message \(message.debugDescription), got \(rpcError.message.debugDescription)")
    }
}

/// Runs `call`, which must fail; returns its error.
func expectFailure(_ what: String, _ call: () async throws -> Void) async throws -> any Error {
    do {
        try await call()
    } catch {
        return error
    }
    throw InteropFailure("\(what): the call succeeded; it should have failed")
}
