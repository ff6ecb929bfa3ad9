import COpenSSL
import Foundation

/// One numbered SQL file of a service's schema (`0001_create_persons.sql`).
///
/// Migrations are applied in version order, each once; the SHA-256 of the text is
/// recorded so that an applied file that was edited afterwards is detected.
public struct Migration: Sendable, Hashable {
    public var version: Int
    public var name: String
    public var sql: String

    public init(version: Int, name: String, sql: String) {
        self.version = version
        self.name = name
        self.sql = sql
    }

    /// Lower-case hex SHA-256 of the SQL text (UTF-8).
    public var checksum: String { sha256Hex(Array(sql.utf8)) }

    /// Reads every `NNNN_name.sql` file of `directory`, sorted by version. Other
    /// files are ignored; a `.sql` file with a malformed name or a repeated
    /// version is an error.
    public static func load(directory: URL) throws -> [Migration] {
        let files = try FileManager.default.contentsOfDirectory(atPath: directory.path)
        var migrations: [Migration] = []
        for file in files where file.hasSuffix(".sql") {
            let stem = file.dropLast(4)
            guard let underscore = stem.firstIndex(of: "_"),
                  let version = Int(stem[stem.startIndex..<underscore]), version > 0,
                  stem[stem.startIndex..<underscore].allSatisfy(\.isASCII),
                  stem.index(after: underscore) < stem.endIndex else {
                throw MigrationError.invalidFileName(file)
            }
            let sql = try String(contentsOf: directory.appendingPathComponent(file), encoding: .utf8)
            migrations.append(Migration(version: version, name: String(stem[stem.index(after: underscore)...]), sql: sql))
        }
        try validate(migrations)
        return migrations.sorted { $0.version < $1.version }
    }

    static func validate(_ migrations: [Migration]) throws {
        var seen = Set<Int>()
        for migration in migrations {
            guard migration.version > 0 else { throw MigrationError.invalidFileName("\(migration.version)_\(migration.name)") }
            guard seen.insert(migration.version).inserted else { throw MigrationError.duplicateVersion(migration.version) }
        }
    }
}

/// Why migrations were refused; the service must not start.
public enum MigrationError: Error, Sendable, Hashable, CustomStringConvertible {
    case invalidFileName(String)
    case duplicateVersion(Int)
    /// An applied migration's text changed since it was applied.
    case checksumMismatch(version: Int, name: String)
    /// A migration older than the newest applied one was never applied.
    case outOfOrder(version: Int, name: String, newestApplied: Int)
    case invalidSchemaName(String)

    public var description: String {
        switch self {
        case .invalidFileName(let file):
            return "migration file '\(file)' is not named NNNN_name.sql"
        case .duplicateVersion(let version):
            return "two migrations have version \(version)"
        case .checksumMismatch(let version, let name):
            return "migration \(version) (\(name)) was edited after it was applied; add a new migration instead"
        case .outOfOrder(let version, let name, let newest):
            return "migration \(version) (\(name)) is older than the newest applied one (\(newest)) and was never applied"
        case .invalidSchemaName(let name):
            return "'\(name)' is not a valid schema name"
        }
    }
}

func sha256(_ bytes: [UInt8]) -> [UInt8] {
    var digest = [UInt8](repeating: 0, count: Int(SHA256_DIGEST_LENGTH))
    _ = bytes.withUnsafeBufferPointer { SHA256($0.baseAddress, $0.count, &digest) }
    return digest
}

func sha256Hex(_ bytes: [UInt8]) -> String {
    let digits = Array("0123456789abcdef".utf8)
    var hex: [UInt8] = []
    for byte in sha256(bytes) {
        hex.append(digits[Int(byte >> 4)])
        hex.append(digits[Int(byte & 0x0F)])
    }
    return String(decoding: hex, as: UTF8.self)
}
