import GRPCRuntime
import Synchronization
import XCTest

/// Answers with its own name, to see which replica served a call.
struct NamedService: ServiceProvider {
    static let name = MethodDescriptor(service: "test.Named", method: "Name", kind: .unary)
    let replica: String
    var methods: [ServerMethod] {
        [.unary(Self.name) { (_: Bytes, _: ServerContext) in Bytes(replica) }]
    }
}

/// Fails with UNAVAILABLE until it has been called `failures` times per request.
final class FlakyService: ServiceProvider {
    static let flaky = MethodDescriptor(service: "test.Flaky", method: "Get", kind: .unary)
    let failures: Int
    private let attempts = Mutex<[String: Int]>([:])

    init(failures: Int) { self.failures = failures }

    var methods: [ServerMethod] {
        [.unary(Self.flaky) { [self] (request: Bytes, _: ServerContext) in
            let attempt = attempts.withLock { attempts -> Int in
                attempts[request.text, default: 0] += 1
                return attempts[request.text]!
            }
            if attempt <= failures { throw RPCError(.unavailable, "try again") }
            return Bytes("attempt \(attempt)")
        }]
    }
}

final class ChannelTests: XCTestCase {
    func testRoundRobinSpreadsCallsOverEveryAddress() async throws {
        let one = try RunningServer.start(services: [NamedService(replica: "one")])
        let two = try RunningServer.start(services: [NamedService(replica: "two")])
        let channel = try Channel(addresses: ["127.0.0.1:\(one.port)", "127.0.0.1:\(two.port)"], security: .plaintext)
        XCTAssertEqual(channel.target, "ipv4:127.0.0.1:\(one.port),127.0.0.1:\(two.port)")
        // round_robin sends calls to the subchannels that are READY: until the
        // second has connected (slow on a loaded machine), all go to the first.
        // pick_first would never reach "two" at all.
        var warmUp = 0
        while warmUp < 2_000 {
            let response: Bytes = try await channel.unary(NamedService.name, request: Bytes(""), options: CallOptions(waitForReady: true))
            warmUp += 1
            if response.text == "two" { break }
        }
        var seen: [String: Int] = [:]
        for _ in 0..<20 {
            let response: Bytes = try await channel.unary(NamedService.name, request: Bytes(""), options: CallOptions(waitForReady: true))
            seen[response.text, default: 0] += 1
        }
        XCTAssertEqual(Set(seen.keys), ["one", "two"], "after \(warmUp) calls to connect both")
        XCTAssertGreaterThanOrEqual(seen["one"] ?? 0, 5)
        XCTAssertGreaterThanOrEqual(seen["two"] ?? 0, 5)
        channel.close()
        await one.stop()
        await two.stop()
    }

    func testRetryPolicyRetriesTheListedIdempotentMethod() async throws {
        let flaky = FlakyService(failures: 2)
        let running = try RunningServer.start(services: [flaky])
        let retrying = try Channel(
            target: "127.0.0.1:\(running.port)", security: .plaintext,
            configuration: ChannelConfiguration(retryPolicy: RetryPolicy(methods: [FlakyService.flaky], maxAttempts: 3,
                                                                         initialBackoff: .milliseconds(10))))
        let response: Bytes = try await retrying.unary(FlakyService.flaky, request: Bytes("a"), options: CallOptions())
        XCTAssertEqual(response.text, "attempt 3")
        await assertRPCError(.unavailable) {
            let _: Bytes = try await running.channel.unary(FlakyService.flaky, request: Bytes("b"), options: CallOptions())
        }
        retrying.close()
        let byPath = try Channel(
            target: "127.0.0.1:\(running.port)", security: .plaintext,
            configuration: ChannelConfiguration(retryPolicy: RetryPolicy(paths: ["/test.Flaky/Get"], maxAttempts: 3,
                                                                         initialBackoff: .milliseconds(10))))
        let again: Bytes = try await byPath.unary(FlakyService.flaky, request: Bytes("c"), options: CallOptions())
        XCTAssertEqual(again.text, "attempt 3")
        byPath.close()
        await running.stop()
    }

    func testConnectivityStateBecomesReadyWhenAskedToConnect() async throws {
        let running = try RunningServer.start()
        let channel = try Channel(target: "127.0.0.1:\(running.port)", security: .plaintext)
        var state = channel.connectivityState(tryToConnect: true)
        let deadline = ContinuousClock.now + .seconds(5)
        while state != .ready, ContinuousClock.now < deadline {
            _ = await channel.waitForStateChange(from: state, timeout: .seconds(1))
            state = channel.connectivityState()
        }
        XCTAssertEqual(state, .ready)
        channel.close()
        XCTAssertEqual(channel.connectivityState(), .shutdown)
        await running.stop()
    }

    func testWaitForReadyWaitsForAServerThatStartsLater() async throws {
        let probe = try RunningServer.start()
        let port = probe.port
        await probe.stop()
        let channel = try Channel(target: "127.0.0.1:\(port)", security: .plaintext)
        await assertRPCError(.unavailable) {
            let _: Bytes = try await channel.unary(Echo.get, request: Bytes("fail fast"), options: CallOptions(timeout: .seconds(5)))
        }
        let waiting = Task { () -> Bytes in
            try await channel.unary(Echo.get, request: Bytes("waited"), options: CallOptions(timeout: .seconds(20), waitForReady: true))
        }
        try await Task.sleep(for: .milliseconds(300))
        let server = try Server(configuration: ServerConfiguration(address: "127.0.0.1:\(port)", security: .plaintextForDevelopment,
                                                                   logger: .init(label: "test")),
                                services: [EchoService()])
        try server.start()
        let response = try await waiting.value
        XCTAssertEqual(response.text, "waited")
        channel.close()
        await server.shutdown()
    }

    func testCallsOnAClosedChannelFailWithUnavailable() async throws {
        let channel = try Channel(target: "127.0.0.1:1", security: .plaintext)
        channel.close()
        await assertRPCError(.unavailable) {
            let _: Bytes = try await channel.unary(Echo.get, request: Bytes("x"), options: CallOptions())
        }
    }

    func testSeveralHostNamesAreRefusedAsATarget() {
        XCTAssertThrowsError(try Channel(addresses: ["records-1:5000", "records-2:5000"], security: .plaintext))
    }
}
