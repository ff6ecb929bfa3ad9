import Contracts
import Foundation
import GRPCRuntime

extension RecordsServiceProvider {
    /// Batches load one after the other, in the order sent; while one is in
    /// the database, the next is received, decoded, checked by the rules and
    /// its keys derived (docs/records.md, "Bulk intake"), so the service's
    /// work on a batch overlaps the database's on the previous one.
    nonisolated(nonsending) func bulkIntake(requests: RequestStream<Immigration_Records_V1_BulkIntakeRequest>,
                    context: ServerContext) async throws -> Immigration_Records_V1_BulkIntakeResponse {
        var response = Immigration_Records_V1_BulkIntakeResponse()
        var jobID: UUID?
        /// The job's source system and provenance, once a batch of the stream has read them.
        var job: IntakeStore.Job?
        var loading: Task<(IntakeStore.Outcome, job: IntakeStore.Job, batch: Int64), any Error>?
        do {
            for try await message in requests {
                var checks = Checks()
                let id = checks.one { () throws(ValidationError) in try RequestInput.uuid(message.jobID, field: "job_id") }
                if let jobID, let id, id != jobID { checks.add("job_id", "same_job", "every message of a stream names the same job") }
                checks.run { () throws(ValidationErrors) in
                    try IntakeRules.validatedBatch(sequence: message.batchSequence, rowNumbers: message.rows.map(\.rowNumber))
                }
                var spec: IntakeStore.JobSpec?
                if jobID == nil, let job = message.job {
                    checks.run { () throws(ValidationErrors) in
                        try IntakeRules.validatedJob(sourceSystem: job.sourceSystem, description: job.description,
                                                     source: job.provenance?.source.rule)
                    }
                    if let provenance = checks.run({ () throws(ValidationErrors) in
                        try RequestInput.provenance(job.provenance, field: "job.provenance")
                    }) {
                        spec = .init(sourceSystem: job.sourceSystem, description: job.description, provenance: provenance)
                    }
                }
                try checks.throwIfAny()
                jobID = id
                response.jobID = id!.text
                // A guess checked in the transaction: keys derived for another job's provenance are derived again.
                let known = job ?? spec.map(IntakeStore.Job.init)
                // Milliseconds of CPU for a batch of thousands of rows: not on the
                // completion-queue thread, which may be the one reading every socket
                // of the process (docs/runtime.md, "One polling queue per server").
                let messageRows = message.rows
                let (rows, rejected) = await Task.detached {
                    var (rows, rejected) = Self.checkedRows(messageRows)
                    if let known { rows.deriveKeys(for: known) }
                    return (rows, rejected)
                }.value
                if let previous = loading {
                    loading = nil
                    let result = try await previous.value
                    job = result.job
                    Self.add(result, to: &response)
                }
                let (batch, count, last) = (message.batchSequence, message.rows.count, message.lastBatch)
                loading = Task { [rows] in
                    let result = try await handle {
                        try await intake.load(jobID: id!, spec: spec, batch: batch, rowCount: count, lastBatch: last, rows: rows,
                                              rejected: rejected)
                    }
                    return (result.outcome, result.job, batch)
                }
            }
            if let previous = loading {
                loading = nil
                Self.add(try await previous.value, to: &response)
            }
        } catch {
            // The batch in the database finishes (commits or rolls back) before
            // the stream is answered, so last_committed_batch is final then.
            _ = try? await loading?.value
            throw error
        }
        return response
    }

    /// Adds a batch's outcome to the stream's response.
    static func add(_ result: (IntakeStore.Outcome, job: IntakeStore.Job, batch: Int64),
                    to response: inout Immigration_Records_V1_BulkIntakeResponse) {
        switch result.0 {
        case .skipped(let last):
            response.skippedBatches += 1
            response.lastCommittedBatch = last
        case .loaded(let accepted, let rejected, let last):
            response.acceptedRows += accepted
            response.rejectedRows += Int64(rejected.count)
            for r in rejected where response.rejected.count < 1000 {
                response.rejected.append(.with {
                    $0.rowNumber = r.rowNumber; $0.batchSequence = result.batch
                    $0.field = r.field; $0.rule = r.rule; $0.message = r.message
                })
            }
            response.lastCommittedBatch = last
        }
    }

    /// Checks every row with the RPCs' rules; a row that breaks one is
    /// rejected with its first broken rule, the others load.
    static func checkedRows(_ rows: [Immigration_Records_V1_IntakeRow]) -> (IntakeStore.CheckedRows, rejected: [IntakeStore.Rejection]) {
        var checked = IntakeStore.CheckedRows()
        var rejected: [IntakeStore.Rejection] = []
        for row in rows {
            var checks = Checks()
            switch row.record {
            case .person(let p)?:
                let key = checks.one { () throws(ValidationError) in try IntakeRules.validatedSourceKey(p.sourceKey, field: "person.source_key") }
                let details = checks.run { () throws(ValidationErrors) in try RequestInput.personDetails(p.details, field: "person.details") }
                if let key, let details { checked.persons.append(.init(rowNumber: row.rowNumber, sourceKey: key, details: details)) }
            case .document(let d)?:
                let key = checks.one { () throws(ValidationError) in
                    try IntakeRules.validatedSourceKey(d.personSourceKey, field: "document.person_source_key")
                }
                let details = checks.run { () throws(ValidationErrors) in try RequestInput.documentDetails(d.details, field: "document.details") }
                let status: DocumentStatus? = d.status == .unspecified ? .issued : d.status.rule
                if status == nil { checks.add("document.status", "known_status", "a document status") }
                if let key, let details, let status {
                    checked.documents.append(.init(rowNumber: row.rowNumber, personSourceKey: key, details: details, status: status))
                }
            case .crossing(let c)?:
                let key = checks.one { () throws(ValidationError) in
                    try IntakeRules.validatedSourceKey(c.personSourceKey, field: "crossing.person_source_key")
                }
                let reference = checks.run { () throws(ValidationErrors) in
                    try RequestInput.reference(c.document ?? .init(), field: "crossing.document")
                }
                let direction = c.direction.rule
                if direction == nil { checks.add("crossing.direction", "required", "entry or exit") }
                if c.checkpointCode.isEmpty { checks.add("crossing.checkpoint_code", "required", "the checkpoint's code") }
                checks.run { () throws(ValidationErrors) in
                    try CrossingRules.validate(lane: c.lane.rule, gateID: c.gateID, crossedAt: c.crossedAt?.date, now: Date())
                }
                if let key, case .reference(let kind, let number, let state)? = reference, let direction, checks.errors.isEmpty {
                    checked.crossings.append(.init(rowNumber: row.rowNumber, personSourceKey: key, kind: kind, number: number,
                                           issuingState: state, direction: direction, checkpointCode: c.checkpointCode,
                                           crossedAt: c.crossedAt!.date, lane: c.lane.rule!, gateID: c.gateID))
                }
            case nil:
                checks.add("record", "required", "a person, document or crossing")
            }
            if let first = checks.errors.first {
                rejected.append(.init(rowNumber: row.rowNumber, field: first.field, rule: first.rule, message: first.message))
            }
        }
        return (checked, rejected)
    }

    nonisolated(nonsending) func getIntakeStatus(request: Immigration_Records_V1_GetIntakeStatusRequest,
                         context: ServerContext) async throws -> Immigration_Records_V1_GetIntakeStatusResponse {
        var checks = Checks()
        let jobID = checks.one { () throws(ValidationError) in try RequestInput.uuid(request.jobID, field: "job_id") }
        let size = checks.one { () throws(ValidationError) in try Paging.pageSize(request.pageSize) }
        let offset = checks.one { () throws(ValidationError) in try PageToken.offset(request.pageToken) }
        try checks.throwIfAny()
        return try await handle {
            guard let status = try await intake.status(jobID: jobID!, offset: offset!, limit: size!) else {
                throw StoreError.notFound("intake job")
            }
            return status
        }
    }
}
