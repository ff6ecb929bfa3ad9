import Contracts
import GRPCRuntime

/// `grpc.health.v1.Health` over a `HealthStatusBoard`, as load balancers,
/// orchestrators and `grpc_health_probe` expect: Check answers at once (NOT_FOUND
/// for an unknown name); Watch sends the current status, then each change, until
/// the caller cancels (SERVICE_UNKNOWN for an unknown name, which may become known later).
public struct HealthService: Grpc_Health_V1_Health.ServiceProtocol {
    public let board: HealthStatusBoard

    public init(board: HealthStatusBoard) {
        self.board = board
    }

    public func check(request: Grpc_Health_V1_HealthCheckRequest,
                      context: ServerContext) async throws -> Grpc_Health_V1_HealthCheckResponse {
        guard let status = board.status(of: request.service) else {
            throw RPCError(.notFound, "unknown service \(request.service)")
        }
        var response = Grpc_Health_V1_HealthCheckResponse()
        response.status = status
        return response
    }

    public func watch(request: Grpc_Health_V1_HealthCheckRequest,
                      responses: ResponseStreamWriter<Grpc_Health_V1_HealthCheckResponse>,
                      context: ServerContext) async throws {
        // Cancellation (client gone, deadline, shutdown) ends the iteration.
        for await status in board.watch(request.service) {
            var response = Grpc_Health_V1_HealthCheckResponse()
            response.status = status
            try await responses.send(response)
        }
    }
}
