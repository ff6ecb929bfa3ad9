import Foundation
import XCTest

final class CallCommandTests: XCTestCase {
    var running: RunningServer!

    override func setUp() async throws {
        running = try RunningServer.start()
    }

    override func tearDown() async throws {
        await running.stop()
    }

    private func call(_ method: String, _ extra: [String] = [], stdin: String? = nil) async throws -> ImmigctlProcess.Result {
        try await ImmigctlProcess.run(["call", running.address, method, "--plaintext"] + extra, stdin: stdin)
    }

    func testUnaryCallSendsTheJSONRequestAndPrintsTheJSONResponse() async throws {
        let result = try await call("grpc.testing.TestService/UnaryCall",
                                    ["--data", #"{"payload":{"body":"aGVsbG8="},"fillUsername":true}"#])
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertEqual(result.stdout,
                       #"{"payload":{"body":"aGVsbG8="},"username":"spiffe://immigration.example/ops/operator-1"}"# + "\n")
    }

    func testUnaryRequestIsReadFromStandardInputAndFromAFile() async throws {
        let fromStdin = try await call("grpc.testing.TestService/UnaryCall", stdin: #"{"payload": {"body": "YQ=="}}"#)
        XCTAssertEqual(fromStdin.status, 0, fromStdin.stderr)
        XCTAssertEqual(fromStdin.stdout, #"{"payload":{"body":"YQ=="}}"# + "\n")

        let file = FileManager.default.temporaryDirectory.appendingPathComponent("request-\(UUID().uuidString).json")
        defer { try? FileManager.default.removeItem(at: file) }
        try #"{"fill_username": true}"#.write(to: file, atomically: true, encoding: .utf8)
        let fromFile = try await call("grpc.testing.TestService.UnaryCall", ["--data", "@" + file.path, "--as", "gate-HAN-T2-07"])
        XCTAssertEqual(fromFile.status, 0, fromFile.stderr)
        XCTAssertEqual(fromFile.stdout, #"{"username":"spiffe://immigration.example/gate/HAN-T2-07"}"# + "\n",
                       "on plaintext, --as travels in x-dev-caller")
    }

    func testPrettyOutputDefaultsAndHeadersReachTheServer() async throws {
        let result = try await call("TestService/UnaryCall",
                                    ["-d", "{}", "--pretty", "--emit-defaults", "-H", "x-echo: from a header"])
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertTrue(result.stdout.hasPrefix("{\n  \"username\": \"\",\n  \"oauthScope\": \"from a header\",\n"),
                      result.stdout)
    }

    func testServerStreamPrintsEachResponseOnItsOwnLineAsItArrives() async throws {
        let request = #"{"payload":{"body":"d2FpdA=="},"responseParameters":[{"size":1},{"size":2},{"size":3}]}"#
        let process = try ImmigctlProcess(["call", running.address, "grpc.testing.TestService/StreamingOutputCall",
                                           "--plaintext", "--data", request])
        // The server holds the stream after its first response until the test has seen it printed.
        var waited = 0
        while process.stdoutSoFar.isEmpty && waited < 300 {
            try await Task.sleep(for: .milliseconds(100))
            waited += 1
        }
        XCTAssertEqual(process.stdoutSoFar, #"{"payload":{"body":"YQ=="}}"# + "\n",
                       "the first response is printed while the stream is still open")
        await running.gate.open()
        let result = try await process.finish()
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertEqual(result.lines, [#"{"payload":{"body":"YQ=="}}"#, #"{"payload":{"body":"YWE="}}"#,
                                      #"{"payload":{"body":"YWFh"}}"#])
    }

    func testClientStreamSendsEveryNDJSONLineOrArrayElement() async throws {
        let lines = """
            {"payload":{"body":"YQ=="}}
            {"payload":{"body":"YWE="}}

            {"payload":
              {"body":"YWFh"}}
            """
        let fromLines = try await call("grpc.testing.TestService/StreamingInputCall", stdin: lines)
        XCTAssertEqual(fromLines.status, 0, fromLines.stderr)
        XCTAssertEqual(fromLines.stdout, #"{"aggregatedPayloadSize":6}"# + "\n")

        let array = #"[{"payload":{"body":"YWFhYQ=="}}, {"payload":{"body":"YQ=="}}]"#
        let fromArray = try await call("grpc.testing.TestService/StreamingInputCall", ["--data", array])
        XCTAssertEqual(fromArray.status, 0, fromArray.stderr)
        XCTAssertEqual(fromArray.stdout, #"{"aggregatedPayloadSize":5}"# + "\n")

        let none = try await call("grpc.testing.TestService/StreamingInputCall", ["--data", "[]"])
        XCTAssertEqual(none.stdout, "{}\n", "an empty stream is a valid client stream")
    }

    func testBidirectionalStreamPrintsTheResponsesToEachRequest() async throws {
        let requests = #"{"responseParameters":[{"size":1}]}"# + "\n" + #"{"responseParameters":[{"size":2},{"size":1}]}"#
        let result = try await call("grpc.testing.TestService/FullDuplexCall", stdin: requests)
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertEqual(result.lines, [#"{"payload":{"body":"YQ=="}}"#, #"{"payload":{"body":"YWE="}}"#,
                                      #"{"payload":{"body":"YQ=="}}"#])
    }

    func testStatusErrorShowsNameMessageAndFieldViolationsAndExitsWith64PlusTheCode() async throws {
        let result = try await call("grpc.testing.TestService/UnaryCall",
                                    ["--data", #"{"responseStatus":{"code":3,"message":"the request is invalid"}}"#])
        XCTAssertEqual(result.status, 64 + 3)
        XCTAssertEqual(result.stdout, "")
        XCTAssertEqual(result.stderr, """
            ERROR: INVALID_ARGUMENT (3): the request is invalid
            field violations:
              payload.body: must not be empty
              response_size: must be at most 1024

            """)

        let denied = try await call("grpc.testing.TestService/UnaryCall",
                                    ["--data", #"{"responseStatus":{"code":7,"message":"not for you"}}"#])
        XCTAssertEqual(denied.status, 64 + 7)
        XCTAssertEqual(denied.stderr, "ERROR: PERMISSION_DENIED (7): not for you\n")
    }

    func testStatusDetailsOtherThanBadRequestArePrintedAsJSON() async throws {
        let result = try await call("grpc.testing.TestService/UnaryCall",
                                    ["--data", #"{"responseStatus":{"code":10,"message":"try again"}}"#])
        XCTAssertEqual(result.status, 64 + 10)
        XCTAssertEqual(result.stderr, """
            ERROR: ABORTED (10): try again
            detail: {"@type":"type.googleapis.com/google.rpc.ErrorInfo","reason":"LOCK_HELD",\
            "domain":"records.immigration.example","metadata":{"attempt":"2"}}

            """)
    }

    func testVerboseShowsResponseHeadersAndTrailers() async throws {
        let result = try await call("grpc.testing.TestService/EmptyCall", ["-v"])
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertEqual(result.stdout, "{}\n")
        XCTAssertTrue(result.stderr.hasPrefix("headers:\n"), result.stderr)
        XCTAssertTrue(result.stderr.contains("trailers:"), result.stderr)
    }

    func testStreamThatFailsAfterResponsesPrintsThemThenTheStatus() async throws {
        let request = #"{"responseParameters":[{"size":1}],"responseStatus":{"code":9,"message":"stopped"}}"#
        let result = try await call("grpc.testing.TestService/StreamingOutputCall", ["--data", request])
        XCTAssertEqual(result.status, 64 + 9)
        XCTAssertEqual(result.lines, [#"{"payload":{"body":"YQ=="}}"#])
        XCTAssertEqual(result.stderr, "ERROR: FAILED_PRECONDITION (9): stopped\n")
    }

    func testUnknownMethodIsRefusedBeforeAnyCall() async throws {
        let result = try await call("grpc.testing.TestService/NoSuchMethod", ["--data", "{}"])
        XCTAssertEqual(result.status, 1)
        XCTAssertEqual(result.stderr, "immigctl: unknown method \"grpc.testing.TestService/NoSuchMethod\" "
                       + "(immigctl list shows every service; immigctl list <service> its methods)\n")
    }

    func testMethodTheServerDoesNotHostFailsWithUnimplemented() async throws {
        let result = try await call("grpc.testing.UnimplementedService/UnimplementedCall")
        XCTAssertEqual(result.status, 64 + 12)
        XCTAssertTrue(result.stderr.hasPrefix("ERROR: UNIMPLEMENTED (12)"), result.stderr)
    }

    func testMalformedRequestJSONNamesTheFieldAndNothingIsSent() async throws {
        let result = try await call("grpc.testing.TestService/UnaryCall", ["--data", #"{"payload":{"body":5}}"#])
        XCTAssertEqual(result.status, 1)
        XCTAssertTrue(result.stderr.hasPrefix("immigctl: request: payload.body: "), result.stderr)

        let stream = try await call("grpc.testing.TestService/StreamingInputCall",
                                    stdin: #"{"payload":{}}"# + "\n" + #"{"nope":1}"#)
        XCTAssertEqual(stream.status, 1)
        XCTAssertTrue(stream.stderr.hasPrefix("immigctl: request 2: unknown field \"nope\""), stream.stderr)
    }

    func testUnreachableServerIsUnavailable() async throws {
        let result = try await ImmigctlProcess.run(["call", "127.0.0.1:1", "grpc.testing.TestService/EmptyCall",
                                                    "--plaintext", "--timeout", "5s"])
        XCTAssertEqual(result.status, 64 + 14)
        XCTAssertTrue(result.stderr.hasPrefix("ERROR: UNAVAILABLE (14)"), result.stderr)
    }
}
