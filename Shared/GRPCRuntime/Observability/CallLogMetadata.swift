import Logging

/// Puts `trace.id` and `rpc.method` on every log line of a call without
/// touching the logger per call: a metadata provider reads them, when a line
/// is written, from the task-local trace (`TraceContext.current`, which also
/// carries the method) the server binds around each handler.
///
/// Setting metadata on a logger per call would cost every call (some
/// handlers, such as swift-log's stream handler, re-render their metadata on
/// each change); the provider costs only the lines actually written. Handlers
/// that do not support metadata providers get the metadata set per call instead.
///
/// Services may pass `provider` to `LoggingSystem.bootstrap(_:metadataProvider:)`
/// so that every logger, not only `ServerContext.logger`, carries the call's ids.
public enum CallLogMetadata {
    /// `trace.id` and `rpc.method` of the call running in the current Task.
    public static let provider = Logger.MetadataProvider {
        var metadata: Logger.Metadata = [:]
        guard let trace = TraceContext.current else { return metadata }
        metadata["trace.id"] = .string(trace.traceID)
        if let method = trace.method { metadata["rpc.method"] = .string(method) }
        return metadata
    }

    /// The logger with the call provider added, or `nil` when its handler
    /// does not support metadata providers.
    static func attach(to logger: Logger) -> Logger? {
        var logger = logger
        let providers = [logger.metadataProvider, provider].compactMap { $0 }
        logger.handler.metadataProvider = providers.count == 1 ? provider : .multiplex(providers)
        return logger.metadataProvider == nil ? nil : logger
    }
}
