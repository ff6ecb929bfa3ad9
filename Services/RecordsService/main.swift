import Foundation
import GRPCRuntime
import Logging
import Postgres

// RecordsService executable. Minimal wiring until Shared/ServiceHost exists
// (the lead moves it there): configuration from the environment, `migrate`
// subcommand, a Server with the provider and the authorisation interceptor.
//
//   RecordsService migrate      apply the schema migrations and exit
//   RecordsService [serve]      serve (MIGRATE_ON_START=1 migrates first)
//
// GRPC_LISTEN (default 0.0.0.0:50051), DATABASE_URL (libpq conninfo or URI;
// absent: the PG* variables), DATABASE_READ_URL (statistics), TLS_CERT,
// TLS_KEY, TLS_CA (mutual TLS), RECORDS_SCHEMA (default records: the schema of
// the database role, which is also its search_path), INSECURE_DEVELOPMENT_PLAINTEXT=1 (plaintext
// with x-dev-caller), TRUST_DOMAIN, LOG_LEVEL. Prints "listening on <port>"
// once serving.

let environment = ProcessInfo.processInfo.environment
LoggingSystem.bootstrap { StreamLogHandler.standardError(label: $0) }
var logger = Logger(label: "records")
logger.logLevel = environment["LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:)) ?? .info

func configuration(_ url: String?, label: String) -> PostgresConfiguration {
    guard let configuration = DatabaseURL.configuration(url, label: label) else { fail("DATABASE_URL cannot be parsed") }
    return configuration
}

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data("RecordsService: \(message)\n".utf8))
    exit(2)
}

let schema = environment["RECORDS_SCHEMA"] ?? "records"
let arguments = CommandLine.arguments.dropFirst()
let command = arguments.first ?? "serve"
let pool = PostgresPool(configuration: configuration(environment["DATABASE_URL"], label: "records"),
                        options: .init(maxConnections: Int(environment["DATABASE_POOL_SIZE"] ?? "") ?? 16), logger: logger)
let readPool = environment["DATABASE_READ_URL"].map {
    PostgresPool(configuration: configuration($0, label: "records-read"), logger: logger)
}
let provider = RecordsServiceProvider(pool: pool, standbyPool: readPool, logger: logger)

switch command {
case "migrate":
    do {
        let applied = try await provider.database.migrate(schema: schema)
        print("applied \(applied.count) migration(s)")
        await pool.close()
    } catch {
        fail("migration failed: \(error)")
    }
case "serve":
    if environment["MIGRATE_ON_START"] == "1" {
        do { _ = try await provider.database.migrate(schema: schema) } catch { fail("migration failed: \(error)") }
    }
    let security: ServerSecurity
    if let cert = environment["TLS_CERT"], let key = environment["TLS_KEY"], let ca = environment["TLS_CA"] {
        security = .mutualTLS(certificateChainPath: cert, privateKeyPath: key, clientCARootsPath: ca)
    } else if environment["INSECURE_DEVELOPMENT_PLAINTEXT"] == "1" {
        security = .plaintextForDevelopment
    } else {
        fail("set TLS_CERT, TLS_KEY and TLS_CA, or INSECURE_DEVELOPMENT_PLAINTEXT=1")
    }
    let signals = TerminationSignal()
    let server: Server
    do {
        server = try Server(
            configuration: ServerConfiguration(
                address: environment["GRPC_LISTEN"] ?? "0.0.0.0:50051", security: security,
                interceptors: [RecordsPolicy.interceptor], logger: logger,
                trustDomain: environment["TRUST_DOMAIN"] ?? CallerIdentity.defaultTrustDomain, name: "records"),
            services: [provider])
        try server.start()
    } catch {
        fail("cannot start: \(error)")
    }
    let listener = provider.startFeedListener()
    FileHandle.standardOutput.write(Data("listening on \(server.port)\n".utf8))
    await server.runUntilTerminated(signals: signals)
    listener.cancel()
    await pool.close()
default:
    fail("unknown command \(command); use migrate or serve")
}
