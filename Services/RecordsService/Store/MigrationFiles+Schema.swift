import Postgres

extension MigrationFiles {
    /// The migrations for the runner, for a schema named `schema`. The files
    /// qualify every name with `records.`; the store's SQL names none and
    /// relies on the role's `search_path` (set by provisioning to the role's
    /// own schema). Production uses `records`; tests give each run a schema of
    /// its own, and the qualified names are renamed to it here.
    static func migrations(schema: String = "records") throws -> [Migration] {
        try all().map { file in
            var sql = file.sql
            if schema != "records" {
                sql = renamed(sql, to: schema)
            }
            return Migration(version: file.version, name: file.name, sql: sql)
        }
    }

    /// `records.` → `<schema>.` where it starts a qualified name (not inside
    /// another name such as `immigration.records.v1`).
    static func renamed(_ sql: String, to schema: String) -> String {
        var out = ""
        var rest = Substring(sql)
        while let range = rest.range(of: "records.") {
            let before = out.last ?? " "
            let prefix = rest[rest.startIndex..<range.lowerBound]
            let previous = prefix.last ?? before
            out += prefix
            if previous.isLetter || previous.isNumber || previous == "_" || previous == "." {
                out += "records."
            } else {
                out += "\(schema)."
            }
            rest = rest[range.upperBound...]
        }
        return out + rest
    }
}
