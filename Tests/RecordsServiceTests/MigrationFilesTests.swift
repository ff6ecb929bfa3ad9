import XCTest
@testable import RecordsService

/// The migrations ship with the service and keep the rules the runner and
/// Citus rely on (docs/records.md, docs/scaling.md).
final class MigrationFilesTests: XCTestCase {
    func testTheMigrationsShipInOrderWithoutGaps() throws {
        let files = try MigrationFiles.all()
        XCTAssertEqual(files.map(\.name), ["0001_records.sql", "0002_change_feed.sql", "0003_intake.sql", "0004_intake_staging.sql",
                                          "0005_feed_sequencer_lock.sql", "0006_ready_answers.sql"])
        XCTAssertEqual(files.map(\.version), [1, 2, 3, 4, 5, 6])
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

/// docs/scaling.md: under Citus a unique key on a distributed table must
/// contain the distribution column. Every key of the per-person tables
/// contains person_id; the lookup tables' keys start with their own column.
final class DistributionKeyTests: XCTestCase {
    static let distributionColumn: [String: String] = [
        "persons": "person_id", "person_revisions": "person_id", "documents": "person_id",
        "document_status_changes": "person_id", "crossings": "person_id", "exit_bans": "person_id",
        "request_log": "person_id", "outbox": "person_id",
        "citizen_ids": "citizen_id", "document_numbers": "number",
        "intake_jobs": "job_id", "intake_batches": "job_id", "intake_rejections": "job_id",
    ]

    func testEveryUniqueKeyContainsItsTablesDistributionColumn() throws {
        let table = try NSRegularExpression(pattern: #"CREATE TABLE records\.(\w+) \((.*?)\n\);"#, options: [.dotMatchesLineSeparators])
        let key = try NSRegularExpression(pattern: #"(PRIMARY KEY|UNIQUE)\s*\(([^)]*)\)|^\s*(\w+)\s+[^,\n]*PRIMARY KEY"#, options: [.anchorsMatchLines])
        var checked = Set<String>()
        for file in try MigrationFiles.all() {
            let text = file.sql as NSString
            for match in table.matches(in: file.sql, range: NSRange(location: 0, length: text.length)) {
                let name = text.substring(with: match.range(at: 1))
                let body = text.substring(with: match.range(at: 2))
                guard let column = Self.distributionColumn[name] else { continue }
                let bodyText = body as NSString
                var keys = 0
                for found in key.matches(in: body, range: NSRange(location: 0, length: bodyText.length)) {
                    keys += 1
                    let columns = found.range(at: 2).location != NSNotFound
                        ? bodyText.substring(with: found.range(at: 2)).split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
                        : [bodyText.substring(with: found.range(at: 3))]
                    XCTAssertTrue(columns.contains(column), "\(name): key \(columns) lacks \(column)")
                }
                XCTAssertGreaterThan(keys, 0, "\(name) has no key")
                checked.insert(name)
            }
        }
        XCTAssertEqual(checked, Set(Self.distributionColumn.keys))
    }
}
