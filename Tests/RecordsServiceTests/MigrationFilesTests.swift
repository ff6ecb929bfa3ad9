import XCTest
@testable import RecordsService

/// The migrations ship with the service and keep the rules the runner and
/// Citus rely on (docs/records.md, docs/scaling.md).
final class MigrationFilesTests: XCTestCase {
    func testTheMigrationsShipInOrderWithoutGaps() throws {
        let files = try MigrationFiles.all()
        XCTAssertEqual(files.map(\.name), ["0001_records.sql", "0002_change_feed.sql", "0003_intake.sql"])
        XCTAssertEqual(files.map(\.version), [1, 2, 3])
    }

    func testMigrationsCreateNoRoleNoSchemaAndNoTransactionOfTheirOwn() throws {
        for file in try MigrationFiles.all() {
            let sql = file.sql.uppercased()
            for forbidden in ["CREATE ROLE", "CREATE USER", "CREATE SCHEMA", "ALTER ROLE", "GRANT ", "\nBEGIN;", "\nCOMMIT;"] {
                XCTAssertFalse(sql.contains(forbidden), "\(file.name) contains \(forbidden)")
            }
        }
    }

    func testEveryObjectIsCreatedInTheRecordsSchema() throws {
        let pattern = try NSRegularExpression(pattern: #"CREATE\s+(?:UNIQUE\s+)?(TABLE|INDEX|SEQUENCE|FUNCTION)\s+(\S+)(?:\s+ON\s+(\S+))?"#,
                                              options: [.caseInsensitive])
        var created = 0
        for file in try MigrationFiles.all() {
            let text = file.sql as NSString
            for match in pattern.matches(in: file.sql, range: NSRange(location: 0, length: text.length)) {
                created += 1
                let kind = text.substring(with: match.range(at: 1)).uppercased()
                let target = kind == "INDEX" ? text.substring(with: match.range(at: 3)) : text.substring(with: match.range(at: 2))
                XCTAssertTrue(target.hasPrefix("records."), "\(file.name): \(kind) on \(target) is not qualified with records.")
            }
        }
        XCTAssertGreaterThan(created, 20)
    }

    func testAMalformedFolderIsRefused() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("migrations-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        try "SELECT 1;".write(to: folder.appendingPathComponent("0001_a.sql"), atomically: true, encoding: .utf8)
        try "SELECT 1;".write(to: folder.appendingPathComponent("0003_c.sql"), atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try MigrationFiles.all(in: folder)) {
            XCTAssertEqual(($0 as? MigrationFiles.Malformed)?.reason, "expected version 2")
        }
    }
}
