import Foundation
import Postgres

/// Purges the change feed's old events, the request log's old entries and
/// old finished intake jobs (docs/records.md, "Retention"), in small transactions, under an advisory
/// lock so that one replica at a time purges. Everything else is kept for good.
struct RetentionStore: Sendable {
    let pool: PostgresPool

    /// The advisory lock of purging ("records" retention, 7_417_002, next to
    /// the sequencer's 7_417_001), taken per schema: replicas of one service
    /// purge one at a time, while services of other schemas in the same
    /// database (tests, or several deployments sharing a server) never wait on
    /// each other. The two-key form lives apart from single-key locks.
    static let lockKey: Int32 = 7_417_002
    private static let tryLock: PostgresQuery = "SELECT pg_try_advisory_xact_lock(\(lockKey), hashtext(current_schema()))"

    /// One purge batch's result: nil when another session holds the lock.
    typealias BatchResult = Int?

    /// Deletes up to `limit` of the oldest numbered feed events, as long as
    /// every one of them occurred before `cutoff`: the purged range is always
    /// a prefix of the positions, and `outbox_retention.purged_through` moves
    /// to its end in the same transaction, so a consumer is told exactly what
    /// it missed. Returns the rows deleted (0: nothing older is left).
    func purgeFeed(before cutoff: Date, limit: Int) async throws -> BatchResult {
        try await pool.transaction { tx in
            guard try await tx.query(Self.tryLock).scalar(Bool.self) == true else {
                return nil
            }
            let purged = try await tx.query("SELECT purged_through FROM outbox_retention FOR UPDATE").scalar(Int64.self) ?? 0
            // The longest run of positions after purged_through, in order, whose events are all older than the cutoff.
            let end = try await tx.query("""
                SELECT max(position) FROM (
                    SELECT position, bool_and(occurred_at < \(cutoff)) OVER (ORDER BY position) AS old
                    FROM (SELECT position, occurred_at FROM outbox
                          WHERE position > \(purged) ORDER BY position LIMIT \(Int64(limit))) oldest
                ) run WHERE old
                """).scalar(Int64?.self) ?? nil
            guard let end else { return 0 }
            let deleted = try await tx.query("""
                DELETE FROM outbox WHERE position > \(purged) AND position <= \(end)
                """).affectedRows
            _ = try await tx.query("UPDATE outbox_retention SET purged_through = \(end)")
            return deleted
        }
    }

    /// Deletes up to `limit` request log entries recorded before `cutoff`.
    /// A retry of such a request is then a new request.
    func purgeRequestLog(before cutoff: Date, limit: Int) async throws -> BatchResult {
        try await pool.transaction { tx in
            guard try await tx.query(Self.tryLock).scalar(Bool.self) == true else {
                return nil
            }
            return try await tx.query("""
                DELETE FROM request_log WHERE (person_id, request_id) IN (
                    SELECT person_id, request_id FROM request_log WHERE recorded_at < \(cutoff) LIMIT \(Int64(limit)))
                """).affectedRows
        }
    }

    /// Deletes one completed intake job whose last batch is older than
    /// `cutoff` (the oldest), up to `limit` of its rows at a time: its
    /// rejected rows first, then its batches, then the job, so a job with
    /// millions of rejected rows takes several transactions and GetIntakeStatus
    /// never sees a job without its batches. Returns the rows deleted (0:
    /// no such job is left).
    func purgeIntakeJobs(before cutoff: Date, limit: Int) async throws -> BatchResult {
        try await pool.transaction { tx in
            guard try await tx.query(Self.tryLock).scalar(Bool.self) == true else {
                return nil
            }
            guard let job = try await tx.query("""
                SELECT job_id FROM intake_jobs WHERE state = 'completed' AND updated_at < \(cutoff)
                ORDER BY updated_at LIMIT 1 FOR UPDATE SKIP LOCKED
                """).scalar(UUID.self) else { return 0 }
            var deleted = try await tx.query("""
                DELETE FROM intake_rejections WHERE (job_id, batch_sequence, row_number) IN (
                    SELECT job_id, batch_sequence, row_number FROM intake_rejections WHERE job_id = \(job)
                    LIMIT \(Int64(limit)))
                """).affectedRows
            if deleted < limit {
                deleted += try await tx.query("DELETE FROM intake_batches WHERE job_id = \(job)").affectedRows
                deleted += try await tx.query("DELETE FROM intake_jobs WHERE job_id = \(job)").affectedRows
            }
            return deleted
        }
    }

    /// What one purge run removed.
    struct Run: Hashable, Sendable {
        var feedEvents = 0
        var requestLogEntries = 0
        /// Rows of finished intake jobs (jobs, batches and rejected rows).
        var intakeRows = 0
        /// False when another replica was purging, so this one stopped.
        var completed = true
    }

    /// Purges each in batches until nothing older than the policy is left,
    /// or another replica holds the lock.
    func run(_ policy: RetentionPolicy, now: Date = Date()) async throws -> Run {
        var run = Run()
        let feedCutoff = now.addingTimeInterval(-Double(policy.feedDays) * 86_400)
        let logCutoff = now.addingTimeInterval(-Double(policy.requestLogDays) * 86_400)
        let intakeCutoff = now.addingTimeInterval(-Double(policy.intakeJobDays) * 86_400)
        while true {
            guard let deleted = try await purgeFeed(before: feedCutoff, limit: policy.batchSize) else {
                run.completed = false
                return run
            }
            run.feedEvents += deleted
            if deleted < policy.batchSize { break }
        }
        while true {
            guard let deleted = try await purgeRequestLog(before: logCutoff, limit: policy.batchSize) else {
                run.completed = false
                return run
            }
            run.requestLogEntries += deleted
            if deleted < policy.batchSize { break }
        }
        while true {
            guard let deleted = try await purgeIntakeJobs(before: intakeCutoff, limit: policy.batchSize) else {
                run.completed = false
                return run
            }
            run.intakeRows += deleted
            if deleted == 0 { break }
        }
        return run
    }
}
