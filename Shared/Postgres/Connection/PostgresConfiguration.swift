/// How to reach PostgreSQL: libpq connection keywords, passed through unchanged,
/// plus the settings this library applies to every connection.
///
/// Any keyword libpq knows works (`host`, `port`, `dbname`, `user`, `password`,
/// `sslmode`, `sslrootcert`, `sslcert`, `sslkey`, `target_session_attrs`,
/// `options`, …); keywords left out fall back to libpq's own defaults, which
/// read `PGHOST`, `PGPORT`, `PGUSER`, `PGPASSWORD`, `PGDATABASE`, `PGSSLMODE`.
public struct PostgresConfiguration: Sendable, Hashable {
    /// libpq connection keywords and values.
    public var parameters: [String: String]
    /// `statement_timeout` of every statement unless a query asks for another; nil
    /// keeps the server's setting.
    public var statementTimeout: Duration?
    /// Label for thread names and log metadata.
    public var label: String

    public init(parameters: [String: String] = [:], statementTimeout: Duration? = nil, label: String = "db") {
        self.parameters = parameters
        self.statementTimeout = statementTimeout
        self.label = label
    }

    public init(host: String, port: Int = 5432, user: String, password: String?, database: String,
                sslmode: String = "prefer", statementTimeout: Duration? = nil, label: String = "db") {
        var parameters = ["host": host, "port": String(port), "user": user, "dbname": database, "sslmode": sslmode]
        if let password { parameters["password"] = password }
        self.init(parameters: parameters, statementTimeout: statementTimeout, label: label)
    }

    /// The libpq environment (`PGHOST`, `PGPORT`, …) decides everything.
    public static func environment(statementTimeout: Duration? = nil, label: String = "db") -> PostgresConfiguration {
        PostgresConfiguration(parameters: [:], statementTimeout: statementTimeout, label: label)
    }

    /// The keywords handed to `PQconnectdbParams`, with this library's defaults
    /// (application name, a connect timeout) where the caller set none.
    var connectionKeywords: [(String, String)] {
        var all = parameters
        if all["application_name"] == nil { all["application_name"] = "immigration-\(label)" }
        if all["connect_timeout"] == nil { all["connect_timeout"] = "5" }
        return all.sorted { $0.key < $1.key }
    }
}

extension Duration {
    /// Whole milliseconds, at least 1 for any positive duration.
    var postgresMilliseconds: Int64 {
        let (seconds, attoseconds) = components
        let millis = seconds * 1000 + attoseconds / 1_000_000_000_000_000
        return millis == 0 && attoseconds > 0 ? 1 : millis
    }
}
