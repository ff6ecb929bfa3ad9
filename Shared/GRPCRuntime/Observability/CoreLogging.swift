import CGRPC
import Logging
import Synchronization

/// The C core's own log lines (handshake failures, transport errors),
/// which it writes to stderr by default, sent to a swift-log `Logger`
/// instead: constant message `grpc core`, the core's text in `grpc.message`,
/// its source position in `grpc.source`.
///
/// Process-wide, like the core's log function. The core logs errors only
/// unless `GRPC_VERBOSITY` says otherwise.
public enum CoreLogging {
    private static let logger = Mutex<Logger?>(nil)

    /// Sends the core's log lines to `logger` from now on.
    public static func route(to logger: Logger) {
        GRPCLibrary.ensureInitialised()
        self.logger.withLock { $0 = logger }
        gpr_set_log_function { arguments in
            guard let arguments, let logger = CoreLogging.logger.withLock({ $0 }) else { return }
            let level: Logger.Level
            switch arguments.pointee.severity {
            case GPR_LOG_SEVERITY_DEBUG: level = .debug
            case GPR_LOG_SEVERITY_INFO: level = .info
            default: level = .error
            }
            let message = arguments.pointee.message.map { String(cString: $0) } ?? ""
            let file = arguments.pointee.file.map { String(cString: $0) } ?? ""
            logger.log(level: level, "grpc core", metadata: [
                "grpc.message": .string(message),
                "grpc.source": .string("\(file):\(arguments.pointee.line)"),
            ])
        }
    }
}
