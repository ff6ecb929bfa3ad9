import GRPCRuntime
import XCTest

final class AuthorizationTests: XCTestCase {
    var certificates: TestCertificates { .shared }
    let policy = AuthorizationInterceptor(policy: [Echo.whoAmI: [.gate, .controlUnit], Echo.get: [.agency]])

    func channel(_ name: String, port: Int) throws -> Channel {
        try Channel(target: "127.0.0.1:\(port)",
                    security: .mutualTLS(certificateChainPath: certificates.folder + "/\(name).pem",
                                         privateKeyPath: certificates.folder + "/\(name).key",
                                         trustRootsPath: certificates.caPath))
    }

    func startMutualTLSServer() throws -> RunningServer {
        try RunningServer.start(
            security: .mutualTLS(certificateChainPath: certificates.serverChainPath, privateKeyPath: certificates.serverKeyPath,
                                 clientCARootsPath: certificates.caPath),
            channelSecurity: .mutualTLS(certificateChainPath: certificates.gateChainPath,
                                        privateKeyPath: certificates.gateKeyPath, trustRootsPath: certificates.caPath),
            interceptors: [policy])
    }

    func testDeclaredRoleMayCall() async throws {
        let running = try startMutualTLSServer()
        let response: Bytes = try await running.channel.unary(Echo.whoAmI, request: Bytes(""), options: CallOptions())
        XCTAssertEqual(response.text, "gate HAN-T2-07")
        let agency = try channel("agency", port: running.port)
        let echoed: Bytes = try await agency.unary(Echo.get, request: Bytes("query"), options: CallOptions())
        XCTAssertEqual(echoed.text, "query")
        agency.close()
        await running.stop()
    }

    func testRoleNotInThePolicyIsPermissionDenied() async throws {
        let running = try startMutualTLSServer()
        let error = await assertRPCError(.permissionDenied) {
            let _: Bytes = try await running.channel.unary(Echo.get, request: Bytes("x"), options: CallOptions())
        }
        XCTAssertEqual(error?.message, "role gate may not call this method")
        await running.stop()
    }

    func testMethodMissingFromThePolicyIsPermissionDenied() async throws {
        let running = try startMutualTLSServer()
        await assertRPCError(.permissionDenied) {
            try await running.channel.serverStreaming(Echo.expand, request: Bytes("a b"), options: CallOptions()) {
                (responses: ResponseStream<Bytes>) in for try await _ in responses {}
            }
        }
        await running.stop()
    }

    func testDevelopmentModeTakesTheCallerFromTheHeaderAndRequiresOne() async throws {
        let running = try RunningServer.start(interceptors: [policy])
        let response: Bytes = try await running.channel.unary(
            Echo.whoAmI, request: Bytes(""),
            options: CallOptions(metadata: ["x-dev-caller": "spiffe://immigration.example/control-unit/NB-1"]))
        XCTAssertEqual(response.text, "control-unit NB-1")
        await assertRPCError(.unauthenticated) {
            let _: Bytes = try await running.channel.unary(Echo.whoAmI, request: Bytes(""), options: CallOptions())
        }
        await assertRPCError(.unauthenticated) {
            let _: Bytes = try await running.channel.unary(
                Echo.whoAmI, request: Bytes(""),
                options: CallOptions(metadata: ["x-dev-caller": "spiffe://elsewhere.example/gate/X"]))
        }
        await running.stop()
    }

    func testARefusedCallNeverReachesItsHandler() async throws {
        let observer = HandlerObserver()
        let running = try RunningServer.start(services: [EchoService(observer: observer)],
                                              interceptors: [AuthorizationInterceptor(policy: [Echo.sleep: [.agency]])])
        await assertRPCError(.permissionDenied) {
            let _: Bytes = try await running.channel.unary(
                Echo.sleep, request: Bytes("0"),
                options: CallOptions(metadata: ["x-dev-caller": "spiffe://immigration.example/gate/HAN-T2-07"]))
        }
        XCTAssertEqual(observer.startedCount, 0, "the handler ran for a refused caller")
        let _: Bytes = try await running.channel.unary(
            Echo.sleep, request: Bytes("0"),
            options: CallOptions(metadata: ["x-dev-caller": "spiffe://immigration.example/agency/A08"]))
        XCTAssertEqual(observer.startedCount, 1)
        await running.stop()
    }

    func testCallersTakingTurnsOnOneQueueThreadAreEachSeenAsThemselves() async throws {
        // One queue thread, so every call meets the caller that thread saw last.
        let running = try RunningServer.start(interceptors: [policy]) { $0.completionQueueCount = 1 }
        let turns = ["gate/HAN-T2-07", "gate/HAN-T2-07", "control-unit/NB-1", "gate/HAN-T2-07",
                     "gate/HAN-T2-08", "gate/HAN-T2-0", "control-unit/NB-1"]
        for turn in turns {
            let response: Bytes = try await running.channel.unary(
                Echo.whoAmI, request: Bytes(""),
                options: CallOptions(metadata: ["x-dev-caller": .string("spiffe://immigration.example/\(turn)")]))
            XCTAssertEqual(response.text, turn.replacingOccurrences(of: "/", with: " "))
        }
        // An agency after a gate is refused as an agency, and a call without a caller
        // after one with a caller is not taken for it.
        await assertRPCError(.permissionDenied) {
            let _: Bytes = try await running.channel.unary(
                Echo.whoAmI, request: Bytes(""),
                options: CallOptions(metadata: ["x-dev-caller": "spiffe://immigration.example/agency/A08"]))
        }
        await assertRPCError(.unauthenticated) {
            let _: Bytes = try await running.channel.unary(Echo.whoAmI, request: Bytes(""), options: CallOptions())
        }
        await running.stop()
    }

    func testSPIFFEIdentitiesAreReadAsRoleAndID() {
        let gate = CallerIdentity(spiffeID: "spiffe://immigration.example/gate/HAN-T2-07")
        XCTAssertEqual(gate?.role, .gate)
        XCTAssertEqual(gate?.id, "HAN-T2-07")
        XCTAssertEqual(CallerIdentity(spiffeID: "spiffe://immigration.example/issuing-authority/mps/hanoi")?.id, "mps/hanoi")
        XCTAssertNil(CallerIdentity(spiffeID: "spiffe://immigration.example/janitor/1"))
        XCTAssertNil(CallerIdentity(spiffeID: "spiffe://immigration.example/gate/"))
        XCTAssertNil(CallerIdentity(spiffeID: "spiffe://other.example/gate/HAN-T2-07"))
        XCTAssertNil(CallerIdentity(spiffeID: "https://immigration.example/gate/HAN-T2-07"))
    }
}
