import Foundation
import Logging

/// Runs the retention purge (`RetentionStore.run`) every
/// `policy.intervalSeconds` for as long as the process lives. Every replica
/// runs one; the advisory lock lets one purge at a time, and the others find
/// nothing left when their turn comes.
struct RetentionSweeper: Sendable {
    let store: RetentionStore
    let policy: RetentionPolicy
    let logger: Logger

    /// Starts the loop. The first run comes a little after start, at a random
    /// moment within `firstRunDelay` (so that replicas restarted together do not
    /// all try at once, and a service redeployed more often than the interval
    /// still purges), then every interval. Cancel the task to stop.
    func start() -> Task<Void, Never> {
        Task {
            var pause = Self.firstRunDelay(interval: policy.intervalSeconds)
            while !Task.isCancelled {
                do {
                    try await Task.sleep(for: pause)
                } catch {
                    return
                }
                await runOnce()
                pause = .seconds(policy.intervalSeconds)
            }
        }
    }

    /// Between a fifth of and the whole of the shorter of the interval and five minutes.
    static func firstRunDelay(interval seconds: Int) -> Duration {
        let ceiling = Double(min(seconds, 300))
        return .milliseconds(Int(Double.random(in: (ceiling / 5)...ceiling) * 1000))
    }

    /// One purge run; failures are logged and retried at the next interval.
    func runOnce() async {
        do {
            let run = try await store.run(policy)
            if run.feedEvents > 0 || run.requestLogEntries > 0 || run.intakeRows > 0 || !run.completed {
                logger.info("retention purge", metadata: [
                    "feed.events": "\(run.feedEvents)", "request_log.entries": "\(run.requestLogEntries)",
                    "intake.rows": "\(run.intakeRows)",
                    "completed": "\(run.completed)",
                ])
            }
        } catch {
            logger.warning("retention purge failed", metadata: ["error": "\(error)"])
        }
    }
}
