import GRPCRuntime
import Logging
import Postgres

/// What one service tells the host: its name, who may call what, its
/// migrations, and how to build its providers once the database is there.
/// Everything else (configuration, TLS, logging, metrics, health, reflection,
/// shutdown) is the host's.
public struct ServiceDefinition: Sendable {
    /// Short name (`records`): default SERVICE_NAME, database schema of the migrations.
    public var name: String
    /// Which caller roles may call each RPC; anything not listed is denied.
    public var policy: [MethodDescriptor: Set<CallerRole>]
    /// RPCs open to any caller, verified or not (health and reflection are always open).
    public var openMethods: [MethodDescriptor]
    /// The schema's migrations, applied by `migrate` and at start; empty for none.
    public var migrations: [Migration]
    /// The database schema the migrations apply to: the service's role owns it.
    public var schema: String
    /// Whether the service needs DATABASE_URL.
    public var usesDatabase: Bool
    /// Builds the providers, given what the host set up.
    public var makeProviders: @Sendable (ServiceResources) async throws -> [any ServiceProvider]

    public init(name: String, policy: [MethodDescriptor: Set<CallerRole>], openMethods: [MethodDescriptor] = [],
                migrations: [Migration] = [], schema: String? = nil, usesDatabase: Bool = true,
                makeProviders: @escaping @Sendable (ServiceResources) async throws -> [any ServiceProvider]) {
        self.name = name
        self.policy = policy
        self.openMethods = openMethods
        self.migrations = migrations
        self.schema = schema ?? String(name.map { $0 == "-" ? "_" : $0 })
        self.usesDatabase = usesDatabase
        self.makeProviders = makeProviders
    }
}

/// What the host hands a service when it builds its providers.
public struct ServiceResources: Sendable {
    public let configuration: ServiceConfiguration
    /// The read-write pool; `nil` for a service without a database.
    public let database: PostgresPool?
    /// The pool for reads that may lag (DATABASE_READ_URL), else the read-write one.
    public let readDatabase: PostgresPool?
    public let logger: Logger
    /// The health board: set a hosted service's status, or `""` for the process.
    public let health: HealthStatusBoard

    public init(configuration: ServiceConfiguration, database: PostgresPool?, readDatabase: PostgresPool?,
                logger: Logger, health: HealthStatusBoard) {
        self.configuration = configuration
        self.database = database
        self.readDatabase = readDatabase
        self.logger = logger
        self.health = health
    }
}
