// RecordsService: the national immigration database (D77 Art 3 to 6).
// Everything but the service itself (configuration, TLS, logging, metrics,
// health, reflection, migrations, shutdown) is ServiceHost's: see
// docs/service-host.md for the environment and `RecordsService [serve|migrate]`.
import Foundation
import ServiceHost

/// The schema of the service's role (RECORDS_SCHEMA, default `records`); tests
/// give each run its own.
let schema = ProcessInfo.processInfo.environment["RECORDS_SCHEMA"] ?? "records"

/// How long the feed and the request log are kept (docs/records.md, "Retention").
let retention: RetentionPolicy
do {
    retention = try RetentionPolicy.from(environment: ProcessInfo.processInfo.environment)
} catch {
    FileHandle.standardError.write(Data("RecordsService: \(error)\n".utf8))
    exit(78)  // EX_CONFIG
}

let definition = ServiceDefinition(
    name: "records",
    policy: RecordsPolicy.roles,
    migrations: try MigrationFiles.migrations(schema: schema),
    schema: schema,
    makeProviders: { resources in
        let provider = RecordsServiceProvider(pool: resources.database!, standbyPool: resources.readDatabase,
                                              logger: resources.logger)
        // Wakes change-feed streams on NOTIFY; lives as long as the process.
        _ = provider.startFeedListener()
        // Purges old feed events and request log entries; one replica at a time.
        _ = RetentionSweeper(store: provider.retention, policy: retention, logger: resources.logger).start()
        return [provider]
    })

await ServiceMain.run(definition)
