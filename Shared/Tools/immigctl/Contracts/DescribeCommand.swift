import ArgumentParser

/// `immigctl describe <symbol>`: a service, method, message or enum of the
/// embedded contracts in .proto syntax, with the file that declares it.
struct DescribeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "describe",
        abstract: "Show a service, method, message or enum of the contracts.",
        discussion: """
            Symbols are full names: immigration.records.v1.RecordsService, \
            grpc.health.v1.Health/Check (or .Check), grpc.health.v1.HealthCheckResponse, \
            grpc.health.v1.HealthCheckResponse.ServingStatus. A service may also be given by \
            its short name (Health).
            """)

    @Argument(help: "Full name of a service, method, message or enum.")
    var symbol: String

    @Flag(help: "For a message (or a method: its request), print an example JSON to edit and pass to call --data.")
    var template = false

    func run() throws {
        let catalog = ContractCatalog.embedded
        guard let found = catalog.symbol(symbol) ?? shortService(catalog) else {
            Console.error("immigctl: unknown symbol \"\(symbol)\" (immigctl list shows every service)")
            throw ExitCode(ExitCodes.localFailure)
        }
        if template {
            try printTemplate(found, catalog)
            return
        }
        switch found {
        case .service(let service, let file):
            Console.out("\(service.fullName) is a service (\(file)):\n\(ProtoText.service(service))")
        case .method(let method, let service, let file):
            Console.out("\(service.fullName)/\(method.name) is a \(method.kindName) method (\(file)):\n"
                        + ProtoText.method(method))
        case .message(let message, let file):
            Console.out("\(message.fullName) is a message (\(file)):\n\(ProtoText.message(message))")
        case .enumeration(let enumeration, let file):
            Console.out("\(enumeration.fullName) is an enum (\(file)):\n\(ProtoText.enumeration(enumeration))")
        }
    }

    private func printTemplate(_ symbol: ProtoSymbol, _ catalog: ContractCatalog) throws {
        let messageName: String
        switch symbol {
        case .message(let message, _): messageName = message.fullName
        case .method(let method, _, _): messageName = method.inputType
        default:
            Console.error("immigctl: --template needs a message or a method")
            throw ExitCode(ExitCodes.localFailure)
        }
        guard case .message(let message, _)? = catalog.symbol(messageName) else {
            Console.error("immigctl: no message \(messageName) in the contracts")
            throw ExitCode(ExitCodes.localFailure)
        }
        Console.out(MessageTemplate(catalog: catalog).json(for: message))
    }

    private func shortService(_ catalog: ContractCatalog) -> ProtoSymbol? {
        let services = catalog.services.filter { $0.name == symbol }
        guard services.count == 1 else { return nil }
        return catalog.symbol(services[0].fullName)
    }
}
