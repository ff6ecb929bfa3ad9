/// The rules of bulk intake (D77 Art 4.2b: converted and national
/// databases): what a job and a batch must carry, and what to do with a batch
/// given the job's last committed batch (docs/records.md, "Bulk intake").
enum IntakeRules {
    /// The most rows in one batch.
    static let maximumRowsPerBatch = 10_000

    /// What the store does with an incoming batch.
    enum BatchDecision: Hashable, Sendable {
        /// Load it: it is the batch after the last committed one.
        case load
        /// Skip it: it was committed before (a resumed load resending it).
        case skip
        /// Refuse it (FAILED_PRECONDITION): batches would be missing before it.
        case gap(expected: Int64)
    }

    /// Decides from the job's last committed batch, read under the job's row
    /// lock in the batch's own transaction.
    static func decide(batchSequence: Int64, lastCommitted: Int64) -> BatchDecision {
        if batchSequence <= lastCommitted { return .skip }
        if batchSequence == lastCommitted + 1 { return .load }
        return .gap(expected: lastCommitted + 1)
    }

    /// Checks a new job's description: a source system (1 to 64 of a-z, 0-9,
    /// '-', '_', '.'), a description up to 500 characters, and a database
    /// source (D77 Art 4.2b).
    static func validatedJob(sourceSystem: String, description: String, source: InformationSource?) throws(ValidationErrors) {
        var report = ValidationReport()
        let allowed = sourceSystem.utf8.allSatisfy {
            (0x61...0x7A).contains($0) || (0x30...0x39).contains($0) || $0 == 0x2D || $0 == 0x5F || $0 == 0x2E
        }
        if sourceSystem.isEmpty || sourceSystem.utf8.count > 64 || !allowed {
            report.add(ValidationError(field: "job.source_system", rule: "source_system", "1 to 64 of a-z, 0-9, '-', '_', '.'"))
        }
        if description.count > 500 {
            report.add(ValidationError(field: "job.description", rule: "max_length", "at most 500 characters"))
        }
        if let source, !source.isDatabase {
            report.add(ValidationError(field: "job.provenance.source", rule: "database_source",
                                       "bulk intake loads converted or national databases (D77 Art 4.2b)"))
        } else if source == nil {
            report.add(ValidationError(field: "job.provenance.source", rule: "required", "the source database kind is required"))
        }
        try report.throwIfAny()
    }

    /// Checks a batch's framing (not its rows, which are checked one by one
    /// and rejected individually): a sequence from 1, at most 10,000 rows,
    /// row numbers from 1 and none twice in the batch.
    static func validatedBatch(sequence: Int64, rowNumbers: [Int64]) throws(ValidationErrors) {
        var report = ValidationReport()
        if sequence < 1 {
            report.add(ValidationError(field: "batch_sequence", rule: "positive", "batches are numbered from 1"))
        }
        if rowNumbers.count > maximumRowsPerBatch {
            report.add(ValidationError(field: "rows", rule: "max_rows", "at most \(maximumRowsPerBatch) rows per batch"))
        }
        var seen = Set<Int64>()
        for (index, number) in rowNumbers.enumerated() {
            if number < 1 {
                report.add(ValidationError(field: "rows[\(index)].row_number", rule: "positive", "row numbers start at 1"))
                break
            }
            if !seen.insert(number).inserted {
                report.add(ValidationError(field: "rows[\(index)].row_number", rule: "unique_in_batch", "the same row number twice"))
                break
            }
        }
        try report.throwIfAny()
    }

    /// Checks an intake person's key in its source system: 1 to 128 characters.
    static func validatedSourceKey(_ key: String, field: String) throws(ValidationError) -> String {
        guard !key.trimmed.isEmpty, key.count <= 128 else {
            throw ValidationError(field: field, rule: "source_key", "1 to 128 characters")
        }
        return key
    }
}
