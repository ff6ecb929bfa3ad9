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

    /// Starts the loop; the first run is one interval after start (a service
    /// starting is busy enough). Cancel the task to stop.
    func start() -> Task<Void, Never> {
        Task {
            while !Task.isCancelled {
                do {
                    try await Task.sleep(for: .seconds(policy.intervalSeconds))
                } catch {
                    return
                }
                await runOnce()
            }
        }
    }

    /// One purge run; failures are logged and retried at the next interval.
    func runOnce() async {
        do {
            let run = try await store.run(policy)
            if run.feedEvents > 0 || run.requestLogEntries > 0 || !run.completed {
                logger.info("retention purge", metadata: [
                    "feed.events": "\(run.feedEvents)", "request_log.entries": "\(run.requestLogEntries)",
                    "completed": "\(run.completed)",
                ])
            }
        } catch {
            logger.warning("retention purge failed", metadata: ["error": "\(error)"])
        }
    }
}
