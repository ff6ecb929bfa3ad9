import Contracts
import GRPCRuntime
import Logging
import Postgres
import XCTest
@testable import ServiceHost

/// A service whose one RPC throws what the storage layer would: the host must
/// turn it into its status, after authorisation by the service's policy.
private struct FailingStore: ServiceProvider {
    static let insert = MethodDescriptor(service: "immigration.test.v1.Store", method: "Insert", kind: .unary)
    static let open = MethodDescriptor(service: "immigration.test.v1.Store", method: "Ping", kind: .unary)

    var methods: [ServerMethod] {
        [.unary(FailingStore.insert) { (_: Grpc_Testing_Empty, _: ServerContext) -> Grpc_Testing_Empty in
            throw PostgresError(code: .uniqueViolation, origin: .server,
                                unsafeMessage: "Key (document_number)=(B1234567) already exists.",
                                constraintName: "document_number_key")
         },
         .unary(FailingStore.open) { (_: Grpc_Testing_Empty, _: ServerContext) -> Grpc_Testing_Empty in
            Grpc_Testing_Empty()
         }]
    }
}

final class RunningServiceTests: XCTestCase {
    private let definition = ServiceDefinition(
        name: "store", policy: [FailingStore.insert: [.ops]], openMethods: [FailingStore.open],
        usesDatabase: false, makeProviders: { _ in [FailingStore()] })

    private func start() async throws -> (RunningService, Channel) {
        let configuration = ServiceConfiguration(serviceName: "store", grpcListen: "127.0.0.1:0",
                                                 security: .plaintextForDevelopment)
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        let service = try await RunningService.start(definition, configuration: configuration, logger: logger,
                                                     metrics: PrometheusMetrics())
        let channel = try Channel(target: "127.0.0.1:\(service.port)", security: .plaintext)
        return (service, channel)
    }

    private let ops: CallOptions = CallOptions(timeout: .seconds(5),
                                               metadata: ["x-dev-caller": "spiffe://immigration.example/ops/operator-1"])

    func testADatabaseErrorThrownByAHandlerReachesTheClientAsItsStatus() async throws {
        let (service, channel) = try await start()
        do {
            let _: Grpc_Testing_Empty = try await channel.unary(FailingStore.insert, request: Grpc_Testing_Empty(), options: ops)
            XCTFail("expected ALREADY_EXISTS")
        } catch let error as RPCError {
            XCTAssertEqual(error.code, .alreadyExists)
            XCTAssertTrue(error.message.contains("document_number_key"))
            XCTAssertFalse(error.message.contains("B1234567"))
        }
        channel.close()
        await service.shutdown(gracePeriod: .seconds(1))
    }

    func testThePolicyIsEnforcedButHealthReflectionAndOpenMethodsNeedNoIdentity() async throws {
        let (service, channel) = try await start()
        do {
            let _: Grpc_Testing_Empty = try await channel.unary(FailingStore.insert, request: Grpc_Testing_Empty(),
                                                                options: CallOptions(timeout: .seconds(5)))
            XCTFail("expected UNAUTHENTICATED")
        } catch let error as RPCError {
            XCTAssertEqual(error.code, .unauthenticated)
        }
        let gate = CallOptions(timeout: .seconds(5), metadata: ["x-dev-caller": "spiffe://immigration.example/gate/HAN-T2-07"])
        do {
            let _: Grpc_Testing_Empty = try await channel.unary(FailingStore.insert, request: Grpc_Testing_Empty(), options: gate)
            XCTFail("expected PERMISSION_DENIED")
        } catch let error as RPCError {
            XCTAssertEqual(error.code, .permissionDenied)
        }
        let _: Grpc_Testing_Empty = try await channel.unary(FailingStore.open, request: Grpc_Testing_Empty(),
                                                            options: CallOptions(timeout: .seconds(5)))
        var request = Grpc_Health_V1_HealthCheckRequest()
        request.service = "immigration.test.v1.Store"
        let health = try await Grpc_Health_V1_Health.Client(channel: channel).check(request, options: CallOptions(timeout: .seconds(5)))
        XCTAssertEqual(health.status, .serving)
        channel.close()
        await service.shutdown(gracePeriod: .seconds(1))
    }

    func testShutdownTellsWatchersNotServingAndEndsTheirStream() async throws {
        let (service, channel) = try await start()
        let seen = try await withThrowingTaskGroup(of: [HealthStatusBoard.Status].self) { group in
            group.addTask {
                try await Grpc_Health_V1_Health.Client(channel: channel).watch(
                    Grpc_Health_V1_HealthCheckRequest(), options: CallOptions(timeout: .seconds(10))) { responses in
                    var statuses: [HealthStatusBoard.Status] = []
                    for try await response in responses { statuses.append(response.status) }
                    return statuses
                }
            }
            while service.health.watcherCount == 0 { try await Task.sleep(for: .milliseconds(10)) }
            await service.shutdown(gracePeriod: .seconds(5))
            return try await group.next() ?? []
        }
        XCTAssertEqual(seen, [.serving, .notServing])
        channel.close()
    }
}
