import CLibPQ
import Postgres

/// DATABASE_URL as the operator wrote it (a libpq conninfo `host=… dbname=…`
/// or a `postgresql://` URI), read by libpq's own parser into the keywords
/// the Postgres layer passes through. Part of the minimal main.swift wiring
/// the lead moves to ServiceHost.
enum DatabaseURL {
    static func configuration(_ url: String?, label: String) -> PostgresConfiguration? {
        guard let url, !url.isEmpty else { return PostgresConfiguration(label: label) }
        guard let options = PQconninfoParse(url, nil) else { return nil }
        defer { PQconninfoFree(options) }
        var parameters: [String: String] = [:]
        var option = options
        while let keyword = option.pointee.keyword {
            if let value = option.pointee.val { parameters[String(cString: keyword)] = String(cString: value) }
            option += 1
        }
        return PostgresConfiguration(parameters: parameters, label: label)
    }
}
