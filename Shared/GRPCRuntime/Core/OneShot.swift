import Synchronization

/// An event that happens once (the core reporting server shutdown), waited
/// for by polling: it is used only while stopping, so simplicity wins.
final class OneShot: Sendable {
    private let fired = Atomic<Bool>(false)

    func fire() { fired.store(true, ordering: .releasing) }

    var hasFired: Bool { fired.load(ordering: .acquiring) }

    /// Waits until fired or the timeout passed; returns whether it fired.
    func wait(timeout: Duration?) async -> Bool {
        let end = timeout.map { ContinuousClock.now + $0 }
        while !hasFired {
            if let end, ContinuousClock.now >= end { return false }
            try? await Task.sleep(for: .milliseconds(5))
        }
        return true
    }
}
