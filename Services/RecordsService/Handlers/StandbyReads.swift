import Postgres

/// The reads that may lag behind the primary, search and statistics, served
/// from the standby pool (DATABASE_READ_URL; ServiceHost hands the primary's
/// pool when none is configured). A statement the standby cancels for a
/// recovery conflict (40001), or a standby that cannot be reached, is answered
/// from the primary instead: a read is late rather than failed. Lag is in
/// docs/records.md ("Reads from the standby").
struct StandbyReads: Sendable {
    /// The stores over one pool.
    struct Stores: Sendable {
        let persons: PersonStore
        let statistics: StatisticsStore

        init(pool: PostgresPool) {
            persons = PersonStore(pool: pool)
            statistics = StatisticsStore(pool: pool)
        }
    }

    let standby: Stores
    let primary: Stores
    /// Whether the standby pool is another pool than the primary's.
    let separate: Bool

    init(primary: PostgresPool, standby: PostgresPool?) {
        self.primary = Stores(pool: primary)
        self.standby = standby.map(Stores.init(pool:)) ?? self.primary
        separate = standby.map { $0 !== primary } ?? false
    }

    /// Runs `body` on the standby's stores, once more on the primary's when
    /// the standby cancelled it or is down.
    func read<T>(_ body: (Stores) async throws -> T) async throws -> T {
        do {
            return try await body(standby)
        } catch let error as PostgresError where separate && (error.isSerializationFailure || error.isUnavailable) {
            return try await body(primary)
        }
    }
}
