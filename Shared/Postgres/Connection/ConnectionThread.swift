import Foundation
import Synchronization

/// A thread of the library's own that runs blocking libpq calls, one job at a time.
///
/// Swift's cooperative pool has as many threads as cores (two here); a blocking
/// `PQexec` on it would stall every task of the process. Each connection owns one
/// of these threads, named `pg-<label>-#<n>` for debuggers and `top -H`.
final class ConnectionThread: @unchecked Sendable {
    // `jobs` and `stopping` are guarded by `condition`.
    private let condition = NSCondition()
    private var jobs: [@Sendable () -> Void] = []
    private var stopping = false

    /// The running thread's id (`pthread_self`), 0 until it runs.
    private let owner = Atomic<UInt>(0)

    init(name: String) {
        let thread = Thread { [self] in run() }
        thread.name = name
        thread.stackSize = 512 * 1024
        thread.start()
    }

    /// Whether the caller runs on this thread (a task that prefers this executor).
    var isCurrent: Bool {
        #if canImport(Glibc)
        return owner.load(ordering: .relaxed) == UInt(pthread_self())
        #else
        return false
        #endif
    }

    /// Queues `job`; jobs run in submission order. Returns false (and drops the
    /// job) once `stop` was called.
    @discardableResult
    func submit(_ job: @escaping @Sendable () -> Void) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        guard !stopping else { return false }
        jobs.append(job)
        condition.signal()
        return true
    }

    /// Runs the queued jobs, then ends the thread.
    func stop() {
        condition.lock()
        stopping = true
        condition.signal()
        condition.unlock()
    }

    private func run() {
        #if canImport(Glibc)
        owner.store(UInt(pthread_self()), ordering: .relaxed)
        #endif
        var batch: [@Sendable () -> Void] = []
        while true {
            awaitNextJobBriefly()
            condition.lock()
            while jobs.isEmpty && !stopping { condition.wait() }
            if jobs.isEmpty && stopping {
                condition.unlock()
                return
            }
            swap(&batch, &jobs)
            condition.unlock()
            for job in batch { job() }
            batch.removeAll(keepingCapacity: true)
        }
    }

    /// A task that just got its answer usually sends the next statement within
    /// microseconds: look for it (yielding the core) for up to `idleSpin` before
    /// sleeping on the condition, which saves a thread wake-up per statement.
    private func awaitNextJobBriefly() {
        let deadline = ContinuousClock.now + ConnectionThread.idleSpin
        while ContinuousClock.now < deadline {
            condition.lock()
            let ready = !jobs.isEmpty || stopping
            condition.unlock()
            if ready { return }
            sched_yield()
        }
    }

    static let idleSpin: Duration = .microseconds(50)

    /// Runs `body` on the thread and returns its result to the awaiting task.
    func run<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withUnsafeThrowingContinuation { continuation in
            let accepted = submit {
                do {
                    continuation.resume(returning: try body())
                } catch {
                    continuation.resume(throwing: error)
                }
            }
            if !accepted { continuation.resume(throwing: PostgresError.connectionLost("connection closed")) }
        }
    }
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
