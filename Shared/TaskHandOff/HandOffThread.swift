#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A thread of the suite's own that sleeps on sockets and can also run a task's
/// next job: a database connection's thread, which the server's answer wakes.
///
/// Why it exists: a task that awaits such a thread's work (a handler waiting for its
/// statement's answer) is resumed *on* that thread. Sending the task back to its own
/// executor would wake a second thread (a thread of Swift's pool, or of a completion
/// queue) for every answer; the thread that is already awake can carry the task on
/// instead. The executors that want this (a completion queue's handlers,
/// `HandOffExecutor`) ask `HandOff.currentThread` when a job of theirs is enqueued
/// from a thread that is not theirs.
public protocol HandOffThread: AnyObject, Sendable {
    /// Runs `job` on this thread as soon as its current work is done, as a job of
    /// `executor` (the executor the task prefers, so that the task sees no change of
    /// executor). Called on this thread only. Returns false, and runs nothing, when
    /// the thread is ending: the caller then runs the job elsewhere.
    func runNext(_ job: UnownedJob, as executor: UnownedTaskExecutor) -> Bool
}

/// Where a task resumed on a `HandOffThread` goes next: which thread that is, and
/// the rule every executor of the suite follows for a job enqueued from outside its
/// own threads.
public enum HandOff {
    /// The `HandOffThread` the caller runs on, or nil on any other thread.
    public static var currentThread: (any HandOffThread)? {
        guard let pointer = pthread_getspecific(key) else { return nil }
        return Unmanaged<Registration>.fromOpaque(pointer).takeUnretainedValue().thread
    }

    /// Marks the calling thread as `thread` for the rest of its life (call it first
    /// thing on the thread). The registration is released when the thread exits.
    public static func register(currentThread thread: any HandOffThread) {
        let registration = Unmanaged.passRetained(Registration(thread)).toOpaque()
        if let previous = pthread_getspecific(key) {
            Unmanaged<Registration>.fromOpaque(previous).release()
        }
        precondition(pthread_setspecific(key, registration) == 0, "pthread_setspecific failed")
    }

    /// Runs `job` of `executor` on the current `HandOffThread` when there is one and it
    /// is not ending, else on Swift's global concurrent executor.
    public static func enqueue(_ job: consuming ExecutorJob, as executor: UnownedTaskExecutor) {
        let unowned = UnownedJob(job)
        if let thread = currentThread, thread.runNext(unowned, as: executor) { return }
        globalConcurrentExecutor.enqueue(ExecutorJob(unowned))
    }

    private final class Registration {
        let thread: any HandOffThread
        init(_ thread: any HandOffThread) { self.thread = thread }
    }

    /// The thread-specific slot; its destructor releases a thread's registration at exit.
    private static let key: pthread_key_t = {
        var key = pthread_key_t()
        let created = pthread_key_create(&key) { pointer in
            guard let pointer else { return }
            Unmanaged<Registration>.fromOpaque(pointer).release()
        }
        precondition(created == 0, "pthread_key_create failed: \(created)")
        return key
    }()
}

/// A task executor for tasks that are not a server's handlers (background work,
/// benchmark drivers) but should follow the handlers' rule: a job enqueued on a
/// `HandOffThread` (the task was resumed by a database connection's answer) runs
/// there, next; any other runs on Swift's global concurrent executor.
///
/// `Task(executorPreference: HandOffExecutor.shared) { … }` gives a task the same
/// thread hops as a handler of the gRPC runtime, whose completion queues apply
/// `HandOff.enqueue` to jobs enqueued from other threads.
public final class HandOffExecutor: TaskExecutor {
    public static let shared = HandOffExecutor()

    private init() {}

    public func enqueue(_ job: consuming ExecutorJob) {
        HandOff.enqueue(job, as: asUnownedTaskExecutor())
    }
}
