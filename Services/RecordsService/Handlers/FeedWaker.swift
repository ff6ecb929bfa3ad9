import Foundation
import Synchronization

/// Wakes the change feed's streams when a change commits (LISTEN
/// `records_outbox`), so that they read at once instead of at their next poll.
final class FeedWaker: Sendable {
    private let waiters = Mutex<[UUID: CheckedContinuation<Void, Never>]>([:])

    /// Waits until woken or until `timeout` passes.
    func wait(timeout: Duration) async {
        let id = UUID()
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            waiters.withLock { $0[id] = continuation }
            Task { [weak self] in
                try? await Task.sleep(for: timeout)
                self?.resume(id)
            }
        }
    }

    private func resume(_ id: UUID) {
        waiters.withLock { $0.removeValue(forKey: id) }?.resume()
    }

    func wakeAll() {
        let all = waiters.withLock { waiters in
            defer { waiters = [:] }
            return waiters
        }
        for continuation in all.values { continuation.resume() }
    }
}
