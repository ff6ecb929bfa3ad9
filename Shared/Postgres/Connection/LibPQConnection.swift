import CLibPQ
import Glibc

/// One `PGconn` and what belongs to it (prepared statements, the timeout in
/// force). Used from its connection's thread only, except `cancel` and the idle
/// check, which libpq allows from elsewhere while no call is running.
final class LibPQConnection: @unchecked Sendable {
    let handle: OpaquePointer
    private let cancelHandle: OpaquePointer?
    /// SQL text and parameter types to the server-side statement name.
    private var preparedStatements: [PreparedKey: String] = [:]
    private var nextStatementNumber = 0
    /// The `statement_timeout` last set on this session, in ms; nil when unknown.
    private var statementTimeout: Int64?
    let defaultStatementTimeout: Int64?
    static let preparedStatementLimit = 512

    private struct PreparedKey: Hashable {
        var sql: String
        var types: [PostgresType]
    }

    /// Connects (blocking). Throws `unableToConnect` (08001) or the server's error.
    init(configuration: PostgresConfiguration) throws(PostgresError) {
        let keywords = configuration.connectionKeywords
        let handle: OpaquePointer? = withCStrings(keywords.map(\.0)) { keys in
            withCStrings(keywords.map(\.1)) { values in PQconnectdbParams(keys, values, 0) }
        }
        guard let handle else { throw .unableToConnect("out of memory") }
        guard PQstatus(handle) == CONNECTION_OK else {
            let message = String(cString: PQerrorMessage(handle))
            PQfinish(handle)
            throw .unableToConnect(message)
        }
        self.handle = handle
        // Notices (NOTICE, WARNING) would go to stderr and may quote data: drop them.
        PQsetNoticeProcessor(handle, { _, _ in }, nil)
        cancelHandle = PQgetCancel(handle)
        defaultStatementTimeout = configuration.statementTimeout?.postgresMilliseconds
        if let defaultStatementTimeout {
            _ = try ensureStatementTimeout(defaultStatementTimeout)
        }
    }

    deinit {
        if let cancelHandle { PQfreeCancel(cancelHandle) }
        if !finished { PQfinish(handle) }
    }

    /// Whether `finish` closed the session (`handle` is then freed: no libpq call may follow).
    private var finished = false

    /// Closes the session now (PQfinish), on the thread that used it, after its last
    /// call: a process that ends right after its pools closed has no session left
    /// closing while OpenSSL's exit handlers run. The cancel handle stays valid until
    /// deinit (a canceller may hold it).
    func finish() {
        guard !finished else { return }
        finished = true
        PQfinish(handle)
    }

    var isBroken: Bool { PQstatus(handle) != CONNECTION_OK }

    var transactionStatus: PGTransactionStatusType { PQtransactionStatus(handle) }

    /// Whether the server closed the idle connection (restart, idle timeout,
    /// pg_terminate_backend): a non-blocking look at the socket, no round trip.
    func isClosedWhileIdle() -> Bool {
        if isBroken { return true }
        var descriptor = pollfd(fd: PQsocket(handle), events: Int16(POLLIN), revents: 0)
        guard descriptor.fd >= 0 else { return true }
        guard poll(&descriptor, 1, 0) > 0 else { return false }
        // Readable while idle: the server's goodbye (FATAL 57P01 on a restart, then
        // end of file), or a stray notice or notification. A pooled session listens
        // to nothing, so anything but a notification means the session is ending;
        // dropping a healthy one by mistake costs only a reconnect.
        if PQconsumeInput(handle) == 0 { return true }
        var notified = false
        while let notify = PQnotifies(handle) {
            notified = true
            PQfreemem(notify)
        }
        return isBroken || !notified
    }

    /// Asks the server to stop the running statement (thread-safe, blocking).
    func cancel() {
        guard let cancelHandle else { return }
        var buffer = [CChar](repeating: 0, count: 256)
        _ = PQcancel(cancelHandle, &buffer, Int32(buffer.count))
    }

    // MARK: Statements

    /// Runs a statement with binds as a prepared statement of this session
    /// (`PQprepare` the first time, `PQexecPrepared` after), binary results.
    func execute(_ query: PostgresQuery, timeout: Int64?) throws(PostgresError) -> PostgresRows {
        if let wanted = timeout ?? defaultStatementTimeout { _ = try ensureStatementTimeout(wanted) }
        let key = PreparedKey(sql: query.sql, types: query.bindings.types)
        let name: String
        if let existing = preparedStatements[key] {
            name = existing
        } else {
            name = try prepare(key)
        }
        // withCString: a short Swift string passed as a C string is otherwise copied to the heap.
        let result = name.withCString { name in
            query.bindings.withLibPQArguments { values, lengths, formats in
                PQexecPrepared(handle, name, Int32(query.bindings.count), values, lengths, formats, 1)
            }
        }
        do {
            return try check(result)
        } catch {
            forgetPreparedStatementIfStale(error, sql: query.sql, types: key.types)
            throw error
        }
    }

    /// A statement the server forgot, or whose plan changed shape: prepare anew next time.
    func forgetPreparedStatementIfStale(_ error: PostgresError, sql: String, types: [PostgresType]) {
        if error.code == .invalidSQLStatementName || error.code == .featureNotSupported {
            preparedStatements[PreparedKey(sql: sql, types: types)] = nil
        }
    }

    /// The server-side name of a statement prepared on this session, if it is.
    func preparedName(sql: String, types: [PostgresType]) -> String? {
        preparedStatements[PreparedKey(sql: sql, types: types)]
    }

    /// Whether the session's `statement_timeout` is known to be `milliseconds`.
    func hasStatementTimeout(_ milliseconds: Int64) -> Bool { statementTimeout == milliseconds }

    private func prepare(_ key: PreparedKey) throws(PostgresError) -> String {
        if preparedStatements.count >= LibPQConnection.preparedStatementLimit {
            _ = try check(PQexec(handle, "DEALLOCATE ALL"))
            preparedStatements.removeAll()
        }
        nextStatementNumber += 1
        let name = "s\(nextStatementNumber)"
        let oids = key.types.map(\.rawValue)
        let result = oids.withUnsafeBufferPointer { types in
            PQprepare(handle, name, key.sql, Int32(oids.count), types.baseAddress)
        }
        _ = try check(result)
        preparedStatements[key] = name
        return name
    }

    /// Runs one or more statements as plain text (simple query protocol), no binds.
    /// Returns the last statement's rows (text format, so decode as `String`).
    func executeSimple(_ sql: String) throws(PostgresError) -> PostgresRows {
        try check(PQexec(handle, sql))
    }

    /// Sets `statement_timeout` when the session has another value.
    func ensureStatementTimeout(_ milliseconds: Int64) throws(PostgresError) -> Bool {
        guard statementTimeout != milliseconds else { return false }
        _ = try check(PQexec(handle, "SET statement_timeout = \(milliseconds)"))
        statementTimeout = milliseconds
        return true
    }

    /// Forgets what this session's settings are (after a rollback undid a SET).
    func forgetSessionSettings() { statementTimeout = nil }

    /// Turns a result into rows, or into the error it carries.
    func check(_ result: OpaquePointer?) throws(PostgresError) -> PostgresRows {
        guard let result else { throw error(from: nil) }
        switch PQresultStatus(result) {
        case PGRES_COMMAND_OK, PGRES_TUPLES_OK, PGRES_EMPTY_QUERY, PGRES_COPY_IN, PGRES_COPY_OUT:
            return PostgresRows(result: PostgresResult(result))
        default:
            let failure = error(from: result)
            PQclear(result)
            throw failure
        }
    }

    /// The error in `result`, or the connection's own when there is no SQLSTATE.
    func error(from result: OpaquePointer?) -> PostgresError {
        if let result, let state = field(result, 67 /* PG_DIAG_SQLSTATE */) {
            return PostgresError(code: PostgresError.Code(state), origin: .server,
                                 unsafeMessage: field(result, 77 /* M */) ?? "",
                                 constraintName: field(result, 110 /* n */), schemaName: field(result, 115 /* s */),
                                 tableName: field(result, 116 /* t */), columnName: field(result, 99 /* c */),
                                 dataTypeName: field(result, 100 /* d */))
        }
        let message = String(cString: PQerrorMessage(handle))
        if isBroken { return .connectionLost(message) }
        return PostgresError(code: .internalError, origin: .client, unsafeMessage: message)
    }

    private func field(_ result: OpaquePointer, _ code: Int32) -> String? {
        PQresultErrorField(result, code).map { String(cString: $0) }
    }
}

/// Calls `body` with a NULL-terminated array of C strings.
func withCStrings<R>(_ strings: [String], _ body: (UnsafePointer<UnsafePointer<CChar>?>) -> R) -> R {
    let duplicates = strings.map { strdup($0) }
    defer { duplicates.forEach { free($0) } }
    let pointers = duplicates.map { UnsafePointer($0) } + [nil]
    return pointers.withUnsafeBufferPointer { body($0.baseAddress!) }
}
