import Contracts
import Logging
import Postgres

/// Keeps the health board honest about the database: every `interval` it runs
/// `SELECT 1` on the read-write pool, and marks every hosted service
/// NOT_SERVING while that fails (SERVING again once it answers), so that load
/// balancers send traffic to replicas that can serve it.
struct DatabaseHealthProbe: Sendable {
    let pool: PostgresPool
    let board: HealthStatusBoard
    let logger: Logger
    var interval: Duration = .seconds(5)

    /// Runs until the Task is cancelled.
    func run() async {
        var healthy = true
        while !Task.isCancelled {
            try? await Task.sleep(for: interval)
            if Task.isCancelled { return }
            let ok: Bool
            do {
                try await pool.query("SELECT 1", timeout: .seconds(2))
                ok = true
            } catch {
                ok = false
                if healthy { logger.warning("database unreachable: NOT_SERVING", metadata: ["pg.error": "\(error)"]) }
            }
            if Task.isCancelled { return }
            if ok, !healthy { logger.notice("database reachable again: SERVING") }
            if ok != healthy { board.setAll(ok ? .serving : .notServing) }
            healthy = ok
        }
    }
}
