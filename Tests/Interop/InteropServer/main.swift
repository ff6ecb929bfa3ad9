// The Swift side of gRPC's interoperability tests: grpc.testing.TestService
// with health and reflection, hosted by ServiceHost like every service.
import Contracts
import Foundation
import GRPCRuntime
import ServiceHost

let definition = ServiceDefinition(
    name: "interop", policy: [:],
    openMethods: Grpc_Testing_TestService.methodDescriptors,   // interop clients carry no identity
    usesDatabase: false,
    makeProviders: { _ in [TestServiceProvider()] })

// `interop-server serve`: configured from the environment like every service
// (docs/service-host.md), through ServiceMain; it exercises that path end to end.
if CommandLine.arguments.dropFirst().first == "serve" {
    await ServiceMain.run(definition)
}

let signals = TerminationSignal()
let options: InteropOptions
do {
    options = try InteropOptions(arguments: Array(CommandLine.arguments.dropFirst()),
                                 environment: ProcessInfo.processInfo.environment)
} catch {
    FileHandle.standardError.write(Data("interop-server: \(error)\n\(InteropOptions.usage)\n".utf8))
    exit(2)
}
let logger = ServiceMain.bootstrapLogging(options.configuration)
do {
    let service = try await RunningService.start(definition, configuration: options.configuration, logger: logger)
    FileHandle.standardOutput.write(Data("listening on port \(service.port)\n".utf8))
    _ = await signals.wait()
    await service.shutdown(gracePeriod: .seconds(2))
} catch {
    FileHandle.standardError.write(Data("interop-server: \(error)\n".utf8))
    exit(1)
}
