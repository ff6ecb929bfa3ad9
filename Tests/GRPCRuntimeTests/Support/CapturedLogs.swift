import Logging
import Synchronization

/// Log entries captured in memory, one handler per test.
final class CapturedLogs: Sendable {
    struct Entry: Sendable {
        var level: Logger.Level
        var message: String
        var metadata: [String: String]
    }

    private let entries = Mutex<[Entry]>([])
    /// Whether the handler supports metadata providers (swift-log's stream
    /// handler does; older handlers do not).
    let supportsMetadataProviders: Bool

    init(supportsMetadataProviders: Bool = true) {
        self.supportsMetadataProviders = supportsMetadataProviders
    }

    var all: [Entry] { entries.withLock { $0 } }

    func append(_ entry: Entry) { entries.withLock { $0.append(entry) } }

    func logger() -> Logger {
        if supportsMetadataProviders {
            return Logger(label: "captured") { _ in ProvidingHandler(logs: self) }
        }
        return Logger(label: "captured") { _ in Handler(logs: self) }
    }

    /// A handler that merges its metadata provider's values into each entry.
    struct ProvidingHandler: LogHandler {
        let logs: CapturedLogs
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .trace
        var metadataProvider: Logger.MetadataProvider?

        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }

        func log(event: LogEvent) {
            var merged = metadata
            metadataProvider?.get().forEach { merged[$0.key] = $0.value }
            event.metadata?.forEach { merged[$0.key] = $0.value }
            logs.append(Entry(level: event.level, message: event.message.description,
                              metadata: merged.mapValues { "\($0)" }))
        }
    }

    /// A handler without metadata-provider support.
    struct Handler: LogHandler {
        let logs: CapturedLogs
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .trace

        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }

        func log(event: LogEvent) {
            var merged = metadata
            event.metadata?.forEach { merged[$0.key] = $0.value }
            logs.append(Entry(level: event.level, message: event.message.description,
                              metadata: merged.mapValues { "\($0)" }))
        }
    }
}
