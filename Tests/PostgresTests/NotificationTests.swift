import Postgres
import XCTest

final class NotificationTests: XCTestCase {
    func testNotificationsArriveInOrderAndRolledBackOnesNever() async throws {
        let pool = try TestDatabase.pool()
        let channel = TestDatabase.uniqueName("exit_bans")
        let notifications = try await pool.listen([channel])
        try await pool.notify(channel: channel, payload: "ban 1")
        try? await pool.transaction { tx in
            try await tx.query("SELECT pg_notify(\(channel), 'rolled back')")
            throw CancellationError()
        }
        try await pool.notify(channel: channel, payload: "ban 2")
        try await pool.notify(channel: TestDatabase.uniqueName("other"), payload: "elsewhere")
        try await pool.notify(channel: channel, payload: "ban 3")

        var received: [String] = []
        for try await notification in notifications {
            XCTAssertEqual(notification.channel, channel)
            received.append(notification.payload)
            if received.count == 3 { break }
        }
        XCTAssertEqual(received, ["ban 1", "ban 2", "ban 3"])
        notifications.stop()
        await pool.close()
    }

    func testAStoppedListenerEndsItsSequence() async throws {
        let pool = try TestDatabase.pool()
        let notifications = try await pool.listen([TestDatabase.uniqueName("quiet")])
        let consumer = Task {
            var count = 0
            for try await _ in notifications { count += 1 }
            return count
        }
        try await Task.sleep(for: .milliseconds(100))
        notifications.stop()
        let count = try await consumer.value
        XCTAssertEqual(count, 0)
        await pool.close()
    }
}
