// Durable single-row inserts through the Postgres library, the same statement
// pgbench runs (benchmarks/postgres/custom.sql): for each concurrency given, N
// tasks insert in a loop for the given seconds, each insert its own committed
// transaction (synchronous_commit on). Prints one line per run:
//   <mode> <concurrency> <connections> <inserts> <seconds> <inserts/s> <p50 µs> <p99 µs> <CPU µs/insert> <switches/insert>
// (the last two: the whole process's CPU time, user and system, and context switches,
// voluntary and not, over the timed part only, from getrusage).
// Modes: pool (`PostgresPool.query` with default options, the path services use), session (each task holds one connection, like a
// pgbench client), pipeline (PostgresPipeline over <connections> sessions).
// Every task runs as a service's handler does (the gRPC runtime's rule for its handlers,
// `HandOffExecutor`): a task resumed by a connection's thread carries on there.
// `PG_BENCH_EXECUTOR=global` runs the tasks on Swift's global executor instead (every
// resumption wakes a thread of Swift's pool), to show what that rule saves.
// Usage: PostgresBenchmark <seconds> <mode: pool|session|pipeline> <connections|same> <concurrency>...
import Logging
import Foundation
import Postgres
import TaskHandOff

let arguments = CommandLine.arguments
guard arguments.count >= 5, let seconds = Double(arguments[1]) else {
    print("usage: PostgresBenchmark <seconds> <pool|pipeline> <connections|same> <concurrency>...")
    exit(2)
}
let mode = arguments[2]
let connectionArgument = arguments[3]
let concurrencies = arguments[4...].compactMap { Int($0) }
let configuration = PostgresConfiguration.environment(label: "bench")
let logger = Logger(label: "benchmark")
/// `PG_BENCH_STATEMENT=select` runs `SELECT $1::bigint` instead of the insert: a round trip
/// without a commit, to measure the client's own cost per statement. `sleep` runs
/// `SELECT pg_sleep(0.0002), $1::bigint` (the server waits 1 ms: pg_sleep rounds up to
/// whole milliseconds): a round trip as idle for the client as a slow commit, without the disk.
let handlerExecutor: (any TaskExecutor)? =
    ProcessInfo.processInfo.environment["PG_BENCH_EXECUTOR"] == "global" ? nil : HandOffExecutor.shared
let statementKind = ProcessInfo.processInfo.environment["PG_BENCH_STATEMENT"] ?? "insert"
@Sendable func statement(_ payload: Int64) -> PostgresQuery {
    switch statementKind {
    case "select": "SELECT \(payload)::bigint"
    case "sleep": "SELECT pg_sleep(0.0002), \(payload)::bigint"
    default: "INSERT INTO bench.inserts (gate, payload) VALUES ('G1', \(payload))"
    }
}

/// Latencies of one task, in nanoseconds.
func insertLoop(until deadline: ContinuousClock.Instant,
                _ insert: @Sendable (Int64) async throws -> Void) async throws -> [Int64] {
    var latencies: [Int64] = []
    latencies.reserveCapacity(200_000)
    let clock = ContinuousClock()
    var payload = Int64.random(in: 1...1_000_000_000)
    while clock.now < deadline {
        let start = clock.now
        try await insert(payload)
        let elapsed = clock.now - start
        latencies.append(elapsed.components.seconds * 1_000_000_000 + elapsed.components.attoseconds / 1_000_000_000)
        payload &+= 7919
    }
    return latencies
}

func percentile(_ sorted: [Int64], _ p: Double) -> Int64 {
    guard !sorted.isEmpty else { return 0 }
    return sorted[min(sorted.count - 1, Int(Double(sorted.count) * p))]
}

/// The process's CPU time (µs, all threads, user and system) and context switches so far.
func usage() -> (cpu: Double, switches: Double) {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    let cpu = Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) * 1e6
        + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec)
    return (cpu, Double(usage.ru_nvcsw + usage.ru_nivcsw))
}

func report(mode: String, concurrency: Int, connections: Int, latencies: [Int64], elapsed: Duration,
            usageBefore: (cpu: Double, switches: Double)) {
    let after = usage()
    let elapsedSeconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    let sorted = latencies.sorted()
    let rate = Double(sorted.count) / elapsedSeconds
    let count = Double(max(sorted.count, 1))
    print("\(mode) \(concurrency) \(connections) \(sorted.count) \(String(format: "%.2f", elapsedSeconds)) "
          + "\(Int(rate.rounded())) \(percentile(sorted, 0.5) / 1000) \(percentile(sorted, 0.99) / 1000) "
          + String(format: "%.1f %.2f", (after.cpu - usageBefore.cpu) / count, (after.switches - usageBefore.switches) / count))
    // Out at once: stdout is a pipe (run.sh tees it), and a line still buffered when the
    // process ends abnormally would be lost.
    fflush(nil)
}

for concurrency in concurrencies {
    let connections = connectionArgument == "same" ? concurrency : (Int(connectionArgument) ?? concurrency)
    let insert: @Sendable (Int64) async throws -> Void
    let finish: @Sendable () async -> Void
    if mode == "session" {
        // Each task borrows one connection for the whole run, as a pgbench client does;
        // its loop runs on the connection's thread, statements inline.
        let pool = PostgresPool(configuration: configuration, options: .init(maxConnections: concurrency), logger: logger)
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<concurrency {
                group.addTask(executorPreference: handlerExecutor) { try await pool.query(statement(0)) }
            }
            try await group.waitForAll()
        }
        let usageBefore = usage()
        let clock = ContinuousClock()
        let start = clock.now
        let deadline = start + .milliseconds(Int64(seconds * 1000))
        let all = try await withThrowingTaskGroup(of: [Int64].self) { group in
            for _ in 0..<concurrency {
                group.addTask(executorPreference: handlerExecutor) {
                    try await pool.withConnection { connection in
                        try await insertLoop(until: deadline) { payload in
                            try await connection.query(statement(payload))
                        }
                    }
                }
            }
            var all: [Int64] = []
            for try await latencies in group { all += latencies }
            return all
        }
        report(mode: mode, concurrency: concurrency, connections: concurrency, latencies: all, elapsed: clock.now - start,
               usageBefore: usageBefore)
        await pool.close()
        continue
    }
    switch mode {
    case "pipeline":
        let pipeline = PostgresPipeline(configuration: configuration, connections: connections, logger: logger)
        insert = { payload in
            try await pipeline.query(statement(payload))
        }
        finish = { await pipeline.close() }
    default:
        // The ordinary path of a service: default options, `pool.query` per insert
        // (a lone statement borrows a connection, concurrent ones are pipelined).
        let pool = PostgresPool(configuration: configuration, logger: logger)
        insert = { payload in
            try await pool.query(statement(payload))
        }
        finish = { await pool.close() }
    }
    // Warm up: open every connection and prepare the statement.
    try await withThrowingTaskGroup(of: Void.self) { group in
        for _ in 0..<max(concurrency, connections) { group.addTask(executorPreference: handlerExecutor) { try await insert(0) } }
        try await group.waitForAll()
    }
    let usageBefore = usage()
    let clock = ContinuousClock()
    let start = clock.now
    let deadline = start + .milliseconds(Int64(seconds * 1000))
    let all = try await withThrowingTaskGroup(of: [Int64].self) { group in
        for _ in 0..<concurrency { group.addTask(executorPreference: handlerExecutor) { try await insertLoop(until: deadline, insert) } }
        var all: [Int64] = []
        for try await latencies in group { all += latencies }
        return all
    }
    report(mode: mode, concurrency: concurrency, connections: connections, latencies: all, elapsed: clock.now - start,
               usageBefore: usageBefore)
    await finish()
}
// The pools' close() now returns when every session has ended (it did not before, and
// OpenSSL's exit cleanup racing a closing session once crashed the process after its
// figures were out). Ending without the C exit handlers is kept: nothing is left to do.
fflush(nil)
_exit(0)
