import Synchronization
import CGRPC
import TaskHandOff

/// One `grpc_completion_queue` and the named thread that drains it.
///
/// Threading: the thread waits in `grpc_completion_queue_next` with an
/// infinite deadline, so it never runs on Swift's cooperative pool and never
/// spins. Tags complete on it and must not block. A polling queue's thread
/// also reads the sockets (inside `grpc_completion_queue_next`); a
/// non-polling one only takes the completions posted to it.
/// Ownership: the queue is created here; `shutdown()` asks the core to stop,
/// the thread keeps draining until `GRPC_QUEUE_SHUTDOWN` (every pending tag is
/// delivered and released), then destroys the queue and exits; `join()` waits
/// for that. Nothing may use `pointer` after `shutdown()` returned except the
/// core's own pending operations.
final class CompletionQueue: @unchecked Sendable {
    let pointer: OpaquePointer
    let name: String
    private var thread: pthread_t?
    /// The draining thread's id (`pthread_self`), set when it starts.
    private let drainingThread = Atomic<UInt>(0)
    /// Whether the draining thread is running a job now, and the jobs
    /// enqueued meanwhile. Touched only by the draining thread.
    private var runningJob = false
    private var deferredJobs: [UnownedJob] = []
    /// The caller id (bytes) of the latest server call prepared on the
    /// draining thread, and who it names (`ServerEngine.callerIdentity(id:on:)`).
    /// Touched only by the draining thread.
    var recentCaller: (id: [UInt8], identity: CallerIdentity?)?

    /// Whether the caller runs on this queue's draining thread.
    var isDrainingThread: Bool { UInt(pthread_self()) == drainingThread.load(ordering: .relaxed) }

    init(name: String, polling: Bool = true) {
        GRPCLibrary.ensureInitialised()
        self.name = name
        var attributes = grpc_completion_queue_attributes()
        attributes.version = 1
        attributes.cq_completion_type = GRPC_CQ_NEXT
        attributes.cq_polling_type = polling ? GRPC_CQ_DEFAULT_POLLING : GRPC_CQ_NON_POLLING
        guard let queue = grpc_completion_queue_create(grpc_completion_queue_factory_lookup(&attributes), &attributes, nil) else {
            fatalError("grpc_completion_queue_create returned NULL")
        }
        pointer = queue
    }

    /// Starts the draining thread.
    func start() {
        let context = Unmanaged.passRetained(self).toOpaque()
        var thread = pthread_t()
        let result = pthread_create(&thread, nil, { context in
            let queue = Unmanaged<CompletionQueue>.fromOpaque(context!).takeRetainedValue()
            queue.drain()
            return nil
        }, context)
        precondition(result == 0, "pthread_create failed: \(result)")
        self.thread = thread
    }

    private func drain() {
        setCurrentThreadName(name)
        drainingThread.store(UInt(pthread_self()), ordering: .releasing)
        let forever = gpr_inf_future(GPR_CLOCK_REALTIME)
        while true {
            let event = grpc_completion_queue_next(pointer, forever, nil)
            switch event.type {
            case GRPC_OP_COMPLETE:
                if let tag = event.tag {
                    CompletionTag.complete(pointer: tag, success: event.success != 0)
                }
            case GRPC_QUEUE_SHUTDOWN:
                grpc_completion_queue_destroy(pointer)
                return
            default:
                continue
            }
        }
    }

    /// Asks the core to shut the queue down; the thread drains it and destroys it.
    func shutdown() { grpc_completion_queue_shutdown(pointer) }

    /// Waits until the thread has destroyed the queue and exited.
    func join() {
        if let thread { pthread_join(thread, nil) }
        thread = nil
    }
}

/// Server handlers run on the completion-queue thread that announced their
/// call, as the C++ callback API runs its reactors on the threads draining its queue:
/// the request, the handler and its response batch then cost no hop to
/// another thread. A job enqueued by the draining thread itself runs at once
/// (or, while that thread already runs a job, right after it). A job enqueued
/// from a `HandOffThread` (a database connection's thread that just read the
/// handler's answer) runs there, next, so an answer costs one thread wake-up;
/// one enqueued from any other thread (a timer, another queue) goes to the
/// global concurrent executor. Either way it comes back here only when a
/// completion of this queue resumes it.
extension CompletionQueue: TaskExecutor {
    func enqueue(_ job: consuming ExecutorJob) {
        guard UInt(pthread_self()) == drainingThread.load(ordering: .relaxed) else {
            HandOff.enqueue(job, as: asUnownedTaskExecutor())
            return
        }
        if runningJob {
            deferredJobs.append(UnownedJob(job))
            return
        }
        runningJob = true
        job.runSynchronously(on: asUnownedTaskExecutor())
        // Jobs the first one enqueued (a child task, a resumed awaiter) run
        // next, up to a bound: a task that keeps yielding must not keep this
        // thread from its completion queue, so the rest go to the global executor.
        var ran = 0
        while !deferredJobs.isEmpty {
            let next = deferredJobs.removeFirst()
            ran += 1
            if ran > Self.jobsPerTurn {
                globalConcurrentExecutor.enqueue(ExecutorJob(next))
            } else {
                next.runSynchronously(on: asUnownedTaskExecutor())
            }
        }
        runningJob = false
    }

    /// How many deferred jobs one turn of the draining thread runs itself.
    private static let jobsPerTurn = 64
}

/// Names the current thread (at most 15 bytes on Linux).
func setCurrentThreadName(_ name: String) {
    cgrpc_set_current_thread_name(name)
}

/// Completion queues and their threads (a server's, or the clients' one): #0 polls, the others
/// only take completions, since the core's `epoll1` engine polls with one
/// thread at a time and hands that role over, waking another thread, each
/// time its poller leaves with an event of its own (docs/runtime.md,
/// Threading model, "One polling queue per server").
final class CompletionQueueGroup: Sendable {
    let queues: [CompletionQueue]

    init(name: String, count: Int) {
        queues = (0..<max(1, count)).map { CompletionQueue(name: "cq-\(name)-#\($0)", polling: $0 == 0) }
    }

    func start() { queues.forEach { $0.start() } }

    func shutdownAndJoin() {
        queues.forEach { $0.shutdown() }
        queues.forEach { $0.join() }
    }
}

