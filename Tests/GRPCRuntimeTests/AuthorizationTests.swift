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
