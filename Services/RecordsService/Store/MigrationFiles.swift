import Foundation

/// The service's schema migrations as shipped in its resource bundle
/// (`Store/Migrations/NNNN_name.sql`), in order, for the migration runner of
/// the Postgres layer, which applies each once in a transaction.
enum MigrationFiles {
    /// One migration file.
    struct File: Hashable, Sendable {
        /// The number the file name starts with.
        var version: Int
        /// The file name, such as `0001_records.sql`.
        var name: String
        /// The SQL text.
        var sql: String
    }

    /// A migration folder that breaks the naming or numbering rule.
    struct Malformed: Error, Hashable, Sendable {
        var name: String
        var reason: String
    }

    /// Every migration, by version. Names are `NNNN_name.sql`; versions run
    /// 1, 2, 3 ... without gaps or repeats.
    static func all(in folder: URL? = Bundle.module.url(forResource: "Migrations", withExtension: nil)) throws -> [File] {
        guard let folder else { throw Malformed(name: "Migrations", reason: "not in the bundle") }
        let names = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".sql") }.sorted()
        var files: [File] = []
        for name in names {
            let digits = name.prefix(4)
            guard digits.count == 4, digits.allSatisfy(\.isASCII), digits.allSatisfy(\.isNumber),
                  name.dropFirst(4).hasPrefix("_"), let version = Int(digits) else {
                throw Malformed(name: name, reason: "not NNNN_name.sql")
            }
            guard version == files.count + 1 else {
                throw Malformed(name: name, reason: "expected version \(files.count + 1)")
            }
            let sql = try String(contentsOf: folder.appendingPathComponent(name), encoding: .utf8)
            files.append(File(version: version, name: name, sql: sql))
        }
        return files
    }
}
