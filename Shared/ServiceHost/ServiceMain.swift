import Foundation
import GRPCRuntime
import Logging
import Metrics
import Postgres

/// The entry point every service executable shares; a service's `main.swift`
/// is one call: `await ServiceMain.run(definition)`.
///
/// Subcommands: `serve` (the default) runs the service until SIGTERM/SIGINT;
/// `migrate` applies the service's migrations and exits. Exit codes: 0 done,
/// 1 failed at run time, 2 bad configuration or usage (EX_USAGE-like, so that an
/// orchestrator's restart loop is visibly a configuration problem).
public enum ServiceMain {
    /// Reads the environment, sets up logging and metrics for the process, and
    /// runs the subcommand. Never returns.
    public static func run(_ definition: ServiceDefinition,
                           arguments: [String] = Array(CommandLine.arguments.dropFirst()),
                           environment: [String: String] = ProcessInfo.processInfo.environment) async -> Never {
        // Listen for signals before anything else, so that none is missed.
        let signals = TerminationSignal()
        let subcommand = arguments.first ?? "serve"
        guard ["serve", "migrate"].contains(subcommand), arguments.count <= 1 else {
            let usage = subcommand == "--help" || subcommand == "-h"
            printError("usage: \(definition.name) [serve|migrate]\n  serve    run the service (default)\n"
                       + "  migrate  apply the database migrations and exit\n"
                       + "configuration: environment variables, see docs/service-host.md")
            exit(usage ? 0 : 2)
        }
        let configuration: ServiceConfiguration
        do {
            configuration = try ServiceConfiguration.fromEnvironment(
                environment, defaultServiceName: definition.name,
                requiresDatabase: definition.usesDatabase || subcommand == "migrate")
        } catch {
            printError("\(definition.name): configuration error: \(error)")
            exit(2)
        }
        let logger = bootstrapLogging(configuration)
        do {
            switch subcommand {
            case "migrate":
                try await migrate(definition, configuration: configuration, logger: logger)
            default:
                try await serve(definition, configuration: configuration, logger: logger, signals: signals)
            }
            exit(0)
        } catch {
            logger.critical("failed", metadata: ["error": "\(error)"])
            exit(1)
        }
    }

    /// Sets swift-log up for the process (format and level from the
    /// configuration, call ids from `CallLogMetadata.provider`), routes the C
    /// core's own lines to it, and returns the service's logger.
    public static func bootstrapLogging(_ configuration: ServiceConfiguration) -> Logger {
        LoggingSystem.bootstrap({ label, provider in
            StructuredLogHandler(label: label, service: configuration.serviceName, format: configuration.logFormat,
                                 level: configuration.logLevel, metadataProvider: provider)
        }, metadataProvider: CallLogMetadata.provider)
        let logger = Logger(label: "immigration.\(configuration.serviceName)")
        CoreLogging.route(to: Logger(label: "grpc.core"))
        return logger
    }

    /// Runs the service until SIGTERM or SIGINT, then shuts down gracefully.
    public static func serve(_ definition: ServiceDefinition, configuration: ServiceConfiguration, logger: Logger,
                             signals: TerminationSignal, gracePeriod: Duration = .seconds(10)) async throws {
        let metrics = PrometheusMetrics()
        MetricsSystem.bootstrap(metrics)
        let service = try await RunningService.start(definition, configuration: configuration,
                                                     logger: logger, metrics: metrics)
        let signal = await signals.wait()
        logger.notice("termination signal received, shutting down", metadata: ["signal": "\(signal)"])
        await service.shutdown(gracePeriod: gracePeriod)
    }

    /// Applies the migrations and returns.
    public static func migrate(_ definition: ServiceDefinition, configuration: ServiceConfiguration,
                               logger: Logger) async throws {
        guard let database = configuration.database else {
            throw ServiceConfigurationError(variable: "DATABASE_URL", problem: "is required")
        }
        let pool = PostgresPool(configuration: database, logger: logger)
        do {
            try await RunningService.migrate(definition, pool: pool, logger: logger)
        } catch {
            await pool.close()
            throw error
        }
        await pool.close()
    }

    private static func printError(_ text: String) {
        FileHandle.standardError.write(Data((text + "\n").utf8))
    }
}
