import Contracts
import GRPCRuntime
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
