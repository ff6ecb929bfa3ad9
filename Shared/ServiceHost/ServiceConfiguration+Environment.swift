import Foundation
import GRPCRuntime
import Logging
import Postgres

extension ServiceConfiguration {
    /// Reads the configuration from `environment` (the process's by default).
    ///
    /// - `defaultServiceName`: used when SERVICE_NAME is not set.
    /// - `requiresDatabase`: DATABASE_URL must then be set.
    /// Throws `ServiceConfigurationError` naming the first variable at fault.
    public static func fromEnvironment(
        _ environment: [String: String] = ProcessInfo.processInfo.environment,
        defaultServiceName: String, requiresDatabase: Bool
    ) throws -> ServiceConfiguration {
        var reader = EnvironmentReader(environment)
        let name = reader.value("SERVICE_NAME") ?? defaultServiceName
        guard ServiceConfiguration.isValidServiceName(name) else {
            throw ServiceConfigurationError(variable: "SERVICE_NAME",
                                            problem: "must be 1-40 lowercase letters, digits or '-'")
        }
        let grpcListen = try reader.required("GRPC_LISTEN")
        _ = try parseHostPort(grpcListen, variable: "GRPC_LISTEN")
        let security = try parseSecurity(&reader)
        let trustDomain = reader.value("TRUST_DOMAIN") ?? CallerIdentity.defaultTrustDomain
        guard !trustDomain.isEmpty, !trustDomain.contains("/"), !trustDomain.contains(":") else {
            throw ServiceConfigurationError(variable: "TRUST_DOMAIN", problem: "must be a bare domain such as immigration.example")
        }
        let metrics = try reader.value("METRICS_LISTEN").map { try parseHostPort($0, variable: "METRICS_LISTEN") }
        if let metrics, metrics.host.split(separator: ".").count != 4 {
            throw ServiceConfigurationError(variable: "METRICS_LISTEN", problem: "host must be an IPv4 address such as 0.0.0.0")
        }
        let database = try reader.value("DATABASE_URL").map {
            try DatabaseURL.configuration($0, variable: "DATABASE_URL", label: name)
        }
        if requiresDatabase, database == nil {
            throw ServiceConfigurationError(variable: "DATABASE_URL", problem: "is required (a libpq connection string or postgresql:// URI)")
        }
        let readDatabase = try reader.value("DATABASE_READ_URL").map {
            try DatabaseURL.configuration($0, variable: "DATABASE_READ_URL", label: "\(name)-read")
        }
        let migrate = try reader.boolean("MIGRATE_ON_START", default: true)
        let levelText = reader.value("LOG_LEVEL")?.lowercased() ?? "info"
        guard let level = Logger.Level(rawValue: levelText == "warn" ? "warning" : levelText) else {
            throw ServiceConfigurationError(
                variable: "LOG_LEVEL",
                problem: "must be one of \(Logger.Level.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        let formatText = reader.value("LOG_FORMAT")?.lowercased() ?? "logfmt"
        guard let format = LogFormat(rawValue: formatText == "text" ? "logfmt" : formatText) else {
            throw ServiceConfigurationError(variable: "LOG_FORMAT", problem: "must be json or logfmt")
        }
        return ServiceConfiguration(serviceName: name, grpcListen: grpcListen, security: security,
                                    trustDomain: trustDomain, metricsListen: metrics, database: database,
                                    readDatabase: readDatabase, migrateOnStart: migrate,
                                    logLevel: level, logFormat: format)
    }

    /// Mutual TLS when TLS_CA is set, server-only TLS otherwise; plaintext only
    /// with INSECURE_DEVELOPMENT_PLAINTEXT=1 (and then no TLS variable may be set,
    /// so that a half-configured TLS never silently falls back to plaintext).
    private static func parseSecurity(_ reader: inout EnvironmentReader) throws -> ServerSecurity {
        let plaintext = try reader.boolean("INSECURE_DEVELOPMENT_PLAINTEXT", default: false)
        if plaintext {
            for variable in ["TLS_CERT", "TLS_KEY", "TLS_CA"] where reader.value(variable) != nil {
                throw ServiceConfigurationError(variable: variable,
                                                problem: "must not be set together with INSECURE_DEVELOPMENT_PLAINTEXT=1")
            }
            return .plaintextForDevelopment
        }
        let certificate = try reader.readableFile("TLS_CERT")
        let key = try reader.readableFile("TLS_KEY")
        if reader.value("TLS_CA") != nil {
            return .mutualTLS(certificateChainPath: certificate, privateKeyPath: key,
                              clientCARootsPath: try reader.readableFile("TLS_CA"))
        }
        return .tls(certificateChainPath: certificate, privateKeyPath: key)
    }

    static func isValidServiceName(_ name: String) -> Bool {
        !name.isEmpty && name.count <= 40
            && name.allSatisfy { ($0.isASCII && ($0.isLowercase || $0.isNumber)) || $0 == "-" }
    }

    /// `host:port` or `[v6]:port`, port 0-65535.
    static func parseHostPort(_ text: String, variable: String) throws -> (host: String, port: Int) {
        guard let colon = text.lastIndex(of: ":"),
              let port = Int(text[text.index(after: colon)...]), (0...65535).contains(port) else {
            throw ServiceConfigurationError(variable: variable, problem: "must be host:port, such as 0.0.0.0:50051")
        }
        let host = String(text[..<colon])
        guard !host.isEmpty else {
            throw ServiceConfigurationError(variable: variable, problem: "must be host:port, such as 0.0.0.0:50051")
        }
        return (host, port)
    }
}

/// Reads variables; an empty value counts as unset.
struct EnvironmentReader {
    let environment: [String: String]
    init(_ environment: [String: String]) { self.environment = environment }

    func value(_ name: String) -> String? {
        guard let value = environment[name]?.trimmingCharacters(in: .whitespaces), !value.isEmpty else { return nil }
        return value
    }

    func required(_ name: String) throws -> String {
        guard let value = value(name) else { throw ServiceConfigurationError(variable: name, problem: "is required") }
        return value
    }

    func boolean(_ name: String, default fallback: Bool) throws -> Bool {
        guard let text = value(name)?.lowercased() else { return fallback }
        switch text {
        case "1", "true", "yes", "on": return true
        case "0", "false", "no", "off": return false
        default: throw ServiceConfigurationError(variable: name, problem: "must be 1/true/yes or 0/false/no")
        }
    }

    func readableFile(_ name: String) throws -> String {
        let path = try required(name)
        guard FileManager.default.isReadableFile(atPath: path) else {
            throw ServiceConfigurationError(variable: name, problem: "file \(path) does not exist or cannot be read")
        }
        return path
    }
}
