import GRPCRuntime
import Postgres

/// Turns a `PostgresError` thrown by a handler into its status (see
/// `PostgresError.rpcError`) and logs the failure's safe description (SQLSTATE,
/// table, constraint: never the server's message, which may quote data) at the
/// level its kind deserves, so that operators see why a call failed.
/// Innermost interceptor: it sees the handler's error first.
public struct DatabaseErrorInterceptor: ServerInterceptor {
    public init() {}

    public func intercept(context: ServerContext,
                          next: (ServerContext) async throws -> Void) async throws {
        do {
            try await next(context)
        } catch let error as PostgresError {
            let status = error.rpcError
            switch status.code {
            case .internalError:
                context.logger.error("database failure", metadata: ["pg.error": "\(error)"])
            case .unavailable, .deadlineExceeded, .aborted:
                context.logger.warning("database failure", metadata: ["pg.error": "\(error)"])
            default:
                context.logger.debug("database constraint refused the call", metadata: ["pg.error": "\(error)"])
            }
            throw status
        }
    }
}
