import Foundation
import GRPCRuntime
import XCTest

final class MutualTLSTests: XCTestCase {
    /// One set of certificates for the class, issued by scripts/dev-ca.sh as the runner does.
    nonisolated(unsafe) static var fixture: RunFolderFixture?

    override class func setUp() {
        super.setUp()
        do {
            let run = try RunFolderFixture(endpoints: [])
            try run.issueCertificates()
            fixture = run
        } catch {
            fixture = nil
        }
    }

    override class func tearDown() {
        fixture?.remove()
        fixture = nil
        super.tearDown()
    }

    private func serve() throws -> (RunningServer, RunFolderFixture) {
        let run = try XCTUnwrap(Self.fixture, "scripts/dev-ca.sh could not issue the certificates")
        let server = try RunningServer.start(security: .mutualTLS(certificateChainPath: run.certificate("records.crt"),
                                                                  privateKeyPath: run.certificate("records.key"),
                                                                  clientCARootsPath: run.certificate("ca.crt")))
        try "records\t\(server.address)\n".write(to: run.runFolder.appendingPathComponent("endpoints.tsv"),
                                                  atomically: true, encoding: .utf8)
        return (server, run)
    }

    func testCallUsesTheRunnerCertificatesAsTheDemoOperatorByDefault() async throws {
        let (server, run) = try serve()
        let result = try await ImmigctlProcess.run(["call", "records", "grpc.testing.TestService/UnaryCall",
                                                    "--data", #"{"fillUsername":true}"#], directory: run.nestedDirectory)
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertEqual(result.stdout, #"{"username":"spiffe://immigration.example/ops/operator-1"}"# + "\n")
        let health = try await ImmigctlProcess.run(["health"], directory: run.nestedDirectory)
        XCTAssertEqual(health.status, 0, health.stderr)
        await server.stop()
    }

    func testAsPicksAnotherDemoCallersCertificate() async throws {
        let (server, run) = try serve()
        let result = try await ImmigctlProcess.run(["call", "records", "grpc.testing.TestService/UnaryCall",
                                                    "--as", "gate-HAN-T2-07", "--data", #"{"fillUsername":true}"#],
                                                   directory: run.nestedDirectory)
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertEqual(result.stdout, #"{"username":"spiffe://immigration.example/gate/HAN-T2-07"}"# + "\n")

        let missing = try await ImmigctlProcess.run(["call", "records", "grpc.testing.TestService/EmptyCall",
                                                     "--as", "gate-NOWHERE"], directory: run.nestedDirectory)
        XCTAssertEqual(missing.status, 1)
        XCTAssertEqual(missing.stderr, "immigctl: cannot read the certificate of caller gate-NOWHERE: "
                       + "\(run.certificates.path)/gate-NOWHERE.crt\n")
        await server.stop()
    }

    func testExplicitCertificateFilesWorkWithoutARunFolder() async throws {
        let (server, run) = try serve()
        let result = try await ImmigctlProcess.run([
            "call", server.address, "grpc.testing.TestService/UnaryCall", "--data", #"{"fillUsername":true}"#,
            "--cert", run.certificate("control-unit-HAN-BORDER.crt"), "--key", run.certificate("control-unit-HAN-BORDER.key"),
            "--ca", run.certificate("ca.crt"),
        ])
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertEqual(result.stdout, #"{"username":"spiffe://immigration.example/control-unit/HAN-BORDER"}"# + "\n")
        await server.stop()
    }

    func testCAAloneSpeaksServerOnlyTLS() async throws {
        let run = try XCTUnwrap(Self.fixture, "scripts/dev-ca.sh could not issue the certificates")
        let server = try RunningServer.start(security: .tls(certificateChainPath: run.certificate("records.crt"),
                                                            privateKeyPath: run.certificate("records.key")))
        let result = try await ImmigctlProcess.run(["call", server.address, "grpc.testing.TestService/UnaryCall",
                                                    "--data", #"{"fillUsername":true}"#, "--ca", run.certificate("ca.crt")])
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertEqual(result.stdout, #"{"username":"anonymous"}"# + "\n")
        await server.stop()
    }

    func testPlaintextAgainstAMutualTLSServerIsUnavailable() async throws {
        let (server, run) = try serve()
        let result = try await ImmigctlProcess.run(["call", "records", "grpc.testing.TestService/EmptyCall",
                                                    "--plaintext", "--timeout", "5s"], directory: run.nestedDirectory)
        XCTAssertEqual(result.status, 64 + 14)
        XCTAssertTrue(result.stderr.hasPrefix("ERROR: UNAVAILABLE (14)"), result.stderr)
        let health = try await ImmigctlProcess.run(["health", "--plaintext"], directory: run.nestedDirectory)
        XCTAssertEqual(health.status, 2)
        XCTAssertTrue(health.lines.last?.contains("UNAVAILABLE") == true, health.stdout)
        await server.stop()
    }
}
