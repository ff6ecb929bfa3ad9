import ArgumentParser
import Contracts
import Foundation
import GRPCRuntime
import SyntheticPopulation

/// `immigctl demo-data`: loads the demo reference data and a seeded synthetic
/// population into the running RecordsService, the way an operator would: the
/// checkpoints through UpsertCheckpoint, then persons, documents and crossings
/// through BulkIntake (D77 Art 4.2b, a converted database). The same seed gives
/// the same people, and a second run changes nothing (request ids and the
/// intake job id are derived from the seed).
struct DemoDataCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo-data",
        abstract: "Load checkpoints and a seeded synthetic population into RecordsService.")

    @Option(help: "Seed of the synthetic population.")
    var seed: UInt64 = 2020

    @Option(help: "How many persons to load (with their documents and crossings).")
    var persons: Int = 200

    @Option(help: ArgumentHelp("The RecordsService: a service name of the running suite or host:port.", valueName: "target"))
    var target: String = "records"

    @OptionGroup var connection: ConnectionOptions

    func run() async throws {
        let channel: Channel
        do {
            let runFolder = RunFolder.locate()
            let endpoint = try CallTarget.resolve(target, runFolder: runFolder)
            channel = try Channel(target: endpoint.address, security: try connection.security(runFolder: runFolder))
        } catch {
            throw ExitCode(ErrorReport.report(error))
        }
        defer { channel.close() }
        let client = Immigration_Records_V1_RecordsService.Client(channel: channel)
        let options = CallOptions(timeout: .seconds(120), metadata: connection.identityMetadata())
        do {
            for checkpoint in SyntheticCheckpoints.all {
                _ = try await client.upsertCheckpoint(DemoRecords.upsert(checkpoint, seed: seed), options: options)
            }
            let population = SyntheticPopulation(seed: seed)
            let batches = DemoRecords.batches(population, persons: persons, seed: seed)
            let response = try await client.bulkIntake(options: options) { writer in
                for batch in batches { try await writer.send(batch) }
            }
            Console.out("checkpoints: \(SyntheticCheckpoints.all.count); intake job \(response.jobID): "
                        + "\(response.acceptedRows) rows accepted, \(response.rejectedRows) rejected, "
                        + "\(response.skippedBatches) batches already loaded")
        } catch {
            throw ExitCode(ErrorReport.report(error))
        }
    }
}
