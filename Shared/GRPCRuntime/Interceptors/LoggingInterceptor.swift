import Logging

/// Logs one line per call when it ends: method, status code, duration,
/// caller role and trace id, as structured metadata under a constant message.
/// Never message bodies, metadata values or caller ids (which may name a person).
public struct LoggingInterceptor: ServerInterceptor {
    private let level: Logger.Level
    private let failureLevel: Logger.Level

    public init(level: Logger.Level = .info, failureLevel: Logger.Level = .notice) {
        self.level = level
        self.failureLevel = failureLevel
    }

    public func intercept(context: ServerContext,
                          next: (ServerContext) async throws -> Void) async throws {
        let start = ContinuousClock.now
        var code = StatusCode.ok
        defer {
            let (seconds, attoseconds) = start.duration(to: .now).components
            var metadata: Logger.Metadata = [
                "rpc.code": .string(code.name),
                "rpc.duration_ms": .stringConvertible(Double(seconds) * 1000 + Double(attoseconds / 1_000_000_000_000) / 1000),
            ]
            if let caller = context.caller { metadata["caller.role"] = .string(caller.role.rawValue) }
            context.logger.log(level: code == .ok ? level : failureLevel, "rpc finished", metadata: metadata)
        }
        do {
            try await next(context)
        } catch {
            code = RPCError.from(error).code
            throw error
        }
    }
}
