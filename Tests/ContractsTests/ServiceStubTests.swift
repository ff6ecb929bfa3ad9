import Contracts
import GRPCRuntime
import Logging
import Synchronization
import XCTest

/// The generated service namespaces describe each RPC as the proto declares
/// it, and a provider's `methods` route every RPC in declaration order.
final class ServiceStubTests: XCTestCase {
    struct HealthProvider: Grpc_Health_V1_Health.ServiceProtocol {
        func check(request: Grpc_Health_V1_HealthCheckRequest, context: ServerContext) async throws
            -> Grpc_Health_V1_HealthCheckResponse
        {
            .with { $0.status = .serving }
        }

        func watch(request: Grpc_Health_V1_HealthCheckRequest,
                   responses: ResponseStreamWriter<Grpc_Health_V1_HealthCheckResponse>,
                   context: ServerContext) async throws {}
    }

    func testProviderMethodsRouteEveryHealthRPCInDeclarationOrder() {
        XCTAssertEqual(HealthProvider().methods.map(\.descriptor), Grpc_Health_V1_Health.methodDescriptors)
        XCTAssertEqual(Grpc_Health_V1_Health.methodDescriptors.map(\.path),
                       ["/grpc.health.v1.Health/Check", "/grpc.health.v1.Health/Watch"])
        XCTAssertEqual(Grpc_Health_V1_Health.watch.kind, .serverStreaming)
    }

    /// Records the isolation its handler ran in: with the generated requirement
    /// `nonisolated(nonsending)`, a method declared so runs in its caller's.
    struct IsolationRecordingProvider: Grpc_Health_V1_Health.ServiceProtocol {
        let seen: @Sendable ((any Actor)?) -> Void

        nonisolated(nonsending) func check(request: Grpc_Health_V1_HealthCheckRequest, context: ServerContext) async throws
            -> Grpc_Health_V1_HealthCheckResponse
        {
            seen(#isolation)
            return .with { $0.status = .serving }
        }

        nonisolated(nonsending) func watch(request: Grpc_Health_V1_HealthCheckRequest,
                                           responses: ResponseStreamWriter<Grpc_Health_V1_HealthCheckResponse>,
                                           context: ServerContext) async throws {}
    }

    actor Caller {
        func check(through provider: some Grpc_Health_V1_Health.ServiceProtocol) async throws {
            let context = ServerContext(method: Grpc_Health_V1_Health.check, logger: Logger(label: "test"), traceID: "t")
            _ = try await provider.check(request: Grpc_Health_V1_HealthCheckRequest(), context: context)
        }
    }

    func testAServiceMethodCalledThroughTheGeneratedRequirementRunsInItsCallersIsolation() async throws {
        let caller = Caller()
        let seen = Mutex<ObjectIdentifier?>(nil)
        let provider = IsolationRecordingProvider { isolation in
            seen.withLock { $0 = isolation.map { ObjectIdentifier($0) } }
        }
        try await caller.check(through: provider)
        XCTAssertEqual(seen.withLock { $0 }, ObjectIdentifier(caller))
    }

    func testMethodDescriptorsCarryTheStreamingKindOfEachRPC() {
        XCTAssertEqual(Grpc_Testing_TestService.unaryCall.kind, .unary)
        XCTAssertEqual(Grpc_Testing_TestService.streamingOutputCall.kind, .serverStreaming)
        XCTAssertEqual(Grpc_Testing_TestService.streamingInputCall.kind, .clientStreaming)
        XCTAssertEqual(Grpc_Testing_TestService.fullDuplexCall.kind, .bidirectionalStreaming)
        XCTAssertEqual(Grpc_Testing_TestService.unaryCall.path, "/grpc.testing.TestService/UnaryCall")
        XCTAssertEqual(Grpc_Reflection_V1_ServerReflection.serverReflectionInfo.path,
                       "/grpc.reflection.v1.ServerReflection/ServerReflectionInfo")
    }
}
