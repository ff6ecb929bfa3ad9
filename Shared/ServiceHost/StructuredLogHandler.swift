import Foundation
import Logging
import Synchronization

/// swift-log's handler for the services: one line per event on stdout, as a
/// JSON object (LOG_FORMAT=json, for collectors) or as `key=value` pairs
/// (logfmt, for terminals). Fields: `ts` (UTC, milliseconds), `level`,
/// `service`, `logger`, `msg`, then the metadata sorted by key (the call's
/// `trace.id` and `rpc.method` come from `CallLogMetadata.provider`).
public struct StructuredLogHandler: LogHandler {
    public var logLevel: Logger.Level
    public var metadata: Logger.Metadata = [:]
    public var metadataProvider: Logger.MetadataProvider?
    private let label: String
    private let service: String
    private let format: ServiceConfiguration.LogFormat

    public init(label: String, service: String, format: ServiceConfiguration.LogFormat, level: Logger.Level,
                metadataProvider: Logger.MetadataProvider? = nil) {
        self.label = label
        self.service = service
        self.format = format
        self.logLevel = level
        self.metadataProvider = metadataProvider
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var all = metadata
        if let provided = metadataProvider?.get() { all.merge(provided) { _, new in new } }
        if let explicit = event.metadata { all.merge(explicit) { _, new in new } }
        if let error = event.error { all["error"] = "\(error)" }
        let line = StructuredLogHandler.render(format: format, timestamp: StructuredLogHandler.timestamp(),
                                               level: event.level, service: service, logger: label,
                                               message: event.message.description, metadata: all)
        StructuredLogHandler.output.withLock { _ in
            FileHandle.standardOutput.write(Data((line + "\n").utf8))
        }
    }

    private static let output = Mutex(())

    /// One rendered line, without its newline.
    static func render(format: ServiceConfiguration.LogFormat, timestamp: String, level: Logger.Level,
                       service: String, logger: String, message: String, metadata: Logger.Metadata) -> String {
        var fields: [(String, String)] = [("ts", timestamp), ("level", level.rawValue), ("service", service),
                                          ("logger", logger), ("msg", message)]
        for key in metadata.keys.sorted() { fields.append((key, flatten(metadata[key]!))) }
        switch format {
        case .json:
            return "{" + fields.map { "\(jsonString($0.0)):\(jsonString($0.1))" }.joined(separator: ",") + "}"
        case .logfmt:
            return fields.map { "\($0.0)=\(logfmtValue($0.1))" }.joined(separator: " ")
        }
    }

    private static func flatten(_ value: Logger.Metadata.Value) -> String {
        switch value {
        case .string(let text): return text
        case .stringConvertible(let value): return value.description
        case .array(let values): return "[" + values.map(flatten).joined(separator: ",") + "]"
        case .dictionary(let values):
            return "{" + values.keys.sorted().map { "\($0):\(flatten(values[$0]!))" }.joined(separator: ",") + "}"
        }
    }

    static func jsonString(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20:
                out += "\\u" + String(repeating: "0", count: 4 - String(scalar.value, radix: 16).count)
                    + String(scalar.value, radix: 16)
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }

    static func logfmtValue(_ text: String) -> String {
        let needsQuotes = text.isEmpty || text.unicodeScalars.contains { $0 == " " || $0 == "=" || $0 == "\"" || $0.value < 0x20 }
        return needsQuotes ? jsonString(text) : text
    }

    /// RFC 3339 UTC with milliseconds.
    static func timestamp() -> String {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        var parts = tm()
        var seconds = now.tv_sec
        gmtime_r(&seconds, &parts)
        func pad(_ value: Int32, _ width: Int) -> String {
            let text = String(value)
            return String(repeating: "0", count: max(0, width - text.count)) + text
        }
        return "\(pad(parts.tm_year + 1900, 4))-\(pad(parts.tm_mon + 1, 2))-\(pad(parts.tm_mday, 2))T"
            + "\(pad(parts.tm_hour, 2)):\(pad(parts.tm_min, 2)):\(pad(parts.tm_sec, 2))."
            + "\(pad(Int32(now.tv_nsec / 1_000_000), 3))Z"
    }
}
