import CLibPQ
import Foundation
import Glibc
import Logging
import Synchronization

/// One `NOTIFY` received.
public struct PostgresNotification: Sendable, Hashable {
    public var channel: String
    public var payload: String
    /// The server process that sent it.
    public var processID: Int32
}

/// The notifications of some channels, as an async sequence, received on a
/// dedicated connection and thread (LISTEN holds a session: it cannot share a
/// pooled one). The thread sleeps in `poll` on the connection's socket.
///
/// When the connection is lost (server restart) the sequence ends with an
/// `unavailable` error: notifications sent meanwhile are lost, so a consumer
/// re-subscribes and re-reads the state it follows (a change feed by position).
/// Ending the iteration (or `stop()`) closes the connection.
public struct PostgresNotifications: AsyncSequence, Sendable {
    public typealias Element = PostgresNotification
    let stream: AsyncThrowingStream<PostgresNotification, any Error>
    let loop: ListenLoop

    /// Connects, runs `LISTEN` for every channel, and returns once the server
    /// confirmed them: a notification committed after this returns is delivered.
    public static func listen(configuration: PostgresConfiguration, channels: [String],
                              logger: Logger) async throws -> PostgresNotifications {
        let (stream, continuation) = AsyncThrowingStream.makeStream(of: PostgresNotification.self,
                                                                    bufferingPolicy: .bufferingNewest(10_000))   // see docs/postgres.md
        let loop = try ListenLoop(continuation: continuation, logger: logger)
        continuation.onTermination = { _ in loop.stop() }
        try await withUnsafeThrowingContinuation { (ready: UnsafeContinuation<Void, any Error>) in
            let thread = Thread { loop.run(configuration: configuration, channels: channels, ready: ready) }
            thread.name = "pg-\(configuration.label)-listen"
            thread.start()
        }
        return PostgresNotifications(stream: stream, loop: loop)
    }

    public func makeAsyncIterator() -> AsyncThrowingStream<PostgresNotification, any Error>.AsyncIterator {
        stream.makeAsyncIterator()
    }

    /// Ends the sequence and closes the connection.
    public func stop() { loop.stop() }
}

extension PostgresPool {
    /// Listens on `channels` with a dedicated connection of this pool's configuration
    /// (it does not count against `maxConnections`).
    public func listen(_ channels: [String]) async throws -> PostgresNotifications {
        try await PostgresNotifications.listen(configuration: configuration, channels: channels, logger: logger)
    }

    /// Sends a notification (committed with the surrounding autocommit statement).
    public func notify(channel: String, payload: String) async throws {
        try await query("SELECT pg_notify(\(channel), \(payload))")
    }
}

/// The listening thread's loop; `stop` wakes it through a pipe.
final class ListenLoop: Sendable {
    private let continuation: AsyncThrowingStream<PostgresNotification, any Error>.Continuation
    private let wakeRead: Int32
    private let wakeWrite: Int32
    private let stopped = Atomic<Bool>(false)
    private let logger: Logger

    init(continuation: AsyncThrowingStream<PostgresNotification, any Error>.Continuation, logger: Logger) throws {
        var fds: [Int32] = [0, 0]
        guard pipe(&fds) == 0 else { throw PostgresError(code: .systemError, origin: .client, unsafeMessage: "pipe") }
        wakeRead = fds[0]
        wakeWrite = fds[1]
        self.continuation = continuation
        self.logger = logger
    }

    func stop() {
        if !stopped.exchange(true, ordering: .acquiringAndReleasing) {
            var byte: UInt8 = 1
            _ = write(wakeWrite, &byte, 1)
        }
    }

    func run(configuration: PostgresConfiguration, channels: [String], ready: UnsafeContinuation<Void, any Error>) {
        defer {
            close(wakeRead)
            close(wakeWrite)
        }
        let session: LibPQConnection
        do {
            session = try LibPQConnection(configuration: configuration)
            for channel in channels { _ = try session.executeSimple("LISTEN " + quoteIdentifier(channel)) }
        } catch {
            ready.resume(throwing: error)
            continuation.finish(throwing: error)
            return
        }
        ready.resume()
        logger.debug("postgres listening", metadata: ["pg.channels": "\(channels.count)"])
        var descriptors = [pollfd(fd: PQsocket(session.handle), events: Int16(POLLIN), revents: 0),
                           pollfd(fd: wakeRead, events: Int16(POLLIN), revents: 0)]
        while !stopped.load(ordering: .acquiring) {
            descriptors[0].revents = 0
            descriptors[1].revents = 0
            let ready = poll(&descriptors, 2, -1)
            if ready < 0 {
                if errno == EINTR { continue }
                break
            }
            if descriptors[1].revents != 0 { break }
            if descriptors[0].revents != 0 {
                if PQconsumeInput(session.handle) == 0 || session.isBroken {
                    logger.warning("postgres listen connection lost")
                    continuation.finish(throwing: session.error(from: nil))
                    return
                }
                while let notify = PQnotifies(session.handle) {
                    let event = notify.pointee
                    continuation.yield(PostgresNotification(channel: String(cString: event.relname),
                                                            payload: String(cString: event.extra),
                                                            processID: event.be_pid))
                    PQfreemem(notify)
                }
            }
        }
        continuation.finish()
    }
}
