import Contracts
import Foundation
import GRPCRuntime

/// One run of `immigctl intake` against RecordsService: reads where the job
/// stands (GetIntakeStatus), skips the batches already committed, sends the
/// others one BulkIntake call each, and retries a batch whose call failed for
/// want of a connection or a server. A retried batch that had committed
/// before its answer was lost is skipped by the server; the counts are then
/// read back from the job, so they stay exact.
final class IntakeSession {
    let client: Immigration_Records_V1_RecordsService.Client
    let metadata: Metadata
    let retries: Int
    let jobID: String
    let spec: Immigration_Records_V1_IntakeJobSpec
    let progress: IntakeProgress
    /// Local read problems shown on stderr; the rest are only counted.
    private var problemsShown = 0

    init(client: Immigration_Records_V1_RecordsService.Client, metadata: Metadata, retries: Int, jobID: String,
         spec: Immigration_Records_V1_IntakeJobSpec, progress: IntakeProgress) {
        self.client = client
        self.metadata = metadata
        self.retries = retries
        self.jobID = jobID
        self.spec = spec
        self.progress = progress
    }

    var options: CallOptions { CallOptions(timeout: .seconds(300), metadata: metadata) }

    /// Statuses after which the same call may succeed: the connection or the
    /// server went away, or the server was overloaded.
    static func isTransient(_ code: StatusCode) -> Bool {
        [.unavailable, .deadlineExceeded, .unknown, .internalError, .aborted, .resourceExhausted, .cancelled].contains(code)
    }

    /// Runs `body`, again after a transient failure, up to `retries` more times.
    func retrying<T>(_ what: String, _ body: () async throws -> T) async throws -> T {
        var attempt = 0
        while true {
            do {
                return try await body()
            } catch let error as RPCError where Self.isTransient(error.code) && attempt < retries {
                attempt += 1
                let pause = min(10.0, 0.25 * pow(2, Double(attempt - 1)))
                progress.note("\(what): \(error.code.name); retrying in \(String(format: "%.2g", pause)) s "
                              + "(attempt \(attempt + 1) of \(retries + 1))")
                try await Task.sleep(for: .milliseconds(Int(pause * 1000)))
            }
        }
    }

    /// The job as the server has it, or nil when it does not exist yet.
    func status() async throws -> Immigration_Records_V1_GetIntakeStatusResponse? {
        try await retrying("reading job \(jobID)") {
            do {
                return try await client.getIntakeStatus(.with { $0.jobID = jobID; $0.pageSize = 1 }, options: options)
            } catch let error as RPCError where error.code == .notFound {
                return nil
            }
        }
    }

    func run(_ source: IntakeSource, batchSize: Int) async throws {
        var lastCommitted: Int64 = 0
        if let status = try await status() {
            lastCommitted = status.lastCommittedBatch
            progress.accepted = status.acceptedRows
            progress.rejected = status.rejectedRows
            if status.state == .completed {
                progress.note("intake job \(jobID) is already completed")
                return
            }
            progress.note("intake job \(jobID): resuming after batch \(lastCommitted)")
        } else {
            progress.note("intake job \(jobID): started (resume with --job-id \(jobID))")
        }
        var sequence: Int64 = 0
        var next = try source.next(decode: lastCommitted < 1)
        guard next != nil else {
            progress.note("the input has no rows: nothing to load")
            return
        }
        while next != nil {
            sequence += 1
            let skipping = sequence <= lastCommitted
            var rows: [Immigration_Records_V1_IntakeRow] = []
            while rows.count < batchSize, let row = next {
                if let problem = row.problem { show(problem, line: row.row.rowNumber) }
                rows.append(row.row)
                next = try source.next(decode: sequence + (rows.count < batchSize ? 0 : 1) > lastCommitted)
            }
            progress.batch = sequence
            if skipping {
                progress.skipped(rows: rows.count, bytesRead: source.bytesRead)
                progress.draw()
                continue
            }
            let request = Immigration_Records_V1_BulkIntakeRequest.with {
                $0.jobID = jobID
                $0.job = spec
                $0.batchSequence = sequence
                $0.rows = rows
                $0.lastBatch = next == nil
            }
            let response = try await retrying("batch \(sequence)") {
                try await client.bulkIntake(options: options) { writer in try await writer.send(request) }
            }
            progress.sent(rows: rows.count, bytesRead: source.bytesRead)
            if response.skippedBatches > 0, let status = try await status() {
                // Committed by an attempt whose answer was lost: the job's totals are the truth.
                progress.accepted = status.acceptedRows
                progress.rejected = status.rejectedRows
            } else {
                progress.accepted += response.acceptedRows
                progress.rejected += response.rejectedRows
            }
            progress.draw()
        }
        progress.finish()
    }

    private func show(_ problem: String, line: Int64) {
        problemsShown += 1
        if problemsShown <= 20 {
            progress.note("line \(line): \(problem) (sent without a record: rejected)")
        } else if problemsShown == 21 {
            progress.note("more unreadable lines: see the rejections")
        }
    }

    /// Writes every rejected row of the job as NDJSON to `path` (- for standard
    /// output), page by page from GetIntakeStatus, and a summary on stderr.
    func writeRejections(to path: String) async throws {
        let output: FileHandle
        if path == "-" {
            output = .standardOutput
        } else {
            guard FileManager.default.createFile(atPath: path, contents: nil), let handle = FileHandle(forWritingAtPath: path) else {
                throw CommandFailure("cannot write \(path)")
            }
            output = handle
        }
        defer { if path != "-" { try? output.close() } }
        var token = ""
        var final: Immigration_Records_V1_GetIntakeStatusResponse?
        var written = 0
        repeat {
            let page = try await retrying("reading rejections") {
                try await client.getIntakeStatus(.with { $0.jobID = jobID; $0.pageSize = 1000; $0.pageToken = token },
                                                 options: options)
            }
            var text = ""
            for row in page.rejected {
                text += "{\"rowNumber\":\(row.rowNumber),\"batchSequence\":\(row.batchSequence),"
                    + "\"field\":\(CSVColumns.quoted(row.field)),\"rule\":\(CSVColumns.quoted(row.rule)),"
                    + "\"message\":\(CSVColumns.quoted(row.message))}\n"
            }
            output.write(Data(text.utf8))
            written += page.rejected.count
            token = page.nextPageToken
            final = page
        } while !token.isEmpty
        guard let final else { return }
        let state = final.state == .completed ? "completed" : "open"
        progress.note("intake job \(jobID) \(state): \(final.acceptedRows) rows accepted, \(final.rejectedRows) rejected"
                      + (path == "-" ? "" : " (written to \(path))"))
    }
}
