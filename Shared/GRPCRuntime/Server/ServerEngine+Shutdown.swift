import CGRPC

/// Calls in flight and the shutdown sequence (see docs/runtime.md, Shutdown).
extension ServerEngine {
    // MARK: Calls in flight

    // An atomic count, so that calls on every queue thread start and end
    // without a lock; the lock is only for the one waiter of a shutdown.
    func callStarted() { liveCalls.wrappingAdd(1, ordering: .relaxed) }

    func callEnded() {
        guard liveCalls.wrappingSubtract(1, ordering: .acquiringAndReleasing).newValue == 0 else { return }
        let waiter = drainedWaiter.withLock { waiter -> UnsafeContinuation<Void, Never>? in
            defer { waiter = nil }
            return waiter
        }
        waiter?.resume()
    }

    func waitForCallsToEnd() async {
        await withUnsafeContinuation { (continuation: UnsafeContinuation<Void, Never>) in
            let done = drainedWaiter.withLock { waiter -> Bool in
                if liveCalls.load(ordering: .acquiring) == 0 { return true }
                waiter = continuation
                return false
            }
            if done { continuation.resume() }
        }
    }

    // MARK: Shutdown

    /// Stops listening, lets calls in flight finish within `gracePeriod`,
    /// cancels the rest, then frees the server and its queues.
    func stop(gracePeriod: Duration) async {
        let shutdownDone = OneShot()
        grpc_server_shutdown_and_notify(pointer, queues.queues[0].pointer, ClosureTag { _ in shutdownDone.fire() }.retainedPointer())
        let finishedInTime = await shutdownDone.wait(timeout: gracePeriod)
        accepting.store(false, ordering: .relaxed)
        if !finishedInTime {
            configuration.logger.notice("grace period over, cancelling calls in flight")
            grpc_server_cancel_all_calls(pointer)
            _ = await shutdownDone.wait(timeout: nil)
        }
        await waitForCallsToEnd()
        workers.forEach { $0.close() }
        destroyed.store(true, ordering: .releasing)
        grpc_server_destroy(pointer)
        await withUnsafeContinuation { (continuation: UnsafeContinuation<Void, Never>) in
            // Joining blocks: do it on a thread of our own, not the cooperative pool.
            let queues = self.queues
            DetachedThread.start(name: "cq-\(configuration.name)-stop") {
                queues.shutdownAndJoin()
                continuation.resume()
            }
        }
    }
}
