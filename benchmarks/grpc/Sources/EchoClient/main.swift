// Swift client to Swift server: unary calls of the benchmark's 64-byte echo
// through the generated client, `concurrency` tasks calling in a loop on one
// channel, after a warm-up.
// Usage: EchoClient PORT CONCURRENCY SECONDS
//   Prints: swift-client CONCURRENCY CALLS SECONDS CALLS_PER_SECOND
// Usage: EchoClient PORT CONCURRENCY --calls N
//   A fixed number of calls (N split over the tasks), for steady per-call
//   measures of the client itself. Prints:
//   swift-client-cost CONCURRENCY CALLS SECONDS CALLS_PER_SECOND CPU_US_PER_CALL
//                     VOLUNTARY_SWITCHES_PER_CALL INVOLUNTARY_SWITCHES_PER_CALL
//   With ALLOC_COUNT_FILE set (and alloc_count.so preloaded), sends itself
//   SIGUSR1 right before and after the measured calls, so the counter writes
//   its totals there.
import Contracts
import GRPCRuntime

#if canImport(Glibc)
import Glibc
#endif

let arguments = CommandLine.arguments
let fixedCalls = arguments.count == 5 && arguments[3] == "--calls" ? Int(arguments[4]) : nil
guard arguments.count == 4 || fixedCalls != nil, let port = Int(arguments[1]), let concurrency = Int(arguments[2]),
      concurrency > 0 else {
    print("usage: EchoClient PORT CONCURRENCY SECONDS | EchoClient PORT CONCURRENCY --calls N")
    exit(2)
}

let channel = try Channel(target: "127.0.0.1:\(port)", security: .plaintext)
let client = Grpc_Testing_TestService.Client(channel: channel)
let options = CallOptions(metadata: ["x-dev-caller": "spiffe://immigration.example/ops/bench"])
let request = Grpc_Testing_SimpleRequest.with {
    $0.responseSize = 64
    $0.payload = .with { $0.body = [UInt8](repeating: 0x2a, count: 64) }
}

/// ECHO_CLIENT_ON_QUEUE=1: the calling tasks prefer the client
/// completion-queue thread (`Channel.completionExecutor`).
let onCompletionThread = getenv("ECHO_CLIENT_ON_QUEUE") != nil

/// One echo, checked.
func echo() async throws {
    let response = try await client.unaryCall(request, options: options)
    guard response.payload?.body.count == 64 else { throw RPCError(.dataLoss, "wrong echo") }
}

/// Calls in a loop until `end`; returns the number of calls that succeeded.
func callUntil(_ end: ContinuousClock.Instant) async throws -> Int {
    var calls = 0
    while ContinuousClock.now < end {
        try await echo()
        calls += 1
    }
    return calls
}

/// `concurrency` loops in parallel for `duration`; returns the total calls.
func run(for duration: Duration) async throws -> Int {
    let end = ContinuousClock.now + duration
    return try await withThrowingTaskGroup(of: Int.self) { group in
        for _ in 0..<concurrency {
            group.addTask(executorPreference: onCompletionThread ? Channel.completionExecutor : nil) {
                try await callUntil(end)
            }
        }
        return try await group.reduce(0, +)
    }
}

/// `concurrency` loops in parallel, `calls` in all; returns the calls made.
func run(calls: Int) async throws -> Int {
    try await withThrowingTaskGroup(of: Int.self) { group in
        for task in 0..<concurrency {
            let share = calls / concurrency + (task < calls % concurrency ? 1 : 0)
            group.addTask(executorPreference: onCompletionThread ? Channel.completionExecutor : nil) {
                for _ in 0..<share { try await echo() }
                return share
            }
        }
        return try await group.reduce(0, +)
    }
}

func seconds(_ duration: Duration) -> Double {
    Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
}

/// Asks alloc_count.so for its totals: a signal to the process (the pool's
/// threads block signals, so not `raise`), and a pause while the thread that
/// takes it writes them.
func signalCounter() {
    kill(getpid(), SIGUSR1)
    usleep(200_000)
}

if let fixedCalls {
    let countsAllocations = getenv("ALLOC_COUNT_FILE") != nil
    _ = try await run(calls: max(2_000, concurrency * 100))
    var before = rusage()
    getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &before)
    if countsAllocations { signalCounter() }
    let start = ContinuousClock.now
    let calls = try await run(calls: fixedCalls)
    let elapsed = seconds(ContinuousClock.now - start)
    if countsAllocations { signalCounter() }
    var after = rusage()
    getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &after)
    func micros(_ time: timeval) -> Double { Double(time.tv_sec) * 1e6 + Double(time.tv_usec) }
    let cpu = micros(after.ru_utime) + micros(after.ru_stime) - micros(before.ru_utime) - micros(before.ru_stime)
    let perCall = { (value: Int) in Double(value) / Double(calls) }
    print("swift-client-cost \(concurrency) \(calls) \(elapsed) \(Int(Double(calls) / elapsed))",
          cpu / Double(calls), perCall(after.ru_nvcsw - before.ru_nvcsw), perCall(after.ru_nivcsw - before.ru_nivcsw))
} else {
    let duration = Int(arguments[3]) ?? 0
    guard duration > 0 else {
        print("usage: EchoClient PORT CONCURRENCY SECONDS | EchoClient PORT CONCURRENCY --calls N")
        exit(2)
    }
    _ = try await run(for: .seconds(1))
    let start = ContinuousClock.now
    let calls = try await run(for: .seconds(duration))
    let elapsed = seconds(ContinuousClock.now - start)
    print("swift-client \(concurrency) \(calls) \(elapsed) \(Int(Double(calls) / elapsed))")
}
channel.close()
