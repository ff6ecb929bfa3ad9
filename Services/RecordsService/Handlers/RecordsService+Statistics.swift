import Contracts
import Foundation
import GRPCRuntime

extension Immigration_Records_V1_StatisticsPeriod {
    var rule: QueryRules.Period? {
        switch self {
        case .day: .day
        case .month: .month
        case .year: .year
        default: nil
        }
    }
}

extension RecordsServiceProvider {
    private func range(first: Immigration_Common_V1_CalendarDate?, last: Immigration_Common_V1_CalendarDate?,
                       period: Immigration_Records_V1_StatisticsPeriod,
                       checks: inout Checks) -> (CalendarDay, CalendarDay, QueryRules.Period)? {
        let from = first.flatMap { d in checks.one { () throws(ValidationError) in try d.validated(field: "first_day") } }
        let to = last.flatMap { d in checks.one { () throws(ValidationError) in try d.validated(field: "last_day") } }
        if (first != nil && from == nil) || (last != nil && to == nil) { return nil }
        return checks.run { () throws(ValidationErrors) in try QueryRules.statisticsRange(firstDay: from, lastDay: to, period: period.rule) }
    }

    nonisolated(nonsending) func getCrossingStatistics(request: Immigration_Records_V1_GetCrossingStatisticsRequest,
                               context: ServerContext) async throws -> Immigration_Records_V1_GetCrossingStatisticsResponse {
        var checks = Checks()
        let range = range(first: request.firstDay, last: request.lastDay, period: request.period, checks: &checks)
        for (index, code) in request.nationalities.enumerated() {
            _ = checks.one { () throws(ValidationError) in try NationalityCode.validated(code, field: "nationalities[\(index)]") }
        }
        try checks.throwIfAny()
        let (first, last, period) = range!
        let filter = StatisticsStore.CrossingFilter(
            firstDay: first, lastDay: last, period: period, byCheckpoint: request.byCheckpoint, byNationality: request.byNationality,
            byDirection: request.byDirection, checkpointCodes: request.checkpointCodes, nationalities: request.nationalities,
            direction: request.direction.rule)
        let rows = try await handle { try await reads.read { try await $0.statistics.crossings(filter) } }
        return .with { $0.rows = rows }
    }

    nonisolated(nonsending) func getDocumentStatistics(request: Immigration_Records_V1_GetDocumentStatisticsRequest,
                               context: ServerContext) async throws -> Immigration_Records_V1_GetDocumentStatisticsResponse {
        var checks = Checks()
        let range = range(first: request.firstDay, last: request.lastDay, period: request.period, checks: &checks)
        var kinds: [DocumentKind] = []
        for (index, kind) in request.kinds.enumerated() {
            if let rule = kind.rule { kinds.append(rule) } else { checks.add("kinds[\(index)]", "known_kind", "a document kind") }
        }
        try checks.throwIfAny()
        let (first, last, period) = range!
        let rows = try await handle {
            try await reads.read {
                try await $0.statistics.documents(firstDay: first, lastDay: last, period: period, kinds: kinds,
                                                  byIssuingAuthority: request.byIssuingAuthority)
            }
        }
        return .with { $0.rows = rows }
    }
}
