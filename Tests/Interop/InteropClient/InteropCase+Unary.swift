import Contracts
import GRPCRuntime

extension InteropCase {
    static func emptyUnary(_ client: Grpc_Testing_TestService.Client) async throws {
        let response = try await client.emptyCall(Grpc_Testing_Empty())
        try expect(response == Grpc_Testing_Empty(), "empty_unary: response is not empty: \(response)")
    }

    static func largeUnary(_ client: Grpc_Testing_TestService.Client) async throws {
        let response = try await client.unaryCall(.with {
            $0.responseType = .compressable
            $0.responseSize = Int32(InteropSizes.largeResponse)
            $0.payload = .zeros(InteropSizes.largeRequest)
        })
        try expectZeros(response.payload, size: InteropSizes.largeResponse, "large_unary")
    }

    static func unimplementedMethod(_ client: Grpc_Testing_TestService.Client) async throws {
        let error = try await expectFailure("unimplemented_method") {
            _ = try await client.unimplementedCall(Grpc_Testing_Empty())
        }
        try expectStatus(error, .unimplemented, "unimplemented_method")
    }

    static func unimplementedService(_ channel: Channel) async throws {
        let error = try await expectFailure("unimplemented_service") {
            _ = try await Grpc_Testing_UnimplementedService.Client(channel: channel).unimplementedCall(Grpc_Testing_Empty())
        }
        try expectStatus(error, .unimplemented, "unimplemented_service")
    }
}
