import CLibPQ
import Foundation
import Glibc
import Synchronization
import TaskHandOff

/// A thread of the library's own that runs blocking libpq calls, one job at a time.
///
/// Swift's cooperative pool has as many threads as cores (two here); a blocking
/// `PQexec` on it would stall every task of the process. Each connection owns one
/// of these threads, named `pg-<label>-#<n>` for debuggers, `ps -L` and `top -H`
/// (cut to 15 bytes by Linux).
///
/// An idle thread sleeps in `poll(2)` on a wake-up pipe and, once it knows its
/// connection's socket (`watch(socket:)`), on that socket too: a lone statement sent
/// by its caller (`runWhenReadable`) is then answered by the thread the server's reply
/// wakes, with no wake-up of the thread by the caller (the one hand-off left is the
/// caller's resumption on Swift's pool).
///
/// It is also a `HandOffThread`: a task resumed here by an answer (a handler of the
/// gRPC runtime, a task preferring `HandOffExecutor`) carries on here, next, rather
/// than waking a thread of its own executor; so a lone statement costs one thread
/// wake-up, the answer's, as it does for a blocking libpq client. Such a task runs
/// ordinary Swift between its awaits (a handler encodes its response here), which
/// is why the stack is the size of any other thread's.
final class ConnectionThread: @unchecked Sendable {
    private struct State {
        var jobs: [@Sendable () -> Void] = []
        /// A job to run once the socket is readable (the answer of a statement sent by its caller).
        var whenReadable: (@Sendable () -> Void)?
        var stopping = false
        /// The thread sleeps in poll: a new job must write to `wakeUp`.
        var sleeping = false
        /// The thread polls the socket while it sleeps (so a `whenReadable` job needs no wake-up).
        var socketPolled = false
        /// The socket was found readable with nothing waiting for it (the server's goodbye,
        /// a notice, or an answer that came before its `whenReadable` job): not polled
        /// again until the next job has used the session.
        var readableUnclaimed = false
        var socket: Int32 = -1
        /// Runs on the thread after its last job (the session's `PQfinish`).
        var atEnd: (@Sendable () -> Void)?
        /// Jobs of tasks carried on here (`runNext`) since the thread last slept.
        var carriedThisTurn = 0
        /// The thread has run `atEnd` and returned (or is about to).
        var ended = false
        var endWaiters: [UnsafeContinuation<Void, Never>] = []
    }

    private let state = Mutex(State())
    /// The wake-up pipe: the thread polls `wakeUp[0]`; a submitter writes a byte to `wakeUp[1]`.
    private let wakeUp: (read: Int32, write: Int32)

    /// The running thread's id (`pthread_self`), 0 until it runs.
    private let owner = Atomic<UInt>(0)

    init(name: String) {
        var fds: [Int32] = [-1, -1]
        precondition(pipe(&fds) == 0, "pipe failed: \(errno)")
        for fd in fds {
            _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
            _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
        }
        wakeUp = (fds[0], fds[1])
        let thread = Thread { [self] in
            _ = clibpq_name_current_thread(name)
            HandOff.register(currentThread: self)
            run()
        }
        thread.stackSize = 8 << 20
        thread.start()
    }

    deinit {
        close(wakeUp.read)
        close(wakeUp.write)
    }

    /// Whether the caller runs on this thread (a task that prefers this executor).
    var isCurrent: Bool {
        owner.load(ordering: .relaxed) == UInt(pthread_self())
    }

    /// Whether a job of a task carried on here (`runNext`) runs now. Touched only
    /// by this thread.
    private nonisolated(unsafe) var carrying = false

    /// Whether the caller may call libpq inline, blocking this thread: it runs on
    /// this thread as a job of the connection's own (a loan's code), not as a task
    /// carried on here after an answer, whose statements must not hold the thread
    /// (and the other tasks carried on it) for a round trip.
    var mayBlockInline: Bool {
        isCurrent && !carrying
    }

    /// The connection's socket, polled while the thread is idle from now on.
    func watch(socket: Int32) {
        state.withLock { $0.socket = socket }
    }

    /// Whether the socket turned readable while nobody was waiting for an answer
    /// (the pool then looks closer before lending the connection).
    var sawUnclaimedInput: Bool {
        state.withLock { $0.readableUnclaimed || $0.socket < 0 }
    }

    /// Queues `job`; jobs run in submission order. Returns false (and drops the
    /// job) once `stop` was called.
    @discardableResult
    func submit(_ job: @escaping @Sendable () -> Void) -> Bool {
        let wake: Bool? = state.withLock { state in
            guard !state.stopping else { return nil }
            state.jobs.append(job)
            return state.sleeping
        }
        guard let wake else { return false }
        if wake { signal() }
        return true
    }

    /// Runs `job` on the thread once the watched socket is readable (or at once when
    /// no socket is watched). When the idle thread already polls the socket, it is not
    /// woken: the answer wakes it. Returns false (and drops the job) once `stop` was called.
    func submitWhenReadable(_ job: @escaping @Sendable () -> Void) -> Bool {
        let wake: Bool? = state.withLock { state in
            guard !state.stopping else { return nil }
            guard state.socket >= 0 else {
                state.jobs.append(job)
                return state.sleeping
            }
            precondition(state.whenReadable == nil, "one statement at a time per connection")
            state.whenReadable = job
            return state.sleeping && !state.socketPolled
        }
        guard let wake else { return false }
        if wake { signal() }
        return true
    }

    /// Sets what the thread runs after its last job, before it ends (closing the
    /// session there, on the thread that used it, lets `ended()` mean "closed").
    func atEnd(_ body: @escaping @Sendable () -> Void) {
        state.withLock { $0.atEnd = body }
    }

    /// Returns once the thread has run its last job and `atEnd` (after `stop`).
    /// The awaiting task is resumed by the thread: nothing blocks Swift's pool.
    func ended() async {
        await withUnsafeContinuation { (continuation: UnsafeContinuation<Void, Never>) in
            let done = state.withLock { state in
                if state.ended { return true }
                state.endWaiters.append(continuation)
                return false
            }
            if done { continuation.resume() }
        }
    }

    /// Runs the queued jobs, then ends the thread.
    func stop() {
        let wake = state.withLock { state in
            state.stopping = true
            return state.sleeping
        }
        if wake { signal() }
    }

    private func signal() {
        var byte: UInt8 = 1
        _ = write(wakeUp.write, &byte, 1)
    }

    private enum Step {
        case jobs
        case answer(@Sendable () -> Void)
        case sleep(socket: Int32)
        case end
    }

    private func run() {
        owner.store(UInt(pthread_self()), ordering: .relaxed)
        var batch: [@Sendable () -> Void] = []
        var spin = false
        var policy = IdleSpin()
        while true {
            if spin { awaitNextJobBriefly(&policy) }
            let step: Step = state.withLock { state in
                if !state.jobs.isEmpty {
                    swap(&batch, &state.jobs)
                    return .jobs
                }
                if state.stopping {
                    // A statement already sent is still answered before the thread ends.
                    if let job = state.whenReadable {
                        state.whenReadable = nil
                        return .answer(job)
                    }
                    return .end
                }
                state.sleeping = true
                state.carriedThisTurn = 0
                let pollSocket = state.whenReadable != nil || !state.readableUnclaimed
                state.socketPolled = pollSocket && state.socket >= 0
                return .sleep(socket: state.socketPolled ? state.socket : -1)
            }
            switch step {
            case .end:
                end()
                return
            case .jobs:
                for job in batch { job() }
                batch.removeAll(keepingCapacity: true)
                // The jobs used the session: whatever was unread is consumed or theirs.
                state.withLock { $0.readableUnclaimed = false }
                spin = true
            case .answer(let job):
                job()
                spin = false
            case .sleep(let socket):
                let readable = sleep(socket: socket)
                // Taken out through a local, not returned by `withLock`: a closure
                // returned through a generic result costs a reabstraction allocation.
                var answer: (@Sendable () -> Void)?
                state.withLock { state in
                    state.sleeping = false
                    state.socketPolled = false
                    guard readable else { return }
                    if let job = state.whenReadable {
                        state.whenReadable = nil
                        state.readableUnclaimed = false
                        answer = job
                    } else {
                        state.readableUnclaimed = true
                    }
                }
                if let answer { answer() }
                // After an answer the caller's next statement needs no wake-up of this
                // thread (it polls the socket): sleep again at once, no spinning.
                spin = false
            }
        }
    }

    /// The last thing the thread does: `atEnd`, then the awaiting `ended()` callers.
    private func end() {
        let atEnd = state.withLock { state in
            defer { state.atEnd = nil }
            return state.atEnd
        }
        atEnd?()
        let waiters = state.withLock { state in
            state.ended = true
            defer { state.endWaiters.removeAll() }
            return state.endWaiters
        }
        for waiter in waiters { waiter.resume() }
    }

    /// Sleeps in poll on the wake-up fd and `socket` (when >= 0). Returns whether the
    /// socket is readable (or closed).
    private func sleep(socket: Int32) -> Bool {
        withUnsafeTemporaryAllocation(of: pollfd.self, capacity: 2) { descriptors in
            descriptors[0] = pollfd(fd: wakeUp.read, events: Int16(POLLIN), revents: 0)
            descriptors[1] = pollfd(fd: socket, events: Int16(POLLIN), revents: 0)
            guard poll(descriptors.baseAddress, socket >= 0 ? 2 : 1, -1) > 0 else { return false }   // EINTR: look again
            if descriptors[0].revents != 0 {
                var bytes = (UInt64(0), UInt64(0))
                _ = withUnsafeMutableBytes(of: &bytes) { read(wakeUp.read, $0.baseAddress, $0.count) }
            }
            return socket >= 0 && descriptors[1].revents != 0
        }
    }

    /// A task that just got its answer usually sends the next statement within
    /// microseconds: look for it (yielding the core) for up to `idleSpin` before
    /// sleeping, which saves a thread wake-up per statement.
    /// Only while such looks pay (`IdleSpin`).
    private func awaitNextJobBriefly(_ policy: inout IdleSpin) {
        guard policy.shouldSpin() else { return }
        let deadline = ContinuousClock.now + ConnectionThread.idleSpin
        while ContinuousClock.now < deadline {
            if state.withLock({ !$0.jobs.isEmpty || $0.whenReadable != nil || $0.stopping }) {
                policy.spun(found: true)
                return
            }
            sched_yield()
        }
        policy.spun(found: false)
    }

    static let idleSpin: Duration = .microseconds(50)

    /// Runs `body` on the thread and returns its result to the awaiting task.
    func run<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await run((), { _ in try body() })
    }

    /// Runs `body(argument)` on the thread and returns its result to the awaiting task.
    func run<Argument: Sendable, T: Sendable>(
        _ argument: Argument, _ body: @escaping @Sendable (Argument) throws -> T
    ) async throws -> T {
        try await answer(argument, body, submittedBy: submit)
    }

    /// Runs `body(argument)` on the thread once the watched socket is readable (see
    /// `submitWhenReadable`). The argument is passed, not captured by a wrapping
    /// closure: one closure context per statement, not two.
    func runWhenReadable<Argument: Sendable, T: Sendable>(
        _ argument: Argument, _ body: @escaping @Sendable (Argument) throws -> T
    ) async throws -> T {
        try await answer(argument, body, submittedBy: submitWhenReadable)
    }

    /// Hands `body(argument)` to the thread through `submit` and resumes the awaiting
    /// task with its result, or with a lost connection if the thread refused the job.
    private func answer<Argument: Sendable, T: Sendable>(
        _ argument: Argument, _ body: @escaping @Sendable (Argument) throws -> T,
        submittedBy submit: (@escaping @Sendable () -> Void) -> Bool
    ) async throws -> T {
        try await withUnsafeThrowingContinuation { continuation in
            let accepted = submit {
                do {
                    continuation.resume(returning: try body(argument))
                } catch {
                    continuation.resume(throwing: error)
                }
            }
            if !accepted { continuation.resume(throwing: PostgresError.connectionLost("connection closed")) }
        }
    }
}

extension ConnectionThread: HandOffThread {
    /// Takes the job unless the thread is ending or has carried `carriedPerTurn` jobs
    /// since it last slept: a task that keeps yielding (or resumes many others) must
    /// not keep the thread from the answers it polls for, so the rest go to Swift's
    /// global executor (as a completion queue does with its deferred jobs).
    func runNext(_ job: UnownedJob, as executor: UnownedTaskExecutor) -> Bool {
        state.withLock { state in
            guard !state.stopping, state.carriedThisTurn < Self.carriedPerTurn else { return false }
            state.carriedThisTurn += 1
            // Called on this thread, which is awake: no wake-up to write.
            state.jobs.append { [self] in
                carrying = true
                job.runSynchronously(on: executor)
                carrying = false
            }
            return true
        }
    }

    static let carriedPerTurn = 64
}

/// A connection's thread is also a task executor: `PostgresPool.withConnection` runs
/// the borrower's code on it, so the libpq calls of a loan run inline, without a
/// hop per statement (the code is ordinary async Swift; only libpq blocks here).
extension ConnectionThread: TaskExecutor {
    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        let executor = asUnownedTaskExecutor()
        if !submit({ job.runSynchronously(on: executor) }) {
            // The connection is gone but a task still prefers it: run it elsewhere.
            globalConcurrentExecutor.enqueue(ExecutorJob(job))
        }
    }
}
