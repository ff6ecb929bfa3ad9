import ArgumentParser
import Contracts
import Foundation
import GRPCRuntime

/// `immigctl intake`: loads an NDJSON or CSV file of persons, documents and
/// crossings into RecordsService through BulkIntake (D77 Art 4.2b), one batch
/// per call, with a progress bar on stderr. A lost connection or a restarted
/// server is retried by itself; a load that stopped resumes with `--job-id`
/// from the job's last committed batch, nothing lost and nothing doubled.
/// Rejected rows, with their reasons, are written at the end from the
/// server's record of the job, so they are complete across resumed attempts.
struct IntakeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "intake",
        abstract: "Bulk-load persons, documents and crossings from NDJSON or CSV into RecordsService.",
        discussion: """
            NDJSON: one immigration.records.v1.IntakeRow in JSON per line. CSV: a header row of field \
            paths (person.source_key, person.details.name.family_name, …). Rows are numbered by their \
            line in the file. Resume a stopped load with the same file, batch size and --job-id.
            """)

    @Argument(help: ArgumentHelp("The file to load, or - for standard input.", valueName: "file"))
    var file: String

    @Option(help: "ndjson or csv (default: from the file name; .csv is csv, anything else ndjson).")
    var format: IntakeSource.Format?

    @Option(help: "The source system, such as legacy-a08; intake persons' ids are scoped by it.")
    var sourceSystem: String

    @Option(help: "converted-database, national-population-database or other-national-database.")
    var source: DatabaseSource = .convertedDatabase

    @Option(help: "The unit that runs the load (provenance).")
    var unit: String

    @Option(help: "The officer or system running the load (provenance).")
    var actor: String = "immigctl-intake"

    @Option(help: "A description for operators (default: the file's name).")
    var description: String?

    @Option(help: "The job to resume (printed when a load starts); default: a new job.")
    var jobID: String?

    @Option(help: "Rows per batch, 1 to 10000; a resumed load must use the same.")
    var batchSize: Int = 1000

    @Option(help: ArgumentHelp("Where to write rejected rows as NDJSON; - for standard output.", valueName: "file"))
    var rejects: String = "-"

    @Option(help: "How many times one batch is retried after a lost connection or an unavailable server.")
    var retries: Int = 10

    @Option(help: ArgumentHelp("The RecordsService: a service name of the running suite or host:port.", valueName: "target"))
    var target: String = "records"

    @OptionGroup var connection: ConnectionOptions

    enum DatabaseSource: String, ExpressibleByArgument, CaseIterable {
        case convertedDatabase = "converted-database"
        case nationalPopulationDatabase = "national-population-database"
        case otherNationalDatabase = "other-national-database"

        var proto: Immigration_Common_V1_InformationSource {
            switch self {
            case .convertedDatabase: .convertedDatabase
            case .nationalPopulationDatabase: .nationalPopulationDatabase
            case .otherNationalDatabase: .otherNationalDatabase
            }
        }
    }

    func validate() throws {
        guard (1...10_000).contains(batchSize) else { throw ValidationError("--batch-size: between 1 and 10000") }
        guard retries >= 0 else { throw ValidationError("--retries: 0 or more") }
        if let jobID, UUID(uuidString: jobID) == nil { throw ValidationError("--job-id: a UUID") }
    }

    func run() async throws {
        do {
            try await load()
        } catch let exit as ExitCode {
            throw exit
        } catch {
            throw ExitCode(ErrorReport.report(error))
        }
    }

    private func load() async throws {
        let input: FileHandle
        var size: Int64?
        if file == "-" {
            input = .standardInput
        } else {
            guard let handle = FileHandle(forReadingAtPath: file) else { throw CommandFailure("cannot read \(file)") }
            input = handle
            size = (try? FileManager.default.attributesOfItem(atPath: file)[.size] as? NSNumber)?.int64Value
        }
        let format = format ?? (file.lowercased().hasSuffix(".csv") ? .csv : .ndjson)
        let runFolder = RunFolder.locate()
        let endpoint = try CallTarget.resolve(target, runFolder: runFolder)
        let channel = try Channel(target: endpoint.address, security: try connection.security(runFolder: runFolder))
        defer { channel.close() }
        let intake = IntakeSession(
            client: Immigration_Records_V1_RecordsService.Client(channel: channel),
            metadata: connection.identityMetadata(), retries: retries,
            jobID: jobID ?? UUID().uuidString.lowercased(),
            spec: .with {
                $0.sourceSystem = sourceSystem
                $0.description = description ?? (file == "-" ? "standard input" : URL(fileURLWithPath: file).lastPathComponent)
                $0.provenance = .with { $0.source = self.source.proto; $0.unitCode = unit; $0.actorID = actor }
            },
            progress: IntakeProgress(totalBytes: size))
        let rows = try IntakeSource(handle: input, format: format)
        try rows.readHeader()
        do {
            try await intake.run(rows, batchSize: batchSize)
        } catch {
            intake.progress.finish()
            intake.progress.note("immigctl: intake job \(intake.jobID) stopped; resume with the same file, "
                                 + "--batch-size \(batchSize) and --job-id \(intake.jobID)")
            throw error
        }
        try await intake.writeRejections(to: rejects)
    }
}

extension IntakeSource.Format: ExpressibleByArgument {}
