import Synchronization

/// Long-lived Tasks that run a completion queue's server handlers, one call
/// after another, instead of a new Task per call.
///
/// Why: a new Task per call costs the task and its closure context, the
/// executor-preference record and, for a unary call through the generated
/// code and two interceptors, about 3.4 KiB of async frames in five fresh
/// 1 KiB task-allocator slabs: seven allocations and their frees, and the
/// task's creation and destruction. A worker keeps its slabs (the task
/// allocator reuses freed slabs) and its executor preference (the queue).
///
/// Threading: a call is handed to an idle worker by resuming the worker's
/// continuation on the queue's thread; the worker's job then runs at once on
/// that thread (the queue is its executor preference), exactly as a new Task
/// did. A worker that finished its call parks itself (or ends, when
/// `maximumIdle` are already parked or the pool is closed).
///
/// Cancellation: a cancelled call cancels its worker's Task, which cannot be
/// un-cancelled, so that worker ends after the call instead of taking
/// another (`HandlerWorker.finishCall`). A cancel can only reach the call the
/// worker is running: it is requested under the worker's lock, against the
/// call it names.
///
/// Ownership: `close()` (server stop, after every call ended) resumes the
/// parked workers with `nil`, so their Tasks end; none parks after it.
final class HandlerWorkers: Sendable {
    private let queue: CompletionQueue
    private let maximumIdle: Int
    private let state = Mutex<(idle: [UnsafeContinuation<ServerCall?, Never>], closed: Bool)>(([], false))

    init(queue: CompletionQueue, maximumIdle: Int = 64) {
        self.queue = queue
        self.maximumIdle = maximumIdle
    }

    /// Runs `call`'s handler on a parked worker, or on a new one. Called on
    /// the queue's thread: the handler runs there up to its first suspension
    /// before this returns.
    func run(_ call: ServerCall) {
        if let parked = state.withLock({ $0.idle.popLast() }) {
            parked.resume(returning: call)
            return
        }
        // Handed over through the worker, not captured by the Task's closure,
        // which lives as long as the Task: a parked worker keeps no call alive.
        let worker = HandlerWorker(next: call)
        let task = Task(executorPreference: queue) { await self.work(worker) }
        worker.started(task)
    }

    /// Ends the parked workers; workers still running end after their call.
    func close() {
        let parked = state.withLock { state -> [UnsafeContinuation<ServerCall?, Never>] in
            state.closed = true
            defer { state.idle = [] }
            return state.idle
        }
        parked.forEach { $0.resume(returning: nil) }
    }

    private nonisolated(nonsending) func work(_ worker: HandlerWorker) async {
        while await serve(worker) {
            guard let call = await park() else { return }
            worker.handOver(call)
        }
    }

    /// Runs the call handed over to `worker`; returns whether the worker may
    /// take another. The call is released when this returns, before the
    /// worker parks (a parked worker must not keep a call, and its
    /// `grpc_call`, alive).
    private nonisolated(nonsending) func serve(_ worker: HandlerWorker) async -> Bool {
        guard let call = worker.beginCall() else { return false }
        await call.run(on: worker)
        return worker.finishCall()
    }

    /// Waits for the next call; `nil` when this worker is not needed any more.
    private nonisolated(nonsending) func park() async -> ServerCall? {
        await withUnsafeContinuation { (continuation: UnsafeContinuation<ServerCall?, Never>) in
            let parked = state.withLock { state -> Bool in
                guard !state.closed, state.idle.count < maximumIdle else { return false }
                state.idle.append(continuation)
                return true
            }
            if !parked { continuation.resume(returning: nil) }
        }
    }
}

/// One worker Task of `HandlerWorkers`: the call it runs, and cancelling it.
final class HandlerWorker: Sendable {
    private struct State {
        var task: Task<Void, Never>?
        var current: ServerCall?
        /// Cancels asked for `current` that are under way (`cancel(running:)`).
        var cancelsUnderWay = 0
        /// A cancel asked before `started` handed the Task over.
        var cancelledEarly = false
        /// The call handed over, not yet begun.
        var next: ServerCall?
    }

    private let state: Mutex<State>

    init(next call: ServerCall) {
        var initial = State()
        initial.next = call
        state = Mutex(initial)
    }

    /// The Task's handle, once `Task.init` returned (its first call may have
    /// run, and asked to be cancelled, before that).
    func started(_ task: Task<Void, Never>) {
        let cancelNow = state.withLock { state -> Bool in
            state.task = task
            return state.cancelledEarly
        }
        if cancelNow { task.cancel() }
    }

    /// Hands the next call to this (parked) worker.
    func handOver(_ call: ServerCall) {
        state.withLock { $0.next = call }
    }

    /// The call handed over, now this worker's current one.
    func beginCall() -> ServerCall? {
        state.withLock { state in
            defer { state.next = nil }
            state.current = state.next
            return state.next
        }
    }

    /// The call is done. Returns whether this worker may take another: not
    /// when its Task was (or is being) cancelled.
    func finishCall() -> Bool {
        let cancelled = state.withLock { state -> Bool in
            state.current = nil
            return state.cancelsUnderWay > 0 || state.cancelledEarly
        }
        return !cancelled && !Task.isCancelled
    }

    /// Cancels the Task if it still runs `call`. The cancel itself happens
    /// outside the lock (cancellation handlers run inside it and may resume
    /// this very worker on this thread); meanwhile `cancelsUnderWay` keeps
    /// the worker from taking another call.
    func cancel(running call: ServerCall) {
        let task = state.withLock { state -> Task<Void, Never>? in
            guard state.current === call else { return nil }
            guard let task = state.task else {
                state.cancelledEarly = true
                return nil
            }
            state.cancelsUnderWay += 1
            return task
        }
        guard let task else { return }
        task.cancel()
        state.withLock { $0.cancelsUnderWay -= 1 }
    }
}
