import Postgres

/// A schema of the test's own (parallel test processes share one server), dropped afterwards.
struct TestSchema {
    let name: String
    let pool: PostgresPool

    static func create(_ pool: PostgresPool, prefix: String = "t") async throws -> TestSchema {
        let name = TestDatabase.uniqueName(prefix)
        try await pool.query("CREATE SCHEMA \(identifier: name)")
        return TestSchema(name: name, pool: pool)
    }

    /// `schema.table`, quoted.
    func table(_ table: String) -> String { quoteIdentifier(name) + "." + quoteIdentifier(table) }

    func drop() async throws {
        try await pool.query("DROP SCHEMA \(identifier: name) CASCADE")
    }
}

/// Lets `parties` tasks wait for one another once.
actor Barrier {
    private let parties: Int
    private var arrived = 0
    private var waiting: [CheckedContinuation<Void, Never>] = []

    init(parties: Int) { self.parties = parties }

    func arriveAndWait() async {
        arrived += 1
        if arrived >= parties {
            waiting.forEach { $0.resume() }
            waiting.removeAll()
            return
        }
        await withCheckedContinuation { waiting.append($0) }
    }
}

/// A counter tasks can share.
actor Counter {
    private(set) var value = 0
    func increment() -> Int {
        value += 1
        return value
    }
}
