import ArgumentParser

/// The operator's command line for the suite: calls any RPC of any service with
/// JSON in and JSON out, lists and describes the contracts compiled into it, and
/// checks the health of every service the local runner started.
///
/// Exit codes (docs/immigctl.md): 0 success; 1 a local failure (bad JSON, unknown
/// method or symbol, missing certificates); 2 `health` found a service not SERVING;
/// 64 a usage error; 64 + the gRPC status code when an RPC failed (65 CANCELLED …
/// 80 UNAUTHENTICATED), as grpcurl does.
@main
struct Immigctl: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "immigctl",
        abstract: "Call, list, describe and health-check the immigration services.",
        discussion: """
            Targets are a service name from the runner's .run/endpoints.tsv (records, portal, \
            agency, autogate, biometric) or host:port. Certificates come from .run/certs \
            (ca.crt and ops-operator-1.crt/.key unless --as says otherwise). The .run folder \
            is found by walking up from the current directory, or named by IMMIGRATION_RUN_DIR.
            """,
        version: "1.0.0",
        subcommands: [CallCommand.self, ListCommand.self, DescribeCommand.self, HealthCommand.self, DemoDataCommand.self,
                      IntakeCommand.self])
}
