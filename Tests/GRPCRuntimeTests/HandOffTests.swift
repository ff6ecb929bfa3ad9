import Foundation
import GRPCRuntime
import Synchronization
import TaskHandOff
import XCTest

/// A thread of the test's own that runs closures in turn, as a database connection's
/// thread does; registered as a `HandOffThread` when `handsOff` is true.
final class AnsweringThread: HandOffThread, @unchecked Sendable {
    private let work = Mutex<[@Sendable () -> Void]>([])
    private let ready = DispatchSemaphore(value: 0)
    private let stopped = Atomic<Bool>(false)
    /// The thread's id (`pthread_self`), set when it starts.
    private let id = Atomic<UInt>(0)
    private let running = DispatchSemaphore(value: 0)

    init(handsOff: Bool) {
        let thread = Thread { [self] in
            id.store(UInt(pthread_self()), ordering: .releasing)
            running.signal()
            if handsOff { HandOff.register(currentThread: self) }
            while !stopped.load(ordering: .acquiring) {
                ready.wait()
                for job in work.withLock({ jobs in defer { jobs.removeAll() }; return jobs }) { job() }
            }
        }
        thread.start()
        running.wait()
    }

    /// Runs `job` on the thread.
    func answer(_ job: @escaping @Sendable () -> Void) {
        work.withLock { $0.append(job) }
        ready.signal()
    }

    func stop() {
        stopped.store(true, ordering: .releasing)
        ready.signal()
    }

    func runNext(_ job: UnownedJob, as executor: UnownedTaskExecutor) -> Bool {
        answer { job.runSynchronously(on: executor) }
        return true
    }

    /// Whether the caller runs on this thread (by the thread's id, so that it is
    /// true there whether the thread is registered or not).
    var isCurrent: Bool { id.load(ordering: .acquiring) == UInt(pthread_self()) }
}

/// A handler that awaits an answer given on an `AnsweringThread` and says where it
/// carried on afterwards.
struct AwaitingService: ServiceProvider {
    static let wait = MethodDescriptor(service: "test.Awaiting", method: "Wait", kind: .unary)
    let answering: AnsweringThread

    var methods: [ServerMethod] {
        [.unary(Self.wait) { [answering] (_: Bytes, _: ServerContext) -> Bytes in
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                answering.answer {
                    // As a database answers: later than the handler's suspension. (An answer
                    // given before it suspends lets the handler go on where it was.)
                    usleep(2_000)
                    continuation.resume()
                }
            }
            return Bytes(answering.isCurrent ? "carried on there" : "elsewhere")
        }]
    }
}

final class HandOffTests: XCTestCase {
    /// A handler resumed by a `HandOffThread` (a database connection's thread that read
    /// its answer) carries on on that thread: no thread of Swift's pool or of the
    /// completion queue is woken for it. (Most, not all: a handler preempted for longer
    /// than the answer's 2 ms before it suspends is answered where it was.)
    func testAHandlerResumedByAHandOffThreadCarriesOnThere() async throws {
        let answering = AnsweringThread(handsOff: true)
        let running = try RunningServer.start(services: [AwaitingService(answering: answering)])
        var carried = 0
        for _ in 0..<20 {
            let reply: Bytes = try await running.channel.unary(AwaitingService.wait, request: Bytes(""),
                                                               options: CallOptions(timeout: .seconds(5)))
            if reply.text == "carried on there" { carried += 1 }
        }
        XCTAssertGreaterThanOrEqual(carried, 15)
        await running.stop()
        answering.stop()
    }

    /// A handler resumed by any other thread goes back to an executor's threads (the
    /// answering thread is never borrowed without its consent).
    func testAHandlerResumedByAnOrdinaryThreadDoesNotCarryOnThere() async throws {
        let answering = AnsweringThread(handsOff: false)
        let running = try RunningServer.start(services: [AwaitingService(answering: answering)])
        for _ in 0..<20 {
            let reply: Bytes = try await running.channel.unary(AwaitingService.wait, request: Bytes(""),
                                                               options: CallOptions(timeout: .seconds(5)))
            XCTAssertEqual(reply.text, "elsewhere")
        }
        await running.stop()
        answering.stop()
    }
}
