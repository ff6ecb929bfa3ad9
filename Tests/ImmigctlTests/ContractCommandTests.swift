import XCTest

final class ContractCommandTests: XCTestCase {
    func testListShowsEveryServiceOfTheContracts() async throws {
        let result = try await ImmigctlProcess.run(["list"])
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertTrue(result.lines.contains("grpc.health.v1.Health"))
        XCTAssertTrue(result.lines.contains("grpc.testing.TestService"))
        XCTAssertTrue(result.lines.contains("immigration.records.v1.RecordsService"))
        XCTAssertEqual(result.lines, result.lines.sorted())
    }

    func testListOfOneServiceShowsItsMethodsKindsAndMessageTypes() async throws {
        let result = try await ImmigctlProcess.run(["list", "grpc.health.v1.Health"])
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertEqual(result.lines, [
            "METHOD                       KIND              REQUEST                            RESPONSE",
            "grpc.health.v1.Health/Check  unary             grpc.health.v1.HealthCheckRequest  grpc.health.v1.HealthCheckResponse",
            "grpc.health.v1.Health/Watch  server-streaming  grpc.health.v1.HealthCheckRequest  grpc.health.v1.HealthCheckResponse",
        ])
        let testService = try await ImmigctlProcess.run(["list", "TestService"])
        let rows = testService.lines.map { $0.split(separator: " ").map(String.init) }
        XCTAssertTrue(rows.contains(["grpc.testing.TestService/FullDuplexCall", "bidi-streaming",
                                     "grpc.testing.StreamingOutputCallRequest", "grpc.testing.StreamingOutputCallResponse"]),
                      testService.stdout)
        XCTAssertTrue(rows.contains(["grpc.testing.TestService/StreamingInputCall", "client-streaming",
                                     "grpc.testing.StreamingInputCallRequest", "grpc.testing.StreamingInputCallResponse"]),
                      testService.stdout)
    }

    func testDescribeShowsAMessageWithItsFieldsNestedEnumAndJSONNames() async throws {
        let result = try await ImmigctlProcess.run(["describe", "grpc.health.v1.HealthCheckResponse"])
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertEqual(result.stdout, """
            grpc.health.v1.HealthCheckResponse is a message (grpc/health/v1/health.proto):
            message HealthCheckResponse {
              grpc.health.v1.HealthCheckResponse.ServingStatus status = 1;
              enum ServingStatus {
                UNKNOWN = 0;
                SERVING = 1;
                NOT_SERVING = 2;
                SERVICE_UNKNOWN = 3;
              }
            }

            """)
        let request = try await ImmigctlProcess.run(["describe", "grpc.testing.SimpleRequest"])
        XCTAssertTrue(request.stdout.contains("  bool fill_username = 4;  // JSON: fillUsername\n"), request.stdout)
    }

    func testDescribeShowsServicesMethodsEnumsMapsAndOneofs() async throws {
        let service = try await ImmigctlProcess.run(["describe", "grpc.health.v1.Health"])
        XCTAssertEqual(service.stdout, """
            grpc.health.v1.Health is a service (grpc/health/v1/health.proto):
            service Health {
              rpc Check(grpc.health.v1.HealthCheckRequest) returns (grpc.health.v1.HealthCheckResponse);
              rpc Watch(grpc.health.v1.HealthCheckRequest) returns (stream grpc.health.v1.HealthCheckResponse);
            }

            """)
        let method = try await ImmigctlProcess.run(["describe", "grpc.testing.TestService/FullDuplexCall"])
        XCTAssertEqual(method.lines.last,
                       "rpc FullDuplexCall(stream grpc.testing.StreamingOutputCallRequest) returns (stream grpc.testing.StreamingOutputCallResponse);")
        let enumeration = try await ImmigctlProcess.run(["describe", "grpc.health.v1.HealthCheckResponse.ServingStatus"])
        XCTAssertEqual(enumeration.lines.first, "grpc.health.v1.HealthCheckResponse.ServingStatus is an enum (grpc/health/v1/health.proto):")
        let errorInfo = try await ImmigctlProcess.run(["describe", "google.rpc.ErrorInfo"])
        XCTAssertTrue(errorInfo.stdout.contains("  map<string, string> metadata = 3;\n"), errorInfo.stdout)
        let request = try await ImmigctlProcess.run(["describe", "grpc.reflection.v1.ServerReflectionRequest"])
        XCTAssertTrue(request.stdout.contains(
            "  oneof message_request {\n    string file_by_filename = 3;  // JSON: fileByFilename\n"), request.stdout)
    }

    func testDescribeOfAnUnknownSymbolFails() async throws {
        let result = try await ImmigctlProcess.run(["describe", "immigration.nothing.v1.Nothing"])
        XCTAssertEqual(result.status, 1)
        XCTAssertEqual(result.stderr, "immigctl: unknown symbol \"immigration.nothing.v1.Nothing\" (immigctl list shows every service)\n")
    }
}
