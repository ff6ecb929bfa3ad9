/// How long the service keeps what it holds only for a while: the change
/// feed's events, the request log of idempotent writes and finished bulk
/// intake jobs with their batches and rejected rows (docs/records.md,
/// "Retention"). Nothing else is ever purged: persons, documents, crossings,
/// bans and their history are kept for good (D77 Art 4), and the rows an
/// intake loaded keep their own provenance.
struct RetentionPolicy: Hashable, Sendable {
    /// Days a numbered feed event is kept. A consumer down for longer misses
    /// events and is told so (OUT_OF_RANGE).
    var feedDays: Int = 90
    /// Days a request's first response is kept for retries; a retry after
    /// that is a new request.
    var requestLogDays: Int = 30
    /// Days a completed intake job (its batches and rejected rows) is kept
    /// after its last batch, for the operator to read its report
    /// (GetIntakeStatus). An open job is kept until it completes.
    var intakeJobDays: Int = 180
    /// Seconds between two purge runs of a replica.
    var intervalSeconds: Int = 3600
    /// Rows deleted per transaction, so that a purge never holds long locks
    /// or writes one huge WAL burst.
    var batchSize: Int = 5000

    /// A setting that is not a whole number in its range.
    struct Invalid: Error, Hashable, Sendable, CustomStringConvertible {
        var variable: String
        var rule: String
        var description: String { "\(variable): \(rule)" }
    }

    /// Reads `RECORDS_FEED_RETENTION_DAYS`, `RECORDS_REQUEST_LOG_RETENTION_DAYS`,
    /// `RECORDS_INTAKE_RETENTION_DAYS`, `RECORDS_RETENTION_INTERVAL_SECONDS` and
    /// `RECORDS_RETENTION_BATCH`;
    /// an absent variable keeps its default.
    static func from(environment: [String: String]) throws(Invalid) -> RetentionPolicy {
        var policy = RetentionPolicy()
        policy.feedDays = try read(environment, "RECORDS_FEED_RETENTION_DAYS", default: policy.feedDays, in: 1...36_500)
        policy.requestLogDays = try read(environment, "RECORDS_REQUEST_LOG_RETENTION_DAYS", default: policy.requestLogDays,
                                         in: 1...36_500)
        policy.intakeJobDays = try read(environment, "RECORDS_INTAKE_RETENTION_DAYS", default: policy.intakeJobDays,
                                        in: 1...36_500)
        policy.intervalSeconds = try read(environment, "RECORDS_RETENTION_INTERVAL_SECONDS", default: policy.intervalSeconds,
                                          in: 1...86_400)
        policy.batchSize = try read(environment, "RECORDS_RETENTION_BATCH", default: policy.batchSize, in: 1...100_000)
        return policy
    }

    private static func read(_ environment: [String: String], _ name: String, default value: Int,
                             in range: ClosedRange<Int>) throws(Invalid) -> Int {
        guard let text = environment[name] else { return value }
        guard let number = Int(text) else { throw Invalid(variable: name, rule: "a whole number") }
        guard range.contains(number) else {
            throw Invalid(variable: name, rule: "between \(range.lowerBound) and \(range.upperBound)")
        }
        return number
    }
}
