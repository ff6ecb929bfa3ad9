import CLibPQ
import Postgres

/// DATABASE_URL and DATABASE_READ_URL as libpq reads them: a `postgresql://`
/// URI (several hosts allowed) or a `key=value` connection string, parsed by
/// libpq's own `PQconninfoParse`, so that every keyword libpq knows is passed
/// through unchanged and nothing is re-interpreted here.
enum DatabaseURL {
    static func configuration(_ text: String, variable: String, label: String) throws -> PostgresConfiguration {
        var errorMessage: UnsafeMutablePointer<CChar>?
        // Ownership: PQconninfoParse allocates the option array (freed with
        // PQconninfoFree) and, on failure, the message (freed with PQfreemem).
        guard let options = PQconninfoParse(text, &errorMessage) else {
            // libpq's message may quote the string, which may hold a password: not echoed.
            if let errorMessage { PQfreemem(errorMessage) }
            throw ServiceConfigurationError(variable: variable,
                                            problem: "is not a valid libpq connection string or postgresql:// URI")
        }
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
