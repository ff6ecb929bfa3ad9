import Synchronization
import XCTest
@testable import RecordsService

/// `CoalescedReads` hands the next batch over as soon as the database has
/// answered, before the rows are decoded: the order of those steps, and a
/// decoding that fails after the hand-over.
final class CoalescedReadsHandOverTests: XCTestCase {
    /// A flag tasks wait on (polling: these are unit tests of ordering, not timing).
    private final class Flag: Sendable {
        private let raised = Atomic<Bool>(false)
        var isRaised: Bool { raised.load(ordering: .acquiring) }
        func raise() { raised.store(true, ordering: .releasing) }
        func wait() async {
            while !isRaised { try? await Task.sleep(for: .milliseconds(1)) }
        }
    }

    private struct Poisoned: Error {}

    /// Polls `condition` for up to 10 s (a liveness bound only).
    private func eventually(_ condition: () -> Bool) async throws -> Bool {
        let deadline = ContinuousClock.now + .seconds(10)
        while !condition() && ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(1)) }
        return condition()
    }

    /// Reads 0 alone (held in its single statement until `single` is raised),
    /// then `keys` while it is in flight; returns their tasks once they all wait.
    private func startBatch(_ reads: CoalescedReads<Int, Int>, singleStarted: Flag, single: Flag,
                            _ keys: ClosedRange<Int>) async throws -> (Task<Int, any Error>, [Task<Int, any Error>]) {
        let lone = Task { try await reads.read(0) }
        await singleStarted.wait()
        let later = keys.map { key in Task { try await reads.read(key) } }
        let queued = try await eventually { reads.waitingCount == keys.count }
        XCTAssertTrue(queued)
        single.raise()
        return (lone, later)
    }

    func testTheNextBatchIsSentWhileThePreviousBatchsRowsAreStillBeingDecoded() async throws {
        let firstStatement = Flag(), firstDecoding = Flag(), singleStarted = Flag(), single = Flag()
        // Each batch's keys, and whether the first batch's rows were decoded when it was sent.
        let batches = Mutex<[(keys: [Int], firstDecoded: Bool)]>([])
        let firstDecoded = Flag()
        let reads = CoalescedReads<Int, Int>(
            batch: { keys in
                let isFirst = batches.withLock { batches in
                    batches.append((keys, firstDecoded.isRaised))
                    return batches.count == 1
                }
                if isFirst { await firstStatement.wait() }
                return {
                    if isFirst {
                        await firstDecoding.wait()
                        firstDecoded.raise()
                    }
                    return keys.map { .success($0 * 10) }
                }
            },
            single: { key in
                singleStarted.raise()
                await single.wait()
                return key * 10
            })
        let (lone, first) = try await startBatch(reads, singleStarted: singleStarted, single: single, 1...5)
        let sent = try await eventually { batches.withLock { $0.count } == 1 }
        XCTAssertTrue(sent, "the five that waited go in one statement")
        let second = (6...10).map { key in Task { try await reads.read(key) } }
        let queued = try await eventually { reads.waitingCount == 5 }
        XCTAssertTrue(queued, "keys arriving during a statement wait for the next")
        firstStatement.raise()   // the database answers the first batch; its rows are not decoded yet
        let secondSent = try await eventually { batches.withLock { $0.count } == 2 }
        XCTAssertTrue(secondSent, "the next batch is sent while the first batch's rows wait to be decoded")
        if !secondSent { firstDecoding.raise() }   // failed: let everything end rather than hang
        for (index, task) in second.enumerated() {
            let value = try await task.value
            XCTAssertEqual(value, (index + 6) * 10)
        }
        XCTAssertFalse(firstDecoded.isRaised, "the second batch was answered before the first was decoded")
        firstDecoding.raise()
        let loneValue = try await lone.value
        XCTAssertEqual(loneValue, 0)
        for (index, task) in first.enumerated() {
            let value = try await task.value
            XCTAssertEqual(value, (index + 1) * 10)
        }
        let recorded = batches.withLock { $0 }
        XCTAssertEqual(recorded.map(\.keys.count), [5, 5])
        XCTAssertEqual(recorded.map(\.firstDecoded), [false, false])
        XCTAssertEqual(reads.keysReadTogether, 10)
    }

    func testABatchWhoseRowsCannotBeDecodedAfterTheHandOverIsReadAloneAndOnlyOneNextBatchIsLed() async throws {
        let firstStatement = Flag(), secondStatement = Flag(), singleStarted = Flag(), single = Flag()
        let batches = Mutex<[[Int]]>([])
        let singles = Mutex<[Int]>([])
        let reads = CoalescedReads<Int, Int>(
            batch: { keys in
                let number = batches.withLock { batches in
                    batches.append(keys)
                    return batches.count
                }
                if number == 1 { await firstStatement.wait() }
                if number == 2 { await secondStatement.wait() }
                return {
                    if number == 1 { throw Poisoned() }
                    return keys.map { .success($0 * 10) }
                }
            },
            single: { key in
                singles.withLock { $0.append(key) }
                singleStarted.raise()
                await single.wait()
                return key * 10
            })
        let (lone, first) = try await startBatch(reads, singleStarted: singleStarted, single: single, 1...5)
        _ = try await eventually { batches.withLock { $0.count } == 1 }
        let second = (6...10).map { key in Task { try await reads.read(key) } }
        _ = try await eventually { reads.waitingCount == 5 }
        firstStatement.raise()   // answered, handed over, then its rows fail to decode
        for (index, task) in first.enumerated() {
            let value = try await task.value
            XCTAssertEqual(value, (index + 1) * 10, "read again alone")
        }
        // The second batch is in flight: a newcomer waits for it. A second hand-over
        // by the failed batch would have ended the turn, and the newcomer would be read alone.
        let late = Task { try await reads.read(11) }
        let waits = try await eventually { reads.waitingCount == 1 }
        XCTAssertTrue(waits, "a key arriving while the second batch is in flight waits for the next")
        XCTAssertFalse(singles.withLock { $0 }.contains(11))
        secondStatement.raise()
        for (index, task) in second.enumerated() {
            let value = try await task.value
            XCTAssertEqual(value, (index + 6) * 10)
        }
        let lateValue = try await late.value, loneValue = try await lone.value
        XCTAssertEqual(lateValue, 110)
        XCTAssertEqual(loneValue, 0)
        XCTAssertEqual(Set(singles.withLock { $0 }), Set(0...5).union([11]),
                       "alone: the first caller, the failed batch's keys, and 11 (led alone after the second batch)")
        XCTAssertEqual(batches.withLock { $0 }.map(Set.init), [Set(1...5), Set(6...10)])
    }
}
