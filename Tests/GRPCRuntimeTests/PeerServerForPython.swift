import Foundation
import GRPCRuntime
import XCTest

/// Not a test of its own: a Swift server for the Python grpcio client tests
/// (Tests/Python/test_runtime_grpcio_client.py), which run this test case
/// from the test bundle because the runtime has no executable of its own.
/// Skipped unless GRPC_RUNTIME_PEER_SERVER is `plaintext`, `tls` or `mtls`
/// (certificates in GRPC_RUNTIME_PEER_CERT, _KEY and _CA). Prints
/// "PORT <n>", serves the echo and edge services until stdin closes, then
/// shuts down gracefully.
final class PeerServerForPython: XCTestCase {
    func testServeForPythonClientsUntilStdinCloses() async throws {
        let environment = ProcessInfo.processInfo.environment
        guard let mode = environment["GRPC_RUNTIME_PEER_SERVER"] else {
            throw XCTSkip("run by Tests/Python/test_runtime_grpcio_client.py")
        }
        let security: ServerSecurity
        switch mode {
        case "tls":
            security = .tls(certificateChainPath: environment["GRPC_RUNTIME_PEER_CERT"]!,
                            privateKeyPath: environment["GRPC_RUNTIME_PEER_KEY"]!)
        case "mtls":
            security = .mutualTLS(certificateChainPath: environment["GRPC_RUNTIME_PEER_CERT"]!,
                                  privateKeyPath: environment["GRPC_RUNTIME_PEER_KEY"]!,
                                  clientCARootsPath: environment["GRPC_RUNTIME_PEER_CA"]!)
        default:
            security = .plaintextForDevelopment
        }
        let open = [Echo.get, Echo.expand, Echo.collect, Echo.update, Echo.fail, Echo.sleep,
                    EdgeService.special, EdgeService.large, EdgeService.endless, EdgeService.empty]
        let policy = AuthorizationInterceptor(policy: [Echo.whoAmI: [.gate]], openMethods: open)
        var configuration = ServerConfiguration(address: "127.0.0.1:0", security: security, interceptors: [policy],
                                                logger: .init(label: "peer"), name: "peer")
        configuration.maxReceiveMessageBytes = 1024 * 1024
        let server = try Server(configuration: configuration,
                                services: [EchoService(), EdgeService(observer: HandlerObserver())])
        try server.start()
        FileHandle.standardOutput.write(Data("PORT \(server.port)\n".utf8))
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            Thread.detachNewThread {
                _ = FileHandle.standardInput.readDataToEndOfFile()
                continuation.resume()
            }
        }
        await server.shutdown(gracePeriod: .seconds(2))
    }
}
