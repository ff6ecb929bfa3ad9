import Contracts
import XCTest
@testable import ServiceHost

final class HealthStatusBoardTests: XCTestCase {
    func testANewBoardKnowsTheServerAndItsServicesAsNotServing() {
        let board = HealthStatusBoard(services: ["immigration.records.v1.RecordsService"])
        XCTAssertEqual(board.status(of: ""), .notServing)
        XCTAssertEqual(board.status(of: "immigration.records.v1.RecordsService"), .notServing)
        XCTAssertNil(board.status(of: "unknown.Service"))
    }

    func testSetAllChangesEveryRegisteredName() {
        let board = HealthStatusBoard(services: ["a.A", "b.B"])
        board.setAll(.serving)
        XCTAssertEqual([board.status(of: ""), board.status(of: "a.A"), board.status(of: "b.B")],
                       [.serving, .serving, .serving])
    }

    func testAWatchSeesTheCurrentStatusThenEachChange() async {
        let board = HealthStatusBoard(services: ["a.A"])
        var iterator = board.watch("a.A").makeAsyncIterator()
        let first = await iterator.next()
        XCTAssertEqual(first, .notServing)
        board.set(.serving, for: "a.A")
        let second = await iterator.next()
        XCTAssertEqual(second, .serving)
        board.set(.serving, for: "b.B")     // another name: not seen
        board.set(.notServing, for: "a.A")
        let third = await iterator.next()
        XCTAssertEqual(third, .notServing)
    }

    func testAWatchOfAnUnknownNameSaysServiceUnknownThenSeesItRegistered() async {
        let board = HealthStatusBoard()
        var iterator = board.watch("later.Service").makeAsyncIterator()
        let first = await iterator.next()
        XCTAssertEqual(first, .serviceUnknown)
        board.set(.serving, for: "later.Service")
        let second = await iterator.next()
        XCTAssertEqual(second, .serving)
    }

    func testFinishingWatchesEndsThemAndForgetsTheWatchers() async {
        let board = HealthStatusBoard()
        let stream = board.watch("")
        XCTAssertEqual(board.watcherCount, 1)
        board.finishWatches()
        var seen: [HealthStatusBoard.Status] = []
        for await status in stream { seen.append(status) }
        XCTAssertEqual(seen, [.notServing])
        XCTAssertEqual(board.watcherCount, 0)
    }

    func testACancelledWatchIsForgotten() async {
        let board = HealthStatusBoard()
        let task = Task {
            for await _ in board.watch("") {}
        }
        while board.watcherCount == 0 { await Task.yield() }
        task.cancel()
        await task.value
        XCTAssertEqual(board.watcherCount, 0)
    }
}
