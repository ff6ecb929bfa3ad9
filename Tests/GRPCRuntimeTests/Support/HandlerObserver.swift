import Synchronization

/// What handlers saw, for tests that check the server side of a call.
final class HandlerObserver: Sendable {
    private let state = Mutex<(started: Int, cancelled: Int, finished: Int, deadline: ContinuousClock.Instant?)>((0, 0, 0, nil))

    func started(deadline: ContinuousClock.Instant?) { state.withLock { $0.started += 1; $0.deadline = deadline } }
    func cancelled() { state.withLock { $0.cancelled += 1 } }
    func finished() { state.withLock { $0.finished += 1 } }

    var startedCount: Int { state.withLock { $0.started } }
    var cancelledCount: Int { state.withLock { $0.cancelled } }
    var finishedCount: Int { state.withLock { $0.finished } }
    var lastDeadline: ContinuousClock.Instant? { state.withLock { $0.deadline } }

    /// Polls until the condition holds or two seconds passed.
    func eventually(_ condition: @Sendable (HandlerObserver) -> Bool) async -> Bool {
        for _ in 0..<400 {
            if condition(self) { return true }
            try? await Task.sleep(for: .milliseconds(5))
        }
        return condition(self)
    }
}
