@testable import Postgres
import Synchronization
import TaskHandOff
import XCTest

final class HandOffTests: XCTestCase {
    /// A task that runs as a gRPC handler does (`HandOffExecutor`) and sends a lone
    /// statement is carried on by the connection's thread that read the answer, so the
    /// statement costs one thread wake-up, the answer's. (Most statements, not
    /// necessarily all: a caller preempted between sending and suspending for longer
    /// than the round trip is answered where it was.)
    func testATaskRunningAsAHandlerCarriesOnOnTheThreadThatReadItsAnswer() async throws {
        let pool = try TestDatabase.pool(maxConnections: 1)
        let carried = try await Task(executorPreference: HandOffExecutor.shared) {
            var carried: [Bool] = []
            for value in 1...10 {
                let answer = try await pool.query("SELECT \(Int32(value))::int4").scalar(Int32.self)
                XCTAssertEqual(answer, Int32(value))
                let thread = pool.state.withLock { $0.idle.first?.thread }
                carried.append(thread != nil && HandOff.currentThread === thread)
            }
            return carried
        }.value
        XCTAssertGreaterThanOrEqual(carried.filter { $0 }.count, 7, "\(carried)")
        await pool.close()
    }

    /// A task on Swift's global executor keeps running there: the connection's thread
    /// runs only what the task's executor hands it.
    func testATaskOnTheGlobalExecutorIsNotCarriedOnByTheConnectionsThread() async throws {
        let pool = try TestDatabase.pool(maxConnections: 1)
        let carried = try await Task.detached {
            _ = try await pool.query("SELECT 1::int4")
            _ = try await pool.query("SELECT 2::int4")
            return HandOff.currentThread != nil
        }.value
        XCTAssertFalse(carried)
        await pool.close()
    }

    /// A task carried on a connection's thread that keeps yielding is moved off it
    /// after a bounded number of turns: the thread goes back to the answers it polls
    /// for (here another task's statement on the same connection).
    func testATaskCarriedOnAConnectionThreadThatKeepsYieldingDoesNotStarveItsAnswers() async throws {
        let pool = try TestDatabase.pool(maxConnections: 1)
        let answered = Atomic<Bool>(false)
        let spinner = Task(executorPreference: HandOffExecutor.shared) {
            _ = try await pool.query("SELECT \(Int32(1))::int4")
            let until = ContinuousClock.now + .seconds(10)
            while !answered.load(ordering: .acquiring) && ContinuousClock.now < until {
                await Task.yield()
            }
            return answered.load(ordering: .acquiring)
        }
        // The spinner holds no connection: this statement borrows the same one, is
        // prepared there already (the same text), so it is sent by this task and its
        // answer is read by the connection's thread when it polls the socket.
        try await Task.sleep(for: .milliseconds(20))
        let value = try await pool.query("SELECT \(Int32(2))::int4").scalar(Int32.self)
        answered.store(true, ordering: .releasing)
        XCTAssertEqual(value, 2)
        let stoppedByTheAnswer = try await spinner.value
        XCTAssertTrue(stoppedByTheAnswer, "the answer came while the spinner still yielded")
        await pool.close()
    }

    /// A task resumed by a connection's thread that is ending (the pool closes) is run
    /// elsewhere, not dropped with the thread.
    func testATaskResumedByAnEndingConnectionThreadCarriesOnElsewhere() async throws {
        let pool = try TestDatabase.pool(maxConnections: 2)
        let after = try await Task(executorPreference: HandOffExecutor.shared) {
            _ = try await pool.query("SELECT 1::int4")
            await pool.close()
            return HandOff.currentThread == nil
        }.value
        XCTAssertTrue(after, "close() returned on a live thread, not on the ended connection's")
    }
}
