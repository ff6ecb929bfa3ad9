// Swift client to Swift server: unary calls of the benchmark's 64-byte echo
// through the generated client, `concurrency` tasks calling in a loop on one
// channel, for `seconds` after a one-second warm-up.
// Usage: EchoClient PORT CONCURRENCY SECONDS
// Prints: swift-client CONCURRENCY CALLS SECONDS CALLS_PER_SECOND
import Contracts
import GRPCRuntime

#if canImport(Glibc)
import Glibc
#endif

let arguments = CommandLine.arguments
guard arguments.count == 4, let port = Int(arguments[1]), let concurrency = Int(arguments[2]),
      let seconds = Int(arguments[3]), concurrency > 0, seconds > 0 else {
    print("usage: EchoClient PORT CONCURRENCY SECONDS")
    exit(2)
}

let channel = try Channel(target: "127.0.0.1:\(port)", security: .plaintext)
let client = Grpc_Testing_TestService.Client(channel: channel)
let options = CallOptions(metadata: ["x-dev-caller": "spiffe://immigration.example/ops/bench"])
let request = Grpc_Testing_SimpleRequest.with {
    $0.responseSize = 64
    $0.payload = .with { $0.body = [UInt8](repeating: 0x2a, count: 64) }
}

/// Calls in a loop until `end`; returns the number of calls that succeeded.
func callUntil(_ end: ContinuousClock.Instant) async throws -> Int {
    var calls = 0
    while ContinuousClock.now < end {
        let response = try await client.unaryCall(request, options: options)
        guard response.payload?.body.count == 64 else { throw RPCError(.dataLoss, "wrong echo") }
        calls += 1
    }
    return calls
}

/// `concurrency` loops in parallel for `duration`; returns the total calls.
func run(for duration: Duration) async throws -> Int {
    let end = ContinuousClock.now + duration
    return try await withThrowingTaskGroup(of: Int.self) { group in
        for _ in 0..<concurrency { group.addTask { try await callUntil(end) } }
        return try await group.reduce(0, +)
    }
}

_ = try await run(for: .seconds(1))
let start = ContinuousClock.now
let calls = try await run(for: .seconds(seconds))
let elapsed = ContinuousClock.now - start
let elapsedSeconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
print("swift-client \(concurrency) \(calls) \(elapsedSeconds) \(Int(Double(calls) / elapsedSeconds))")
channel.close()
