import Foundation
import GRPCRuntime

#if canImport(Glibc)
import Glibc
#endif

/// Latencies of one run, in nanoseconds, with the percentiles the report shows.
struct Latencies: Sendable {
    var values: [Int64] = []
    var errors = 0
    var firstError: String?

    mutating func merge(_ other: Latencies) {
        values.append(contentsOf: other.values)
        errors += other.errors
        if firstError == nil { firstError = other.firstError }
    }

    func percentile(_ p: Double) -> Double {
        guard !values.isEmpty else { return 0 }
        let sorted = values.sorted()
        let index = min(sorted.count - 1, max(0, Int((Double(sorted.count) * p).rounded(.up)) - 1))
        return Double(sorted[index]) / 1000
    }
}

/// CPU time of this process (user + system), in seconds.
func processCPUSeconds() -> Double {
    var usage = rusage()
    getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
    return Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6
}

func seconds(_ duration: Duration) -> Double {
    Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
}

/// Drives one RPC: `concurrency` callers in a closed loop (each calls again as
/// soon as its answer arrives), or, with `rate`, an open loop that starts calls
/// at that fixed rate whatever the answers do (latency counted from the
/// scheduled start, so queueing shows), at most `concurrency` in flight.
struct LoadRun: Sendable {
    let concurrency: Int
    let duration: Duration
    let rate: Int?

    func run(_ call: @escaping @Sendable (Int) async throws -> Void) async -> (Latencies, Double) {
        switch rate {
        case nil: return await closedLoop(call)
        case let rate?: return await openLoop(rate: rate, call)
        }
    }

    private func closedLoop(_ call: @escaping @Sendable (Int) async throws -> Void) async -> (Latencies, Double) {
        let start = ContinuousClock.now
        let end = start + duration
        let total = await withTaskGroup(of: Latencies.self) { group in
            for worker in 0..<concurrency {
                group.addTask {
                    var mine = Latencies()
                    mine.values.reserveCapacity(65_536)
                    var n = worker
                    while ContinuousClock.now < end {
                        let began = ContinuousClock.now
                        do {
                            try await call(n)
                            mine.values.append(Int64(seconds(ContinuousClock.now - began) * 1e9))
                        } catch {
                            mine.errors += 1
                            if mine.firstError == nil { mine.firstError = "\(error)" }
                        }
                        n += concurrency
                    }
                    return mine
                }
            }
            var all = Latencies()
            for await part in group { all.merge(part) }
            return all
        }
        return (total, seconds(ContinuousClock.now - start))
    }

    private func openLoop(rate: Int, _ call: @escaping @Sendable (Int) async throws -> Void) async -> (Latencies, Double) {
        let start = ContinuousClock.now
        let calls = Int(seconds(duration) * Double(rate))
        let interval = Duration.nanoseconds(1_000_000_000 / rate)
        let total = await withTaskGroup(of: Latencies.self) { group in
            var all = Latencies()
            var inFlight = 0
            var dropped = 0
            for n in 0..<calls {
                let scheduled = start + interval * n
                if ContinuousClock.now < scheduled { try? await Task.sleep(until: scheduled, clock: .continuous) }
                while inFlight >= concurrency, let part = await group.next() { all.merge(part); inFlight -= 1 }
                if ContinuousClock.now - scheduled > .seconds(1) { dropped += 1; continue }
                inFlight += 1
                group.addTask {
                    var one = Latencies()
                    do {
                        try await call(n)
                        one.values.append(Int64(seconds(ContinuousClock.now - scheduled) * 1e9))
                    } catch {
                        one.errors = 1
                        one.firstError = "\(error)"
                    }
                    return one
                }
            }
            for await part in group { all.merge(part) }
            all.errors += dropped
            if dropped > 0 && all.firstError == nil { all.firstError = "\(dropped) calls could not start within 1 s of their time" }
            return all
        }
        return (total, seconds(ContinuousClock.now - start))
    }
}
