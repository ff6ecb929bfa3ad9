import Contracts
import Foundation
import Postgres

/// Bulk intake (D77 Art 4.2b; docs/records.md, "Bulk intake"): one
/// transaction per batch — the job row locked, the batch decided against
/// `last_committed_batch` (load, skip, gap), the rows decided in Swift against
/// a batch-sized look-up and the accepted ones COPied once into the final
/// tables (IntakeStore+Copy; looked up and decided again when a concurrent
/// writer takes a key meanwhile), rows the data refuses
/// (duplicates, unknown persons or documents) rejected with a reason, and the
/// batch row and the job's counters written — so after a failure the job
/// resumes with the next batch, nothing lost or doubled.
struct IntakeStore: Sendable {
    let pool: PostgresPool

    /// The job's description, for a new job.
    struct JobSpec: Sendable {
        var sourceSystem: String
        var description: String
        var provenance: ProvenanceInput
    }

    /// A checked person row.
    struct PersonRow: Sendable { var rowNumber: Int64; var sourceKey: String; var details: PersonDetails }
    /// A checked document row.
    struct DocumentRow: Sendable { var rowNumber: Int64; var personSourceKey: String; var details: DocumentDetails; var status: DocumentStatus }
    /// A checked crossing row.
    struct CrossingRow: Sendable {
        var rowNumber: Int64; var personSourceKey: String; var kind: DocumentKind; var number: String; var issuingState: String
        var direction: CrossingEligibility.Direction; var checkpointCode: String; var crossedAt: Date
        var lane: CrossingRules.Lane; var gateID: String
    }
    /// A rejected row.
    typealias Rejection = IntakeRules.Rejection

    /// What a batch came to.
    enum Outcome: Sendable {
        case skipped(lastCommitted: Int64)
        case loaded(accepted: Int64, rejected: [Rejection], lastCommitted: Int64)
    }

    /// A batch's rows that passed the field rules, with their keys when they
    /// could be derived before the transaction (the job's source system and
    /// provenance known then: from the job's description or an earlier batch).
    struct CheckedRows: Sendable {
        var persons: [PersonRow] = []
        var documents: [DocumentRow] = []
        var crossings: [CrossingRow] = []
        /// The keys, derived for `keyed.job`; nil or another job's: derived in the transaction.
        var keyed: KeyedBatch?

        /// Derives the keys now, for `job` (the job's source system and provenance).
        mutating func deriveKeys(for job: Job) {
            keyed = IntakeStore.keyed(job, persons: persons, documents: documents, crossings: crossings)
        }
    }

    /// Loads one batch in one transaction; returns what it came to and the
    /// job's source system and provenance (so the keys of the stream's next
    /// batches can be derived before their transactions).
    func load(jobID: UUID, spec: JobSpec?, batch: Int64, rowCount: Int, lastBatch: Bool, rows: CheckedRows,
              rejected validation: [Rejection]) async throws -> (outcome: Outcome, job: Job) {
        try await pool.transaction { tx in
            if let spec {
                _ = try await tx.query("""
                    INSERT INTO intake_jobs (job_id, source_system, description, source, unit_code, actor_id)
                    VALUES (\(jobID), \(spec.sourceSystem), \(spec.description), \(spec.provenance.source.rawValue),
                        \(spec.provenance.unitCode), \(spec.provenance.actorID))
                    ON CONFLICT (job_id) DO NOTHING
                    """)
            }
            let jobs = try await tx.query("""
                SELECT source_system, source, unit_code, actor_id, last_committed_batch, to_jsonb(now()) #>> '{}'
                FROM intake_jobs WHERE job_id = \(jobID) FOR UPDATE
                """)
            guard let job = jobs.first else {
                throw StoreError.invalid(field: "job", rule: "required", message: "the first message of a new job describes it")
            }
            let (system, sourceText, unit, actor, last, now) = try job.decode((String, String, String, String, Int64, String).self)
            switch IntakeRules.decide(batchSequence: batch, lastCommitted: last) {
            case .skip: return (.skipped(lastCommitted: last), Job(system: system, source: sourceText, unit: unit, actor: actor))
            case .gap(let expected):
                throw StoreError.refused(rule: "batch_gap", message: "the next batch of this job is \(expected)")
            case .load: break
            }
            let writer = Writer(job: Job(system: system, source: sourceText, unit: unit, actor: actor), nowJSON: Array(now.utf8))
            var rejected = validation
            let keyed = rows.keyed.flatMap { $0.job == writer.job ? $0 : nil }
                ?? Self.keyed(writer.job, persons: rows.persons, documents: rows.documents, crossings: rows.crossings)
            rejected += try await loadChecked(tx, writer, keyed)
            rejected.sort { $0.rowNumber < $1.rowNumber }
            let accepted = Int64(rowCount - rejected.count)
            _ = try await tx.query("""
                INSERT INTO intake_batches (job_id, batch_sequence, row_count, accepted_rows, rejected_rows)
                VALUES (\(jobID), \(batch), \(Int32(rowCount)), \(Int32(accepted)), \(Int32(rejected.count)))
                """)
            if !rejected.isEmpty {
                _ = try await tx.query("""
                    INSERT INTO intake_rejections (job_id, batch_sequence, row_number, field, rule, message)
                    SELECT \(jobID), \(batch), r.n, r.f, r.u, r.m
                    FROM unnest(\(rejected.map(\.rowNumber)), \(rejected.map(\.field)), \(rejected.map(\.rule)),
                                \(rejected.map(\.message))) AS r(n, f, u, m)
                    """)
            }
            _ = try await tx.query("""
                UPDATE intake_jobs SET last_committed_batch = \(batch), accepted_rows = accepted_rows + \(accepted),
                    rejected_rows = rejected_rows + \(Int64(rejected.count)), updated_at = now(),
                    state = CASE WHEN \(lastBatch) THEN 'completed' ELSE state END
                WHERE job_id = \(jobID)
                """)
            return (.loaded(accepted: accepted, rejected: rejected, lastCommitted: batch), writer.job)
        }
    }

    /// A job with a page of its rejected rows (by row number).
    func status(jobID: UUID, offset: Int, limit: Int) async throws -> Immigration_Records_V1_GetIntakeStatusResponse? {
        let jobs = try await pool.query("""
            SELECT source_system, description, source, unit_code, actor_id, state, last_committed_batch, accepted_rows,
                rejected_rows, created_at, updated_at FROM intake_jobs WHERE job_id = \(jobID)
            """)
        guard let job = jobs.first else { return nil }
        var response = Immigration_Records_V1_GetIntakeStatusResponse()
        response.jobID = jobID.text
        response.job = .with {
            $0.sourceSystem = (try? job.value("source_system", as: String.self)) ?? ""
            $0.description = (try? job.value("description", as: String.self)) ?? ""
            var p = Immigration_Common_V1_Provenance()
            if let s = try? job.value("source", as: String.self), let source = InformationSource(rawValue: s) { p.source = .init(rule: source) }
            p.unitCode = (try? job.value("unit_code", as: String.self)) ?? ""
            p.actorID = (try? job.value("actor_id", as: String.self)) ?? ""
            $0.provenance = p
        }
        response.state = try job.value("state", as: String.self) == "completed" ? .completed : .open
        response.lastCommittedBatch = try job.value("last_committed_batch")
        response.acceptedRows = try job.value("accepted_rows")
        response.rejectedRows = try job.value("rejected_rows")
        response.createdAt = ProtoTimestamp(try job.value("created_at", as: Date.self))
        response.updatedAt = ProtoTimestamp(try job.value("updated_at", as: Date.self))
        let rows = try await pool.query("""
            SELECT row_number, batch_sequence, field, rule, message FROM intake_rejections WHERE job_id = \(jobID)
            ORDER BY row_number, batch_sequence OFFSET \(offset) LIMIT \(limit + 1)
            """)
        response.rejected = try rows.prefix(limit).map { row in
            let (n, b, f, r, m) = try row.decode((Int64, Int64, String, String, String).self)
            return .with { $0.rowNumber = n; $0.batchSequence = b; $0.field = f; $0.rule = r; $0.message = m }
        }
        if rows.count > limit { response.nextPageToken = PageToken.make([String(offset + limit)]) }
        return response
    }
}
