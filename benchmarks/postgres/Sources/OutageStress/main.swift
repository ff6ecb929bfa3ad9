// The workload of PoolPipeliningTests.testOneFailingStatementAmongManyConcurrentOnesFailsOnlyItsCaller
// (400 concurrent `pool.query` inserts, one in ten breaking a CHECK, over a pool of 4
// connections and its pipelined sessions), repeated while stress-outage.sh stops and
// starts the server at random moments. Each round must end, whatever the server does:
// a round still running after the time limit is a hang, reported with what was still
// waiting, and the process exits 1. Every error a caller gets must be the statement's
// own CHECK violation or `unavailable`, and no statement may be applied twice.
// Usage: OutageStress <rounds> <seconds per round>
import Foundation
import Logging
import Postgres
import Synchronization

let arguments = CommandLine.arguments
guard arguments.count >= 3, let rounds = Int(arguments[1]), let limit = Int(arguments[2]) else {
    print("usage: OutageStress <rounds> <seconds per round>")
    exit(2)
}
let configuration = PostgresConfiguration.environment(label: "outage")
let logger = Logger(label: "outage-stress")
let pool = PostgresPool(configuration: configuration, options: .init(maxConnections: 4), logger: logger)

/// Calls that have not returned yet in the current round (for the hang report).
let pending = Mutex<Set<Int64>>([])
let round = Atomic<Int>(0)

// Watchdog on a thread of its own: a round that outlives the limit is a hang.
Thread {
    var seen = -1
    var since = Date()
    while true {
        sleep(1)
        let current = round.load(ordering: .relaxed)
        if current != seen { seen = current; since = Date(); continue }
        if Date().timeIntervalSince(since) > Double(limit) {
            let waiting = pending.withLock { $0.sorted() }
            print("HANG: round \(current) still running after \(limit) s; \(waiting.count) calls not returned: "
                  + "\(waiting.prefix(20)); pool open/idle/waiting \(pool.statistics)")
            fflush(nil)
            exit(1)
        }
    }
}.start()

var tally: [String: Int] = [:]
for index in 1...rounds {
    round.store(index, ordering: .relaxed)
    let table = "outage_\(index)_\(Int.random(in: 0..<1_000_000))"
    do {
        try await pool.query("CREATE TABLE \(identifier: table) (id bigint NOT NULL, gate text NOT NULL CHECK (gate <> 'BAD'))")
    } catch {
        tally["server down before the round", default: 0] += 1
        try? await Task.sleep(for: .milliseconds(50))
        continue
    }
    let outcomes = await withTaskGroup(of: (Int64, (any Error)?).self) { group in
        for id in Int64(0)..<400 {
            pending.withLock { _ = $0.insert(id) }
            group.addTask {
                defer { pending.withLock { _ = $0.remove(id) } }
                do {
                    try await pool.query("INSERT INTO \(identifier: table) VALUES (\(id), \(id % 10 == 3 ? "BAD" : "G"))")
                    return (id, nil)
                } catch {
                    return (id, error)
                }
            }
        }
        var outcomes: [(Int64, (any Error)?)] = []
        for await outcome in group { outcomes.append(outcome) }
        return outcomes
    }
    var unavailable = 0
    for (id, error) in outcomes {
        guard let error else { continue }
        guard let error = error as? PostgresError else {
            print("round \(index): statement \(id) failed with a non-Postgres error: \(error)")
            exit(1)
        }
        if error.category == .unavailable { unavailable += 1; continue }
        if id % 10 == 3 && error.category == .checkViolation { continue }
        print("round \(index): statement \(id) got \(error.code.rawValue) (\(error.category)), not its own error")
        exit(1)
    }
    tally[unavailable == 0 ? "round without outage" : "outage during the statements", default: 0] += 1
    // Nothing applied twice (when the server is up to tell).
    if let twice = try? await pool.query("SELECT count(*) - count(DISTINCT id) FROM \(identifier: table)").scalar(Int64.self),
       twice != 0 {
        print("round \(index): \(twice) statements applied twice")
        exit(1)
    }
    _ = try? await pool.query("DROP TABLE \(identifier: table)")
}
print("rounds: \(rounds); " + tally.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value)" }.joined(separator: ", "))
await pool.close()
fflush(nil)
_exit(0)
