import GRPCRuntime
import Logging
import Postgres

/// How one service process is set up, read once at start from the environment
/// that compose and the local runner set (docs/service-host.md lists every
/// variable). Parsing is strict: a missing or malformed value stops the process
/// with an error naming the variable, rather than a service that half works.
public struct ServiceConfiguration: Sendable {
    /// Short name (`records`): log lines, thread names, metrics.
    public var serviceName: String
    /// gRPC address, `host:port`.
    public var grpcListen: String
    /// How the gRPC port is protected: mutual TLS unless plaintext was asked for by name.
    public var security: ServerSecurity
    /// SPIFFE trust domain whose ids become callers.
    public var trustDomain: String
    /// Where `/metrics` is served (`host`, `port`); `nil` serves no metrics endpoint.
    public var metricsListen: (host: String, port: Int)?
    /// The read-write database; `nil` when DATABASE_URL is not set.
    public var database: PostgresConfiguration?
    /// The database for reads that may lag (a standby); `nil` reads from `database`.
    public var readDatabase: PostgresConfiguration?
    /// Whether `serve` applies pending migrations before it starts listening.
    public var migrateOnStart: Bool
    public var logLevel: Logger.Level
    public var logFormat: LogFormat

    /// How log lines are written to stdout.
    public enum LogFormat: String, Sendable, CaseIterable {
        /// One JSON object per line, for collectors.
        case json
        /// `key=value` pairs, for people reading a terminal.
        case logfmt
    }

    public init(serviceName: String, grpcListen: String, security: ServerSecurity,
                trustDomain: String = CallerIdentity.defaultTrustDomain,
                metricsListen: (host: String, port: Int)? = nil, database: PostgresConfiguration? = nil,
                readDatabase: PostgresConfiguration? = nil, migrateOnStart: Bool = true,
                logLevel: Logger.Level = .info, logFormat: LogFormat = .logfmt) {
        self.serviceName = serviceName
        self.grpcListen = grpcListen
        self.security = security
        self.trustDomain = trustDomain
        self.metricsListen = metricsListen
        self.database = database
        self.readDatabase = readDatabase
        self.migrateOnStart = migrateOnStart
        self.logLevel = logLevel
        self.logFormat = logFormat
    }
}

/// A configuration value that is missing or malformed; the message names the
/// variable and what it should hold, and never echoes a secret.
public struct ServiceConfigurationError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The environment variable at fault, such as `GRPC_LISTEN`.
    public var variable: String
    /// What is wrong with it.
    public var problem: String

    public init(variable: String, problem: String) {
        self.variable = variable
        self.problem = problem
    }

    public var description: String { "\(variable): \(problem)" }
}
