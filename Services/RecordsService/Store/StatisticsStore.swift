import Contracts
import Foundation
import Postgres

/// Entry and exit statistics and document issuance statistics (Q679 asks for
/// permit grant statistics). Periods start on calendar boundaries in Vietnam
/// time (UTC+7). Served from the standby pool when one is configured
/// (docs/scaling.md); this pool may be the primary.
struct StatisticsStore: Sendable {
    let pool: PostgresPool

    struct CrossingFilter: Sendable {
        var firstDay: CalendarDay
        var lastDay: CalendarDay
        var period: QueryRules.Period
        var byCheckpoint: Bool
        var byNationality: Bool
        var byDirection: Bool
        var checkpointCodes: [String]
        var nationalities: [String]
        var direction: CrossingEligibility.Direction?
    }

    static func unit(_ period: QueryRules.Period) -> String {
        switch period {
        case .day: "day"
        case .month: "month"
        case .year: "year"
        }
    }

    func crossings(_ f: CrossingFilter) async throws -> [Immigration_Records_V1_CrossingStatisticsRow] {
        let rows = try await pool.query("""
            SELECT date_trunc(\(Self.unit(f.period)), x.crossed_at AT TIME ZONE 'UTC' + interval '7 hours')::date AS period_start,
                CASE WHEN \(f.byCheckpoint) THEN x.checkpoint_code ELSE '' END AS checkpoint_code,
                CASE WHEN \(f.byNationality) THEN x.nationality::text ELSE '' END AS nationality,
                CASE WHEN \(f.byDirection) THEN x.direction ELSE '' END AS direction,
                count(*) AS crossings
            FROM crossings x
            WHERE x.crossed_at >= (\(f.firstDay.postgres)::timestamp - interval '7 hours') AT TIME ZONE 'UTC'
              AND x.crossed_at < (\(f.lastDay.postgres)::timestamp + interval '17 hours') AT TIME ZONE 'UTC'
              AND (cardinality(\(f.checkpointCodes)::text[]) = 0 OR x.checkpoint_code = ANY(\(f.checkpointCodes)::text[]))
              AND (cardinality(\(f.nationalities)::text[]) = 0 OR x.nationality::text = ANY(\(f.nationalities)::text[]))
              AND (\(f.direction?.rawValue)::text IS NULL OR x.direction = \(f.direction?.rawValue))
            GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4
            """)
        return try rows.map { row in
            var r = Immigration_Records_V1_CrossingStatisticsRow()
            r.periodStart = CalendarDay(try row.value("period_start", as: PostgresDate.self)).proto
            r.checkpointCode = try row.value("checkpoint_code")
            r.nationality = try row.value("nationality")
            switch try row.value("direction", as: String.self) {
            case "entry": r.direction = .entry
            case "exit": r.direction = .exit
            default: break
            }
            r.crossings = try row.value("crossings")
            return r
        }
    }

    func documents(firstDay: CalendarDay, lastDay: CalendarDay, period: QueryRules.Period, kinds: [DocumentKind],
                   byIssuingAuthority: Bool) async throws -> [Immigration_Records_V1_DocumentStatisticsRow] {
        let rows = try await pool.query("""
            SELECT date_trunc(\(Self.unit(period)), d.issued_on::timestamp)::date AS period_start, d.kind,
                CASE WHEN \(byIssuingAuthority) THEN d.issuing_authority ELSE '' END AS issuing_authority,
                count(*) AS issued, count(*) FILTER (WHERE d.status = 'withdrawn') AS withdrawn
            FROM documents d
            WHERE d.issued_on BETWEEN \(firstDay.postgres) AND \(lastDay.postgres)
              AND (cardinality(\(kinds.map(\.rawValue))::text[]) = 0 OR d.kind = ANY(\(kinds.map(\.rawValue))::text[]))
            GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
            """)
        return try rows.map { row in
            var r = Immigration_Records_V1_DocumentStatisticsRow()
            r.periodStart = CalendarDay(try row.value("period_start", as: PostgresDate.self)).proto
            if let kind = DocumentKind(rawValue: try row.value("kind", as: String.self)) { r.kind = .init(rule: kind) }
            r.issuingAuthority = try row.value("issuing_authority")
            r.issued = try row.value("issued")
            r.withdrawn = try row.value("withdrawn")
            return r
        }
    }
}
