import Foundation
import GRPCRuntime
import XCTest

/// A Python grpcio server process (Fixtures/grpcio_echo_server.py) serving the
/// test echo service over raw bytes.
final class GrpcioServer {
    let process = Process()
    let input = Pipe()
    let port: Int

    init(_ arguments: [String]) throws {
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("Fixtures/grpcio_echo_server.py").path
        let output = Pipe()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", script] + arguments
        process.standardInput = input
        process.standardOutput = output
        try process.run()
        var line = Data()
        while !line.contains(UInt8(ascii: "\n")) {
            let chunk = output.fileHandleForReading.availableData
            guard !chunk.isEmpty else { break }
            line.append(chunk)
        }
        let text = String(decoding: line, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard text.hasPrefix("PORT "), let port = Int(text.dropFirst(5)) else {
            process.terminate()
            throw RuntimeError("the grpcio server did not start: \(text)")
        }
        self.port = port
    }

    func stop() {
        try? input.fileHandleForWriting.close()
        process.waitUntilExit()
    }
}

final class GrpcioInteropTests: XCTestCase {
    var certificates: TestCertificates { .shared }

    func exerciseEveryKind(_ channel: Channel) async throws {
        var metadata: Metadata = ["x-echo": "text"]
        metadata.add("x-echo-bin", binary: [0, 200, 255])
        let unary: UnaryResponse<Bytes> = try await channel.unaryCall(
            Echo.get, request: Bytes("hello"), options: CallOptions(metadata: metadata))
        XCTAssertEqual(unary.message.text, "hello")
        XCTAssertEqual(unary.initialMetadata.first("x-echo"), "text")
        XCTAssertEqual(unary.trailingMetadata.firstBinary("x-echo-bin"), [0, 200, 255])

        let words = try await channel.serverStreaming(Echo.expand, request: Bytes("one two"), options: CallOptions()) {
            (responses: ResponseStream<Bytes>) in
            var words: [String] = []
            for try await response in responses { words.append(response.text) }
            return words
        }
        XCTAssertEqual(words, ["one", "two"])

        let collected: Bytes = try await channel.clientStreaming(Echo.collect, options: CallOptions()) {
            (writer: RequestStreamWriter<Bytes>) in
            for word in ["x", "y"] { try await writer.send(Bytes(word)) }
        }
        XCTAssertEqual(collected.text, "x y")

        let answers = try await channel.bidirectionalStreaming(
            Echo.update, options: CallOptions(),
            requests: { (writer: RequestStreamWriter<Bytes>) in
                for index in 0..<3 { try await writer.send(Bytes("\(index)")) }
            },
            onResponse: { (responses: ResponseStream<Bytes>) in
                var answers: [String] = []
                for try await response in responses { answers.append(response.text) }
                return answers
            })
        XCTAssertEqual(answers, ["echo 0", "echo 1", "echo 2"])

        let error = await assertRPCError(.invalidArgument) {
            let _: Bytes = try await channel.unary(Echo.fail, request: Bytes(""), options: CallOptions())
        }
        XCTAssertEqual(error?.message, "one field is wrong")
        XCTAssertEqual(error?.fieldViolations, [FieldViolation(field: "person.date_of_birth", description: "must not be in the future")])

        await assertRPCError(.deadlineExceeded) {
            let _: Bytes = try await channel.unary(Echo.sleep, request: Bytes("3000"), options: CallOptions(timeout: .milliseconds(200)))
        }
    }

    func testSwiftClientCallsEveryKindOnAGrpcioServerInPlaintext() async throws {
        let server = try GrpcioServer(["plaintext"])
        let channel = try Channel(target: "127.0.0.1:\(server.port)", security: .plaintext)
        try await exerciseEveryKind(channel)
        channel.close()
        server.stop()
    }

    func testSwiftClientCallsEveryKindOnAGrpcioServerOverTLS() async throws {
        let server = try GrpcioServer(["tls", certificates.serverChainPath, certificates.serverKeyPath])
        let channel = try Channel(target: "127.0.0.1:\(server.port)", security: .tls(trustRootsPath: certificates.caPath))
        try await exerciseEveryKind(channel)
        channel.close()
        server.stop()
    }

    func testSwiftClientPresentsItsSPIFFEIdentityToAGrpcioServerOverMutualTLS() async throws {
        let server = try GrpcioServer(["mtls", certificates.serverChainPath, certificates.serverKeyPath, certificates.caPath])
        let channel = try Channel(
            target: "127.0.0.1:\(server.port)",
            security: .mutualTLS(certificateChainPath: certificates.gateChainPath, privateKeyPath: certificates.gateKeyPath,
                                 trustRootsPath: certificates.caPath))
        try await exerciseEveryKind(channel)
        let identity: Bytes = try await channel.unary(Echo.whoAmI, request: Bytes(""), options: CallOptions())
        XCTAssertEqual(identity.text, "spiffe://immigration.example/gate/HAN-T2-07")
        channel.close()
        let anonymous = try Channel(target: "127.0.0.1:\(server.port)", security: .tls(trustRootsPath: certificates.caPath))
        await assertRPCError(.unavailable) {
            let _: Bytes = try await anonymous.unary(Echo.get, request: Bytes("x"), options: CallOptions(timeout: .seconds(5)))
        }
        anonymous.close()
        server.stop()
    }
}
