import ArgumentParser

/// `immigctl list [service]`: every service of the embedded contracts, or one
/// service's methods with their kind and message types.
struct ListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "List the services of the contracts, or the methods of one.",
        discussion: """
            The service is a full name (grpc.health.v1.Health), a short name (Health), or a \
            suite service (records: every service in immigration.records.*).
            """)

    @Argument(help: "A service whose methods to list.")
    var service: String?

    func run() throws {
        let catalog = ContractCatalog.embedded
        guard let service else {
            Console.out(catalog.services.map(\.fullName).joined(separator: "\n"))
            return
        }
        let services = catalog.services(matching: service)
        guard !services.isEmpty else {
            Console.error("immigctl: unknown service \"\(service)\" (immigctl list shows every service)")
            throw ExitCode(ExitCodes.localFailure)
        }
        var rows = [["METHOD", "KIND", "REQUEST", "RESPONSE"]]
        for service in services {
            for method in service.methods {
                rows.append(["\(service.fullName)/\(method.name)", method.kindName, method.inputType, method.outputType])
            }
        }
        Console.out(Table.render(rows))
    }
}
