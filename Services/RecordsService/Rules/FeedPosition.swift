/// A position in the change feed as clients see it: an opaque string. Today
/// it is "1:" and the outbox position in decimal; the version prefix leaves
/// room for another form (a vector of per-shard positions under Citus,
/// docs/scaling.md) without confusing old tokens for new ones.
enum FeedPosition {
    /// The prefix of today's form.
    static let prefix = "1:"

    /// The token for an outbox position.
    static func token(_ position: Int64) -> String { prefix + String(position) }

    /// Reads a client's `after_position`: empty means from the oldest
    /// retained event (0); otherwise a token this feed issued.
    static func parse(_ token: String, field: String = "after_position") throws(ValidationError) -> Int64 {
        if token.isEmpty { return 0 }
        guard token.hasPrefix(prefix), let value = Int64(token.dropFirst(prefix.count)), value >= 0,
              token == self.token(value) else {
            throw ValidationError(field: field, rule: "feed_position", "not a position this feed issued")
        }
        return value
    }

    /// The feed no longer holds what follows the consumer's position
    /// (OUT_OF_RANGE): events after it and up to `purgedThrough` were purged.
    struct Purged: Error, Hashable, Sendable {
        var purgedThrough: Int64
    }

    /// Checks that nothing after `after` has been purged. An empty token
    /// (0) starts at the oldest retained event and never fails.
    static func checkRetained(after: Int64, purgedThrough: Int64, fromOldest: Bool) throws(Purged) {
        if !fromOldest && after < purgedThrough { throw Purged(purgedThrough: purgedThrough) }
    }
}
