import GRPCRuntime
import Logging
import XCTest

final class TLSTests: XCTestCase {
    var certificates: TestCertificates { .shared }

    var serverTLS: ServerSecurity {
        .tls(certificateChainPath: certificates.serverChainPath, privateKeyPath: certificates.serverKeyPath)
    }

    var serverMutualTLS: ServerSecurity {
        .mutualTLS(certificateChainPath: certificates.serverChainPath, privateKeyPath: certificates.serverKeyPath,
                   clientCARootsPath: certificates.caPath)
    }

    var gateClient: ChannelSecurity {
        .mutualTLS(certificateChainPath: certificates.gateChainPath, privateKeyPath: certificates.gateKeyPath,
                   trustRootsPath: certificates.caPath)
    }

    func testTLSCallSucceedsAndTheServerNameCanBeOverridden() async throws {
        let running = try RunningServer.start(security: serverTLS, channelSecurity: .tls(trustRootsPath: certificates.caPath))
        let response: Bytes = try await running.channel.unary(Echo.get, request: Bytes("over tls"), options: CallOptions())
        XCTAssertEqual(response.text, "over tls")
        let named = try Channel(target: "127.0.0.1:\(running.port)",
                                security: .tls(trustRootsPath: certificates.caPath, serverNameOverride: "localhost"))
        let again: Bytes = try await named.unary(Echo.get, request: Bytes("by name"), options: CallOptions())
        XCTAssertEqual(again.text, "by name")
        named.close()
        await running.stop()
    }

    func testClientThatDoesNotTrustTheServerCAFailsWithUnavailable() async throws {
        let running = try RunningServer.start(
            security: serverTLS, channelSecurity: .tls(trustRootsPath: certificates.folder + "/otherca.pem"))
        await assertRPCError(.unavailable) {
            let _: Bytes = try await running.channel.unary(Echo.get, request: Bytes("x"), options: CallOptions(timeout: .seconds(5)))
        }
        await running.stop()
    }

    func testMutualTLSHandsTheHandlerTheCallersSPIFFEIdentity() async throws {
        let running = try RunningServer.start(security: serverMutualTLS, channelSecurity: gateClient)
        let response: Bytes = try await running.channel.unary(Echo.whoAmI, request: Bytes(""), options: CallOptions())
        XCTAssertEqual(response.text, "gate HAN-T2-07")
        await running.stop()
    }

    func testMutualTLSRefusesAClientWithoutACertificate() async throws {
        let running = try RunningServer.start(security: serverMutualTLS, channelSecurity: .tls(trustRootsPath: certificates.caPath))
        await assertRPCError(.unavailable) {
            let _: Bytes = try await running.channel.unary(Echo.whoAmI, request: Bytes(""), options: CallOptions(timeout: .seconds(5)))
        }
        await running.stop()
    }

    func testMutualTLSRefusesACertificateFromAnotherCA() async throws {
        let running = try RunningServer.start(
            security: serverMutualTLS,
            channelSecurity: .mutualTLS(certificateChainPath: certificates.strangerChainPath,
                                        privateKeyPath: certificates.strangerKeyPath, trustRootsPath: certificates.caPath))
        await assertRPCError(.unavailable) {
            let _: Bytes = try await running.channel.unary(Echo.whoAmI, request: Bytes(""), options: CallOptions(timeout: .seconds(5)))
        }
        await running.stop()
    }

    func testPlaintextClientAgainstATLSPortFailsCleanlyAndTheServerKeepsServing() async throws {
        let coreLogs = CapturedLogs()
        CoreLogging.route(to: coreLogs.logger())
        let running = try RunningServer.start(security: serverTLS, channelSecurity: .tls(trustRootsPath: certificates.caPath))
        let plaintext = try Channel(target: "127.0.0.1:\(running.port)", security: .plaintext)
        await assertRPCError(.unavailable) {
            let _: Bytes = try await plaintext.unary(Echo.get, request: Bytes("x"), options: CallOptions(timeout: .seconds(5)))
        }
        plaintext.close()
        let response: Bytes = try await running.channel.unary(Echo.get, request: Bytes("still serving"), options: CallOptions())
        XCTAssertEqual(response.text, "still serving")
        await running.stop()
        let handshake = coreLogs.all.first { $0.metadata["grpc.message"]?.contains("Handshake failed") == true }
        XCTAssertEqual(handshake?.message, "grpc core", "the core's handshake error reaches swift-log")
        XCTAssertEqual(handshake?.level, .error)
        CoreLogging.route(to: Logger(label: "grpc-core") { label in StreamLogHandler.standardError(label: label) })
    }

    func testMissingCertificateFilesFailStartAndChannelCreation() throws {
        let server = try Server(
            configuration: ServerConfiguration(address: "127.0.0.1:0",
                                               security: .tls(certificateChainPath: "/nonexistent/server.pem",
                                                              privateKeyPath: "/nonexistent/server.key"),
                                               logger: .init(label: "test")),
            services: [EchoService()])
        XCTAssertThrowsError(try server.start()) { error in
            XCTAssertEqual((error as? RuntimeError)?.message, "cannot read PEM file /nonexistent/server.pem")
        }
        XCTAssertEqual(server.port, 0)
        XCTAssertThrowsError(try server.start(), "a server that failed to start cannot be started again")
        XCTAssertThrowsError(try Channel(target: "127.0.0.1:1", security: .tls(trustRootsPath: "/nonexistent/ca.pem")))
    }

    func testDevelopmentCallerHeaderIsIgnoredOnATLSServer() async throws {
        let running = try RunningServer.start(security: serverTLS, channelSecurity: .tls(trustRootsPath: certificates.caPath))
        let response: Bytes = try await running.channel.unary(
            Echo.whoAmI, request: Bytes(""),
            options: CallOptions(metadata: ["x-dev-caller": "spiffe://immigration.example/ops/root"]))
        XCTAssertEqual(response.text, "anonymous")
        await running.stop()
    }
}
