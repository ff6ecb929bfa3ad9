import Postgres
import XCTest

/// `PostgresPool.query` under concurrency (statements pipelined, commits shared) and
/// `PostgresPool.transaction(_:)` (statements sent together, applied together).
final class PoolPipeliningTests: XCTestCase {
    var pool: PostgresPool!
    var schema: TestSchema!

    override func setUp() async throws {
        pool = try TestDatabase.pool(maxConnections: 4)
        schema = try await TestSchema.create(pool)
        // No primary key on purpose: a statement applied twice would show as a duplicate row.
        try await pool.query("""
            CREATE TABLE \(unsafeRaw: schema.table("crossings")) (
                id bigint NOT NULL, gate text NOT NULL CHECK (gate <> 'BAD'))
            """)
        try await pool.query("CREATE TABLE \(unsafeRaw: schema.table("outbox")) (crossing_id bigint PRIMARY KEY, note text)")
    }

    override func tearDown() async throws {
        try await schema?.drop()
        await pool?.close()
    }

    func testConcurrentSingleStatementsShareCommitsAndAreEachAppliedOnce() async throws {
        let table = schema.table("crossings")
        let pool = self.pool!
        try await withThrowingTaskGroup(of: Void.self) { group in
            for task in 0..<48 {
                group.addTask {
                    for index in 0..<40 {
                        let rows = try await pool.query("INSERT INTO \(unsafeRaw: table) VALUES (\(Int64(task * 1000 + index)), 'G')")
                        XCTAssertEqual(rows.affectedRows, 1)
                    }
                }
            }
            try await group.waitForAll()
        }
        let row = try await pool.query("SELECT count(*), count(DISTINCT id), count(DISTINCT xmin::text) FROM \(unsafeRaw: table)")
            .first!.decode((Int64, Int64, Int64).self)
        XCTAssertEqual(row.0, 1920)
        XCTAssertEqual(row.1, 1920, "no statement applied twice")
        XCTAssertLessThan(row.2, 1920, "some statements committed in one shared transaction")
        XCTAssertLessThanOrEqual(pool.statistics.open, 4)
    }

    func testOneFailingStatementAmongManyConcurrentOnesFailsOnlyItsCaller() async throws {
        let table = schema.table("crossings")
        let pool = self.pool!
        // Every tenth statement breaks the CHECK; the others must all commit exactly once.
        let outcomes = try await withThrowingTaskGroup(of: (Int64, PostgresError?).self) { group in
            for id in Int64(0)..<400 {
                group.addTask {
                    do {
                        try await pool.query("INSERT INTO \(unsafeRaw: table) VALUES (\(id), \(id % 10 == 3 ? "BAD" : "G"))")
                        return (id, nil)
                    } catch let error as PostgresError {
                        return (id, error)
                    }
                }
            }
            var outcomes: [Int64: PostgresError?] = [:]
            for try await (id, error) in group { outcomes[id] = error }
            return outcomes
        }
        for (id, error) in outcomes {
            if id % 10 == 3 {
                XCTAssertEqual(error?.category, .checkViolation, "statement \(id)")
            } else {
                XCTAssertNil(error, "statement \(id) failed for another's reason: \(String(describing: error))")
            }
        }
        let stored = try await pool.query("SELECT id FROM \(unsafeRaw: table) ORDER BY id").map { try $0.decode(Int64.self) }
        XCTAssertEqual(stored, (Int64(0)..<400).filter { $0 % 10 != 3 }, "each good statement applied exactly once")
    }

    func testATransactionOfStatementsCommitsAllOrNothing() async throws {
        let crossings = schema.table("crossings"), outbox = schema.table("outbox")
        let rows = try await pool.transaction([
            "INSERT INTO \(unsafeRaw: crossings) VALUES (1, 'G')",
            // A later statement may use an earlier one's effect in SQL.
            "INSERT INTO \(unsafeRaw: outbox) SELECT id, 'recorded' FROM \(unsafeRaw: crossings) WHERE id = 1 RETURNING crossing_id",
        ])
        XCTAssertEqual(rows.count, 2)
        XCTAssertEqual(rows[0].affectedRows, 1)
        XCTAssertEqual(try rows[1].scalar(Int64.self), 1)

        let error = await expectPostgresError {
            try await self.pool.transaction([
                "INSERT INTO \(unsafeRaw: crossings) VALUES (2, 'G')",
                "INSERT INTO \(unsafeRaw: outbox) VALUES (1, 'again')",
            ])
        }
        XCTAssertEqual(error?.category, .uniqueViolation)
        let count = try await pool.query("SELECT count(*) FROM \(unsafeRaw: crossings) WHERE id = 2").scalar(Int64.self)
        XCTAssertEqual(count, 0, "the first statement was rolled back with the second")
    }

    func testConcurrentTransactionsOfStatementsStayAtomicWhenSomeFail() async throws {
        let crossings = schema.table("crossings"), outbox = schema.table("outbox")
        let pool = self.pool!
        let failures = try await withThrowingTaskGroup(of: Int64?.self) { group in
            for id in Int64(0)..<120 {
                group.addTask {
                    do {
                        try await pool.transaction([
                            "INSERT INTO \(unsafeRaw: crossings) VALUES (\(id), 'G')",
                            "INSERT INTO \(unsafeRaw: outbox) VALUES (\(id), 'x')",
                            "INSERT INTO \(unsafeRaw: crossings) VALUES (\(id), \(id % 7 == 0 ? "BAD" : "G"))",
                        ])
                        return nil
                    } catch let error as PostgresError where error.isCheckViolation {
                        return id
                    }
                }
                // Single statements in between, pipelined with the transactions.
                group.addTask {
                    try await pool.query("INSERT INTO \(unsafeRaw: crossings) VALUES (\(10_000 + id), 'G')")
                    return nil
                }
            }
            var failures: Set<Int64> = []
            for try await case let id? in group { failures.insert(id) }
            return failures
        }
        let expectedFailures = Set((Int64(0)..<120).filter { $0 % 7 == 0 })
        XCTAssertEqual(failures, expectedFailures)
        let perID = try await pool.query("""
            SELECT c.id, count(*), (SELECT count(*) FROM \(unsafeRaw: outbox) o WHERE o.crossing_id = c.id)
            FROM \(unsafeRaw: crossings) c WHERE c.id < 10000 GROUP BY c.id ORDER BY c.id
            """).map { try $0.decode((Int64, Int64, Int64).self) }
        XCTAssertEqual(perID.map(\.0), (Int64(0)..<120).filter { !expectedFailures.contains($0) })
        XCTAssertTrue(perID.allSatisfy { $0.1 == 2 && $0.2 == 1 }, "each committed transaction applied once, whole")
        let singles = try await pool.query("SELECT count(*) FROM \(unsafeRaw: crossings) WHERE id >= 10000").scalar(Int64.self)
        XCTAssertEqual(singles, 120)
    }

    /// The second run of a statement is sent by the calling task (it is prepared by
    /// then): errors, cancellation and a changed table behave as on the first run.
    func testALoneStatementSentByItsCallerReportsErrorsAndCanBeCancelled() async throws {
        let table = schema.table("outbox")
        let pool = self.pool!
        for round in 0..<2 {
            try await pool.query("INSERT INTO \(unsafeRaw: table) VALUES (\(Int64(round)), 'x')")
            let error = await expectPostgresError {
                try await pool.query("INSERT INTO \(unsafeRaw: table) VALUES (\(Int64(round)), 'x')")
            }
            XCTAssertEqual(error?.category, .uniqueViolation, "round \(round)")
        }
        for _ in 0..<2 {
            let sleeper = Task { try await pool.query("SELECT pg_sleep(\(10.0))") }
            try await Task.sleep(for: .milliseconds(200))
            sleeper.cancel()
            let error = await expectPostgresError { try await sleeper.value }
            XCTAssertEqual(error?.code, .queryCanceled)
        }
        // A prepared statement whose result shape changed fails once, then is prepared anew.
        let select: PostgresQuery = "SELECT * FROM \(unsafeRaw: table) WHERE crossing_id = \(Int64(0))"
        try await pool.query(select)
        try await pool.query("ALTER TABLE \(unsafeRaw: table) ADD COLUMN extra int")
        _ = try? await pool.query(select)
        let columns = try await pool.query(select).columns
        XCTAssertEqual(columns, ["crossing_id", "note", "extra"])
        let stored = try await pool.query("SELECT count(*) FROM \(unsafeRaw: table)").scalar(Int64.self)
        XCTAssertEqual(stored, 2)
    }

    /// Tasks pausing at random between statements: some statements run alone (sent by
    /// their caller, answered by the connection's thread woken by the reply), others
    /// overlap and are pipelined. Each caller must get its own row back, once.
    func testLoneAndPipelinedStatementsRacingEachGetTheirOwnAnswerOnce() async throws {
        let table = schema.table("crossings")
        let pool = self.pool!
        let answers = try await withThrowingTaskGroup(of: [(sent: Int64, got: Int64?)].self) { group in
            for task in 0..<6 {
                group.addTask {
                    var answers: [(sent: Int64, got: Int64?)] = []
                    for index in 0..<60 {
                        let id = Int64(task * 1000 + index)
                        let rows = try await pool.query("INSERT INTO \(unsafeRaw: table) VALUES (\(id), 'G') RETURNING id")
                        XCTAssertEqual(rows.count, 1)
                        answers.append((id, try rows.scalar(Int64.self)))
                        if Bool.random() { try await Task.sleep(for: .microseconds(Int.random(in: 0...800))) }
                    }
                    return answers
                }
            }
            var all: [(sent: Int64, got: Int64?)] = []
            for try await answers in group { all += answers }
            return all
        }
        XCTAssertEqual(answers.count, 360)
        for answer in answers { XCTAssertEqual(answer.got, answer.sent, "each caller reads its own row") }
        let row = try await pool.query("SELECT count(*), count(DISTINCT id) FROM \(unsafeRaw: table)")
            .first!.decode((Int64, Int64).self)
        XCTAssertEqual(row.0, 360)
        XCTAssertEqual(row.1, 360, "no statement applied twice")
    }

    func testAStatementWithATimeoutOrAloneStillBorrowsAConnection() async throws {
        let pool = try TestDatabase.pool(maxConnections: 1, statementTimeout: .milliseconds(300))
        // A lone statement borrows (and so honours the pool's statement timeout).
        let error = await expectPostgresError { try await pool.query("SELECT pg_sleep(2)") }
        XCTAssertEqual(error?.category, .statementTimeout)
        // Concurrent statements are pipelined over their own sessions, with the same timeout.
        let errors = try await withThrowingTaskGroup(of: PostgresError?.self) { group in
            for _ in 0..<4 {
                group.addTask {
                    do {
                        try await pool.query("SELECT pg_sleep(2)")
                        return nil
                    } catch let error as PostgresError { return error }
                }
            }
            var errors: [PostgresError?] = []
            for try await error in group { errors.append(error) }
            return errors
        }
        XCTAssertTrue(errors.allSatisfy { $0?.category == .statementTimeout }, "\(errors)")
        try await pool.query("SELECT pg_sleep(0.5)", timeout: .seconds(5))
        await pool.close()
        let closed = await expectPostgresError { try await pool.query("SELECT 1") }
        XCTAssertEqual(closed?.code, .connectionDoesNotExist)
    }
}
