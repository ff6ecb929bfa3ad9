import ArgumentParser
import Contracts
import GRPCRuntime

/// `immigctl health [service...]`: asks every service of the running suite (or
/// those named) for its `grpc.health.v1` status, all at once, and prints a
/// table. Exits 2 when any is not SERVING or does not answer.
struct HealthCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "health",
        abstract: "Check grpc.health.v1 of every service in .run/endpoints.tsv (or those given).")

    @Argument(help: "Services of the running suite or host:port addresses (default: all in endpoints.tsv).")
    var targets: [String] = []

    @Option(help: ArgumentHelp("The health service name to ask about (default: the whole server).", valueName: "name"))
    var service: String = ""

    @Option(help: ArgumentHelp("Deadline of each check: 500ms, 5s.", valueName: "duration"))
    var timeout: TimeoutOption = TimeoutOption(argument: "5s")!

    @OptionGroup var connection: ConnectionOptions

    func run() async throws {
        let endpoints: [Endpoint]
        let security: ChannelSecurity
        do {
            let runFolder = RunFolder.locate()
            if targets.isEmpty {
                guard let runFolder else {
                    throw CommandFailure("no .run folder found (set \(RunFolder.environmentVariable), "
                                         + "run inside the checkout, or name host:port addresses)")
                }
                endpoints = try runFolder.endpoints()
            } else {
                endpoints = try targets.map { text throws(CommandFailure) in try CallTarget.resolve(text, runFolder: runFolder) }
            }
            security = try connection.security(runFolder: runFolder)
        } catch {
            throw ExitCode(ErrorReport.report(error))
        }

        let results = await check(endpoints, security: security)
        var rows = [["NAME", "ADDRESS", "STATUS"]]
        for (endpoint, status) in zip(endpoints, results) { rows.append([endpoint.name, endpoint.address, status.text]) }
        Console.out(Table.render(rows))
        if endpoints.isEmpty || !results.allSatisfy(\.isServing) { throw ExitCode(ExitCodes.notServing) }
    }

    private func check(_ endpoints: [Endpoint], security: ChannelSecurity) async -> [HealthStatus] {
        let request = Grpc_Health_V1_HealthCheckRequest.with { $0.service = service }
        let options = CallOptions(timeout: timeout.duration, metadata: connection.identityMetadata())
        return await withTaskGroup(of: (Int, HealthStatus).self) { group in
            for (index, endpoint) in endpoints.enumerated() {
                group.addTask {
                    do {
                        let channel = try Channel(target: endpoint.address, security: security)
                        defer { channel.close() }
                        let response = try await Grpc_Health_V1_Health.Client(channel: channel).check(request, options: options)
                        return (index, HealthStatus(response.status))
                    } catch let error as RPCError {
                        return (index, .failed("\(error.code.name): \(error.message)"))
                    } catch {
                        return (index, .failed("\(error)"))
                    }
                }
            }
            var results = [HealthStatus](repeating: .failed("not checked"), count: endpoints.count)
            for await (index, status) in group { results[index] = status }
            return results
        }
    }
}

/// What one service answered: its serving status, or why it did not answer.
enum HealthStatus: Sendable {
    case answered(String, serving: Bool)
    case failed(String)

    init(_ status: Grpc_Health_V1_HealthCheckResponse.ServingStatus) {
        switch status {
        case .serving: self = .answered("SERVING", serving: true)
        case .notServing: self = .answered("NOT_SERVING", serving: false)
        case .serviceUnknown: self = .answered("SERVICE_UNKNOWN", serving: false)
        case .unknown: self = .answered("UNKNOWN", serving: false)
        case .unrecognized(let value): self = .answered("STATUS_\(value)", serving: false)
        }
    }

    var text: String {
        switch self {
        case .answered(let text, _): return text
        case .failed(let reason): return reason
        }
    }

    var isServing: Bool {
        if case .answered(_, true) = self { return true }
        return false
    }
}
