import Contracts
import Foundation
import GRPCRuntime

extension RecordsServiceProvider {
    /// How often a stream looks for new events when no notification woke it.
    static let feedPollInterval: Duration = .milliseconds(250)

    nonisolated(nonsending) func streamChanges(request: Immigration_Records_V1_StreamChangesRequest,
                       responses: ResponseStreamWriter<Immigration_Records_V1_ChangeEvent>, context: ServerContext) async throws {
        var checks = Checks()
        let after = checks.one { () throws(ValidationError) in try FeedPosition.parse(request.afterPosition) }
        var kinds: [ChangeKind] = []
        for (index, type) in request.types.enumerated() {
            if let kind = ChangeKind(proto: type) { kinds.append(kind) } else { checks.add("types[\(index)]", "known_type", "a change type") }
        }
        if request.startAtNewest && !request.afterPosition.isEmpty {
            checks.add("start_at_newest", "only_without_position", "start_at_newest applies only with an empty after_position")
        }
        try checks.throwIfAny()
        try await handle {
            try await feed.sequence()
            let bounds = try await feed.bounds()
            try FeedPosition.checkRetained(after: after!, purgedThrough: bounds.purgedThrough, fromOldest: request.afterPosition.isEmpty)
            var position = request.startAtNewest ? bounds.newest : max(after!, request.afterPosition.isEmpty ? bounds.purgedThrough : 0)
            while !Task.isCancelled {
                let events = try await feed.events(after: position, kinds: kinds, limit: 500)
                if !events.isEmpty {
                    // A purge that ran while this consumer lagged must not be skipped silently: it
                    // commits with purged_through, so if these events are past it, the check sees it.
                    try FeedPosition.checkRetained(after: position, purgedThrough: try await feed.bounds().purgedThrough,
                                                   fromOldest: false)
                }
                for event in events {
                    try await responses.send(event)
                    position = (try? FeedPosition.parse(event.position)) ?? position
                }
                if events.count == 500 { continue }
                if request.stopWhenCaughtUp {
                    // Caught up with what is committed now: number what committed since, then end if nothing more.
                    try await feed.sequence()
                    if try await feed.events(after: position, kinds: kinds, limit: 1).isEmpty { return }
                    continue
                }
                // Woken after the listener's sequencing pass: read. Timed out: a
                // NOTIFY may have been lost, so number what committed first.
                if !(await feedWaker.wait(timeout: Self.feedPollInterval)) { try await feed.sequence() }
            }
        }
    }
}
