import Postgres
import Synchronization

/// One kind of hot read (GetPerson's profile, the eligibility check's facts)
/// answered for many callers by one statement: while a statement is in flight,
/// the keys that arrive wait, and the next statement reads them all (`= ANY` /
/// `unnest … WITH ORDINALITY`). PostgreSQL then starts one executor, one portal
/// and one result for a whole batch instead of one per caller, and the service
/// reads one result (docs/records.md, "Reads in batches").
///
/// Freshness: a key is never added to a statement already sent, so the
/// statement that answers a caller starts after the caller arrived and sees
/// every change committed before (READ COMMITTED takes its snapshot at the
/// statement's start): a ban or a status change committed before a check is
/// weighed by it, exactly as with one statement per call. No answer is kept
/// between statements (the checkpoint table GetPerson holds is checked against
/// the database by each batch: `VerifiedCheckpoints`).
///
/// Failures: a batch answers each key on its own (`Result` per key), so a row
/// that cannot be read fails its own caller only. When the batch statement
/// itself fails, every key is read again alone by the single-key statement, so
/// each caller gets what it would have got alone. A caller alone (nothing in
/// flight) is read at once by the single-key statement: no wait, no batch.
///
/// Overload and cancellation: at most `maxWaiting` calls wait (one more gets
/// UNAVAILABLE at once rather than a place at the end of a long queue), and a
/// waiting call that is cancelled (its RPC ended) leaves the queue at once.
///
/// The callers take turns leading: the first caller of a batch runs the
/// statement (in a task of its own, immune to the leader's cancellation),
/// hands the next batch to its first waiter as soon as the statement has
/// answered, and only then reads the rows into answers for the others: the
/// next statement is in the database while this one's rows are decoded.
final class CoalescedReads<Key: Sendable, Value: Sendable>: Sendable {
    /// Runs one statement for many keys and returns how to read its result:
    /// one answer per key, in order (called after the next batch was handed over).
    typealias Batch = @Sendable ([Key]) async throws -> Decode
    /// Reads a batch statement's result into one answer per key; a throw reads every key alone.
    typealias Decode = @Sendable () async throws -> [Result<Value, any Error>]
    /// Reads one key with the statement of one call.
    typealias Single = @Sendable (Key) async throws -> Value

    private let batch: Batch
    private let single: Single
    /// Keys in one statement, at most.
    let maxBatch: Int
    private let state = Mutex<State>(State())
    /// Keys answered by batch statements so far (tests, metrics).
    var keysReadTogether: Int { together.load(ordering: .relaxed) }
    private let together = Atomic<Int>(0)
    /// Calls waiting for the next statement (tests).
    var waitingCount: Int { state.withLock { $0.waiting.count } }

    /// Calls waiting for the next statement, at most; one more is refused
    /// (UNAVAILABLE: the client backs off) rather than queued behind them.
    let maxWaiting: Int

    private struct State {
        var inFlight = false
        var waiting: [Waiter] = []
    }
    private let waiterIDs = Atomic<UInt64>(0)

    private struct Waiter: Sendable {
        let id: UInt64
        let key: Key
        let continuation: UnsafeContinuation<Turn, Never>
    }

    private enum Turn: Sendable {
        case answered(Result<Value, any Error>)
        /// Lead a batch of this caller's key and the others'.
        case lead(others: [Waiter])
    }

    init(maxBatch: Int = 128, maxWaiting: Int = 2048, batch: @escaping Batch, single: @escaping Single) {
        precondition(maxBatch > 1 && maxWaiting >= maxBatch)
        self.maxBatch = maxBatch
        self.maxWaiting = maxWaiting
        self.batch = batch
        self.single = single
    }

    func read(_ key: Key) async throws -> Value {
        let id = waiterIDs.add(1, ordering: .relaxed).newValue
        let turn: Turn = await withTaskCancellationHandler {
            await withUnsafeContinuation { continuation in
                let now: Turn? = state.withLock { state in
                    if !state.inFlight {
                        state.inFlight = true
                        return .lead(others: [])
                    }
                    // Checked under the lock, so a cancellation either finds
                    // the waiter queued or is seen here.
                    if Task.isCancelled { return .answered(.failure(CancellationError())) }
                    if state.waiting.count >= maxWaiting { return .answered(.failure(StoreError.overloaded)) }
                    state.waiting.append(Waiter(id: id, key: key, continuation: continuation))
                    return nil
                }
                if let now { continuation.resume(returning: now) }
            }
        } onCancel: {
            // A caller whose call ended leaves the queue (its key is not read).
            let removed = state.withLock { state -> Waiter? in
                guard let index = state.waiting.firstIndex(where: { $0.id == id }) else { return nil }
                return state.waiting.remove(at: index)
            }
            removed?.continuation.resume(returning: .answered(.failure(CancellationError())))
        }
        switch turn {
        case .answered(let result):
            return try result.get()
        case .lead(let others):
            let keys = [key] + others.map(\.key)
            // A batch answers other callers too: it runs in a task of its own,
            // so that this caller's cancellation (its RPC ended) cannot cancel
            // the statement, or the single reads after a failed one, of theirs.
            // `answers` hands the turn over as soon as the database has answered.
            let results = others.isEmpty ? await answers(keys) : await Task { await self.answers(keys) }.value
            for (index, waiter) in others.enumerated() {
                waiter.continuation.resume(returning: .answered(results[index + 1]))
            }
            return try results[0].get()
        }
    }

    /// Each key's answer: alone by the single statement, together by the batch,
    /// or each alone again if the batch statement failed. Hands the turn over
    /// once the database has answered (before the rows are decoded).
    private func answers(_ keys: [Key]) async -> [Result<Value, any Error>] {
        if keys.count == 1 {
            let result = await alone(keys[0])
            handOver()
            return [result]
        }
        var handed = false
        do {
            let decode = try await batch(keys)
            handOver()
            handed = true
            let results = try await decode()
            precondition(results.count == keys.count, "a batch answers every key")
            together.add(keys.count, ordering: .relaxed)
            return results
        } catch {
            if !handed { handOver() }
            return await withTaskGroup(of: (Int, Result<Value, any Error>).self) { group in
                for (index, key) in keys.enumerated() {
                    group.addTask { (index, await self.alone(key)) }
                }
                var results = [Result<Value, any Error>?](repeating: nil, count: keys.count)
                for await (index, result) in group { results[index] = result }
                return results.map { $0! }
            }
        }
    }

    private func alone(_ key: Key) async -> Result<Value, any Error> {
        do { return .success(try await single(key)) } catch { return .failure(error) }
    }

    /// Gives the keys that arrived during the statement to the first of their
    /// callers, who runs the next one; or ends the turn when none did.
    private func handOver() {
        let next: (leader: Waiter, others: [Waiter])? = state.withLock { state in
            guard !state.waiting.isEmpty else {
                state.inFlight = false
                return nil
            }
            let count = min(state.waiting.count, maxBatch)
            let group = Array(state.waiting[..<count])
            state.waiting.removeFirst(count)
            return (group[0], Array(group.dropFirst()))
        }
        if let next { next.leader.continuation.resume(returning: .lead(others: next.others)) }
    }
}

/// The position in its batch of a row of a batched read: the first column,
/// `ordinal` (from 1, `unnest … WITH ORDINALITY`).
enum BatchOrdinal {
    static func position(_ row: PostgresRow, count: Int) throws -> Int {
        let ordinal = try row.decode(Int64.self, column: 0)
        guard ordinal >= 1, ordinal <= count else { throw OutOfPlace(ordinal: ordinal) }
        return Int(ordinal) - 1
    }

    /// A row whose ordinal names no key of its batch.
    struct OutOfPlace: Error {
        let ordinal: Int64
    }
}
