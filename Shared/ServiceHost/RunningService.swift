import Contracts
import GRPCRuntime
import Logging
import Metrics
import Postgres

/// One started service: metrics endpoint, database pools, migrations, providers,
/// health and reflection, the server with its interceptors. `ServiceMain` runs
/// one until SIGTERM; tests start one on a loopback port.
///
/// Start order: metrics endpoint, pools, migrations (MIGRATE_ON_START), the
/// service's providers, the server; health turns SERVING last. Shutdown is the
/// reverse: health NOT_SERVING and watches ended, the server drains within the
/// grace period, the pools close, the metrics endpoint stops.
public final class RunningService: Sendable {
    public let server: Server
    public let health: HealthStatusBoard
    public let metricsEndpoint: MetricsEndpoint?
    private let pools: [PostgresPool]
    private let probe: Task<Void, Never>?
    private let logger: Logger

    /// The bound gRPC port.
    public var port: Int { server.port }

    /// Interceptors, outermost first: logging, metrics, authorisation (the
    /// service's policy; health, reflection and its open methods need no
    /// identity), database errors as statuses.
    public static func interceptors(for definition: ServiceDefinition,
                                    metrics: (any MetricsFactory)?) -> [any ServerInterceptor] {
        let open = Grpc_Health_V1_Health.methodDescriptors + ReflectionService.methodDescriptors + definition.openMethods
        return [LoggingInterceptor(), MetricsInterceptor(factory: metrics),
                AuthorizationInterceptor(policy: definition.policy, openMethods: open),
                DatabaseErrorInterceptor()]
    }

    /// Starts everything in order; on failure, stops what was started and throws.
    public static func start(_ definition: ServiceDefinition, configuration: ServiceConfiguration,
                             logger: Logger, metrics: PrometheusMetrics? = nil) async throws -> RunningService {
        var endpoint: MetricsEndpoint?
        if let metrics, let listen = configuration.metricsListen {
            let started = MetricsEndpoint(metrics: metrics, host: listen.host, port: listen.port)
            try started.start()
            endpoint = started
            logger.info("metrics endpoint listening", metadata: ["metrics.port": "\(started.port)"])
        }
        var pools: [PostgresPool] = []
        do {
            let database = configuration.database.map { PostgresPool(configuration: $0, logger: logger) }
            let separateRead = configuration.readDatabase.map { PostgresPool(configuration: $0, logger: logger) }
            let readDatabase = separateRead ?? database
            pools = [database, separateRead].compactMap { $0 }
            if let database, configuration.migrateOnStart, !definition.migrations.isEmpty {
                try await migrate(definition, pool: database, logger: logger)
            }
            let health = HealthStatusBoard()
            let resources = ServiceResources(configuration: configuration, database: database,
                                             readDatabase: readDatabase, logger: logger, health: health)
            let providers = try await definition.makeProviders(resources)
            let hosted = Array(Set(providers.flatMap { $0.methods.map(\.descriptor.service) })).sorted()
            for service in hosted { health.set(.notServing, for: service) }
            let reflection = ReflectionService(services: hosted)
            let server = try Server(
                configuration: ServerConfiguration(
                    address: configuration.grpcListen, security: configuration.security,
                    interceptors: interceptors(for: definition, metrics: metrics), logger: logger,
                    trustDomain: configuration.trustDomain, name: configuration.serviceName),
                services: providers + [HealthService(board: health), reflection])
            try server.start()
            let probe = database.map { pool in
                Task { await DatabaseHealthProbe(pool: pool, board: health, logger: logger).run() }
            }
            health.setAll(.serving)
            logger.notice("serving", metadata: ["grpc.port": "\(server.port)",
                                               "grpc.services": "\(hosted.joined(separator: ","))"])
            return RunningService(server: server, health: health, metricsEndpoint: endpoint, pools: pools,
                                  probe: probe, logger: logger)
        } catch {
            for pool in pools { await pool.close() }
            endpoint?.stop()
            throw error
        }
    }

    /// Applies the definition's migrations to its schema under the runner's advisory lock.
    public static func migrate(_ definition: ServiceDefinition, pool: PostgresPool, logger: Logger) async throws {
        let runner = try MigrationRunner(schema: definition.schema,
                                         migrations: definition.migrations, logger: logger)
        let applied = try await runner.run(on: pool)
        logger.notice("migrations applied", metadata: ["pg.migrations": "\(applied.count)"])
    }

    private init(server: Server, health: HealthStatusBoard, metricsEndpoint: MetricsEndpoint?,
                 pools: [PostgresPool], probe: Task<Void, Never>?, logger: Logger) {
        self.server = server
        self.health = health
        self.metricsEndpoint = metricsEndpoint
        self.pools = pools
        self.probe = probe
        self.logger = logger
    }

    /// Health NOT_SERVING and Watch calls ended, then the server drains within
    /// `gracePeriod`, then pools and the metrics endpoint close.
    public func shutdown(gracePeriod: Duration = .seconds(10)) async {
        probe?.cancel()
        health.setAll(.notServing)
        health.finishWatches()
        await server.shutdown(gracePeriod: gracePeriod)
        for pool in pools { await pool.close() }
        metricsEndpoint?.stop()
        logger.notice("stopped")
    }
}
