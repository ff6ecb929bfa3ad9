import Synchronization

/// Keeps at most one send in flight on a call: the core allows one
/// operation of each kind at a time. Uncontended use does not allocate.
struct SendLock: ~Copyable, Sendable {
    private let state = Mutex<(locked: Bool, waiters: [UnsafeContinuation<Void, Never>])>((false, []))

    nonisolated(nonsending) func acquire() async {
        if tryAcquire() { return }
        await withUnsafeContinuation { (continuation: UnsafeContinuation<Void, Never>) in
            let granted = state.withLock { state -> Bool in
                if state.locked {
                    state.waiters.append(continuation)
                    return false
                }
                state.locked = true
                return true
            }
            if granted { continuation.resume() }
        }
    }

    /// Takes the lock if it is free, without waiting: a caller that needs no
    /// await when uncontended saves the executor check an await costs after it.
    func tryAcquire() -> Bool {
        state.withLock { state -> Bool in
            if state.locked { return false }
            state.locked = true
            return true
        }
    }

    /// Hands the lock to the next waiter, if any.
    func release() {
        let next = state.withLock { state -> UnsafeContinuation<Void, Never>? in
            if state.waiters.isEmpty {
                state.locked = false
                return nil
            }
            return state.waiters.removeFirst()
        }
        next?.resume()
    }
}
