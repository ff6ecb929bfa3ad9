/// A SQL statement with its bind parameters.
///
/// Written as a string literal with interpolations, every interpolated value
/// becomes a `$n` parameter sent separately from the text, so values can never
/// change the statement:
///
///     let rows = try await pool.query("SELECT id FROM persons WHERE family_name = \(name)")
///
/// Text that must be spliced into the statement (an identifier, a migration
/// file) needs `init(unsafeSQL:)` or `\(unsafeRaw:)`, which say so at the call site.
public struct PostgresQuery: Sendable, Hashable, ExpressibleByStringInterpolation {
    /// The statement text with `$1`, `$2`, … placeholders.
    public var sql: String
    public var bindings: PostgresBindings

    /// A statement whose text is taken as is (placeholders and all).
    public init(unsafeSQL sql: String, bindings: PostgresBindings = PostgresBindings()) {
        self.sql = sql
        self.bindings = bindings
    }

    public init(stringLiteral value: String) {
        self.init(unsafeSQL: value)
    }

    public init(stringInterpolation: StringInterpolation) {
        self.init(unsafeSQL: stringInterpolation.sql, bindings: stringInterpolation.bindings)
    }

    /// Collects the literal parts as SQL and the interpolated values as binds.
    public struct StringInterpolation: StringInterpolationProtocol {
        public var sql: String
        public var bindings = PostgresBindings()

        public init(literalCapacity: Int, interpolationCount: Int) {
            sql = ""
            sql.reserveCapacity(literalCapacity + interpolationCount * 3)
        }

        public mutating func appendLiteral(_ literal: String) { sql += literal }

        public mutating func appendInterpolation<Value: PostgresEncodable>(_ value: Value) {
            bindings.append(value)
            sql += "$\(bindings.count)"
        }

        /// An optional value: `nil` is NULL of the wrapped type.
        public mutating func appendInterpolation<Value: PostgresEncodable>(_ value: Value?) {
            bindings.append(value)
            sql += "$\(bindings.count)"
        }

        /// A value with an explicit cast (`\(text, as: "citext")` gives `$1::citext`).
        public mutating func appendInterpolation<Value: PostgresEncodable>(_ value: Value, cast: StaticString) {
            bindings.append(value)
            sql += "$\(bindings.count)::\(cast)"
        }

        /// Text spliced into the statement unescaped. Never pass a value from a request.
        public mutating func appendInterpolation(unsafeRaw text: String) { sql += text }

        /// A quoted identifier (schema, table, column name), safe for any text.
        public mutating func appendInterpolation(identifier: String) { sql += quoteIdentifier(identifier) }
    }
}

/// Double-quotes an identifier, doubling any quote inside it.
public func quoteIdentifier(_ name: String) -> String {
    var quoted = "\""
    for character in name {
        quoted.append(character)
        if character == "\"" { quoted.append(character) }
    }
    return quoted + "\""
}

/// A single-quoted SQL literal, for the few statements that take no binds
/// (`ALTER ROLE … PASSWORD`); standard_conforming_strings is assumed (the default).
func quoteLiteral(_ text: String) -> String {
    var quoted = "'"
    for character in text {
        quoted.append(character)
        if character == "'" { quoted.append(character) }
    }
    return quoted + "'"
}
