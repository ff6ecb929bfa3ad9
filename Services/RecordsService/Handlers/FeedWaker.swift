import Foundation
import Synchronization

/// Wakes the change feed's streams when a change commits (LISTEN
/// `records_outbox`), so that they read at once instead of at their next poll.
final class FeedWaker: Sendable {
    private let waiters = Mutex<[UUID: CheckedContinuation<Bool, Never>]>([:])

    /// Waits until woken (true: a sequencing pass just ran) or until
    /// `timeout` passes (false).
    @discardableResult
    func wait(timeout: Duration) async -> Bool {
        let id = UUID()
        return await withCheckedContinuation { (continuation: CheckedContinuation<Bool, Never>) in
            waiters.withLock { $0[id] = continuation }
            Task { [weak self] in
                try? await Task.sleep(for: timeout)
                self?.resume(id)
            }
        }
    }

    private func resume(_ id: UUID) {
        waiters.withLock { $0.removeValue(forKey: id) }?.resume(returning: false)
    }

    func wakeAll() {
        let all = waiters.withLock { waiters in
            defer { waiters = [:] }
            return waiters
        }
        for continuation in all.values { continuation.resume(returning: true) }
    }
}
