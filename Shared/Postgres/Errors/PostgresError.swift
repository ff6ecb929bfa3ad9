/// A failure reported by PostgreSQL or by the connection to it.
///
/// Services never show a database message to a caller: `description` is
/// deliberately generic (SQLSTATE, its class and the names of the schema objects
/// involved), because server messages and details quote data values (the
/// duplicate key, the rejected input). `ServiceHost` maps `category` to a gRPC
/// status in one place; use the classification helpers rather than comparing codes.
/// Errors raised on the client side (connection refused or lost, pool wait timed
/// out) carry the standard SQLSTATE a server would use for the same condition.
public struct PostgresError: Error, Sendable, CustomStringConvertible {
    /// Where the error came from.
    public enum Origin: Sendable, Hashable {
        /// The server answered with an ErrorResponse.
        case server
        /// libpq or this library found the problem (connection, pool, protocol).
        case client
    }

    /// The SQLSTATE, such as `23505`.
    public var code: Code
    public var origin: Origin
    /// The constraint a violation names (`PG_DIAG_CONSTRAINT_NAME`), when there is one.
    public var constraintName: String?
    public var schemaName: String?
    public var tableName: String?
    public var columnName: String?
    public var dataTypeName: String?
    /// The server's or libpq's own message. It may quote data values: never put it
    /// in a log line, a status message or an error returned to a caller.
    public var unsafeMessage: String

    public init(code: Code, origin: Origin, unsafeMessage: String = "", constraintName: String? = nil,
                schemaName: String? = nil, tableName: String? = nil, columnName: String? = nil,
                dataTypeName: String? = nil) {
        self.code = code
        self.origin = origin
        self.unsafeMessage = unsafeMessage
        self.constraintName = constraintName
        self.schemaName = schemaName
        self.tableName = tableName
        self.columnName = columnName
        self.dataTypeName = dataTypeName
    }

    public var description: String {
        var text = "PostgreSQL error \(code.rawValue) (\(category))"
        if origin == .client { text += " on the client side" }
        if let tableName { text += ", table \(schemaName.map { "\($0)." } ?? "")\(tableName)" }
        if let columnName { text += ", column \(columnName)" }
        if let constraintName { text += ", constraint \(constraintName)" }
        return text
    }
}

extension PostgresError {
    static func connectionLost(_ message: String) -> PostgresError {
        PostgresError(code: .connectionFailure, origin: .client, unsafeMessage: message)
    }

    static func unableToConnect(_ message: String) -> PostgresError {
        PostgresError(code: .sqlclientUnableToEstablishSQLConnection, origin: .client, unsafeMessage: message)
    }

    static func poolTimeout() -> PostgresError {
        PostgresError(code: .tooManyConnections, origin: .client,
                      unsafeMessage: "timed out waiting for a pooled connection")
    }

    static func poolClosed() -> PostgresError {
        PostgresError(code: .connectionDoesNotExist, origin: .client, unsafeMessage: "the pool is closed")
    }

    static func protocolViolation(_ message: String) -> PostgresError {
        PostgresError(code: .protocolViolation, origin: .client, unsafeMessage: message)
    }
}
