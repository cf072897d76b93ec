import Foundation
import Logging
import NIOCore
import NIOPosix
import PostgresNIO
import Synchronization

/// Runs concurrent appends through `append_events` in shared batches, each append keeping its own version
/// check and outcome. The batching decisions are `GroupCommitStateMachine`'s; this type only does the I/O.
///
/// Several appends made together (one command writing several streams) are one unit: all or none of them
/// is written, in a transaction and a batch of their own.
///
/// A batch runs in a lane: the task of the append that found a free slot runs that batch itself (no hand-off
/// to another task, which a lone writer would pay for on every append), and a lane of the service's own
/// keeps running the batches the state machine gives it next. A caller's lane hands those on instead, so
/// no caller waits for other callers' work.
final class GroupCommitter: Sendable {
    private typealias Machine = GroupCommitStateMachine<Int>

    private struct Waiter {
        /// One append, or the appends of a unit written all or none.
        var requests: [AppendRequest]
        var whenAppended: (@Sendable ([AppendResult]) -> Void)?
        var continuation: CheckedContinuation<[AppendResult], any Error>?
        /// The event loop the caller appended from, if it runs on one (Swift concurrency on NIO's loops):
        /// it resumes there, beside its connection, rather than on the loop the batch's reply came in on,
        /// which would otherwise carry every caller of every batch.
        var home: (any EventLoop)?
    }

    private struct State {
        var machine: Machine
        var waiters: [Int: Waiter] = [:]
        /// Results that arrived before their caller started waiting.
        var results: [Int: Result<[AppendResult], any Error>] = [:]
        var nextID = 0
        /// Batches numbered as they leave, those not finished yet, and who waits for them.
        var batchesStarted = 0
        var unfinished: Set<Int> = []
        var flightWaiters: [(id: Int, mark: Int, continuation: CheckedContinuation<Void, Never>)] = []

        /// Waiters none of whose batches is still unfinished.
        mutating func landedFlightWaiters() -> [CheckedContinuation<Void, Never>] {
            let oldest = unfinished.min() ?? .max
            let landed = flightWaiters.filter { $0.mark < oldest }.map(\.continuation)
            flightWaiters.removeAll { $0.mark < oldest }
            return landed
        }
    }

    private let client: PostgresClient
    private let logger: Logger
    private let state: Mutex<State>
    private let batches: AsyncStream<[Int]>
    private let batchSink: AsyncStream<[Int]>.Continuation
    /// Called with the last position of every batch that appended, before its callers resume.
    private let onAppended: @Sendable (Int64) -> Void
    private let metrics = AppendMetrics()

    init(client: PostgresClient, maxInFlight: Int, maxBatchEvents: Int, logger: Logger, onAppended: @escaping @Sendable (Int64) -> Void) {
        self.client = client
        self.logger = logger
        self.onAppended = onAppended
        self.state = Mutex(State(machine: Machine(maxInFlight: maxInFlight, maxBatchEvents: maxBatchEvents)))
        (self.batches, self.batchSink) = AsyncStream.makeStream(of: [Int].self)
    }

    /// Runs handed-on batches until `shutdown()` was called and everything queued has been written.
    func run() async {
        await withDiscardingTaskGroup { group in
            for await batch in batches {
                group.addTask { await self.runLane(startingWith: batch, handsOn: false) }
            }
        }
        // Cancelled rather than shut down: whoever still waits learns that nothing was appended.
        let stranded = state.withLock { state in
            _ = state.machine.shutdown()
            defer { state.waiters.removeAll() }
            return Array(state.waiters.values)
        }
        for waiter in stranded {
            waiter.continuation?.resume(throwing: EventLogError(.shuttingDown, "the event log stopped; nothing was appended"))
        }
    }

    func shutdown() {
        if state.withLock({ $0.machine.shutdown() }) == .shutdownComplete { batchSink.finish() }
    }

    /// `whenAppended` runs once the append is committed, in log order among this committer's appends and
    /// before the watermark moves past it, so a reader of this process's state that folds it there never
    /// has to read it back from the log.
    func append(_ request: AppendRequest, whenAppended: (@Sendable (AppendResult) -> Void)? = nil) async throws -> AppendResult {
        var each: (@Sendable ([AppendResult]) -> Void)?
        if let whenAppended { each = { results in whenAppended(results[0]) } }
        return try await commit([request], whenAppended: each)[0]
    }

    /// Appends all of `requests` or none: the first refusal among them is thrown and nothing is written.
    /// They take no idempotency keys (the caller checks).
    func appendAll(_ requests: [AppendRequest], whenAppended: (@Sendable ([AppendResult]) -> Void)? = nil) async throws -> [AppendResult] {
        try await commit(requests, whenAppended: whenAppended)
    }

    private func commit(_ requests: [AppendRequest], whenAppended: (@Sendable ([AppendResult]) -> Void)?) async throws -> [AppendResult] {
        let (id, action) = state.withLock { state in
            state.nextID += 1
            let id = state.nextID
            let scope = requests.count == 1 ? requests[0].idempotencyKey.map { "\(requests[0].accountID)/\($0)" } : nil
            let action = state.machine.enqueue(.init(
                id: id, eventCount: requests.reduce(0) { $0 + $1.events.count }, idempotencyScope: scope, leavesAlone: requests.count > 1
            ))
            if action != .reject {
                state.waiters[id] = Waiter(requests: requests, whenAppended: whenAppended, home: MultiThreadedEventLoopGroup.currentEventLoop)
            }
            return (id, action)
        }
        switch action {
        case .reject: throw EventLogError(.shuttingDown, "the event log is shutting down; nothing was appended")
        case .flush(let batch): await runLane(startingWith: batch, handsOn: true)
        case .none, .shutdownComplete: break
        }
        return try await result(for: id)
    }

    /// Returns once every batch that has left by now has finished: its appenders' `whenAppended` have run and
    /// the watermark has moved past it, or once the task is cancelled. A reader woken by the log's NOTIFY
    /// waits here before reading, since the notification is often about a batch of this process whose reply
    /// has not been handled yet.
    func waitForBatchesInFlight() async {
        let id = state.withLock { state in
            state.nextID += 1
            return state.nextID
        }
        await parkUntilResumed { continuation in
            state.withLock { state in
                guard !state.unfinished.isEmpty else { return false }
                state.flightWaiters.append((id, state.batchesStarted, continuation))
                return true
            }
        } withdraw: {
            state.withLock { state in
                state.flightWaiters.firstIndex { $0.id == id }.map { state.flightWaiters.remove(at: $0).continuation }
            }
        }
    }

    private func result(for id: Int) async throws -> [AppendResult] {
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<[AppendResult], any Error>) in
                let ready = state.withLock { state -> Result<[AppendResult], any Error>? in
                    if let result = state.results.removeValue(forKey: id) { return result }
                    state.waiters[id]?.continuation = continuation
                    return nil
                }
                if let ready { continuation.resume(with: ready) }
            }
        } onCancel: {
            // Only an append that has not left yet can be withdrawn; one in flight finishes and answers.
            let continuation = state.withLock { state -> CheckedContinuation<[AppendResult], any Error>? in
                guard state.machine.cancel(id), let waiter = state.waiters.removeValue(forKey: id) else { return nil }
                if waiter.continuation == nil { state.results[id] = .failure(CancellationError()) }
                return waiter.continuation
            }
            continuation?.resume(throwing: CancellationError())
        }
    }

    private func runLane(startingWith first: [Int], handsOn: Bool) async {
        var next: [Int]? = first
        while let batch = next {
            next = nil
            let (waiting, number) = state.withLock { state in
                state.batchesStarted += 1
                state.unfinished.insert(state.batchesStarted)
                return (batch.compactMap { id in state.waiters[id].map { (id, $0) } }, state.batchesStarted)
            }
            let units = waiting.map(\.1.requests)
            let started = ContinuousClock.now
            let results = await write(units)
            metrics.batch(units, took: .now - started, results: results)
            for ((_, waiter), result) in zip(waiting, results) {
                if let whenAppended = waiter.whenAppended, case .success(let appended) = result, !appended.contains(where: \.isReplay) {
                    whenAppended(appended)
                }
            }
            if let last = results.compactMap({ try? $0.get().last?.lastPosition }).max() { onAppended(last) }
            let landed = state.withLock { state in
                state.unfinished.remove(number)
                return state.landedFlightWaiters()
            }
            for continuation in landed { continuation.resume() }
            deliver(zip(waiting.map(\.0), results))
            // Let the callers just answered run before the next batch is cut: under load they append again at
            // once, and they should leave together rather than trickle into tiny batches.
            await Task.yield()
            let action = state.withLock { $0.machine.batchFinished() }
            switch action {
            case .flush(let following) where handsOn: batchSink.yield(following)
            case .flush(let following): next = following
            case .shutdownComplete: batchSink.finish()
            case .none, .reject: break
            }
        }
    }

    private func deliver(_ results: some Sequence<(Int, Result<[AppendResult], EventLogError>)>) {
        let ready = state.withLock { state in
            results.compactMap { id, result -> (Waiter, CheckedContinuation<[AppendResult], any Error>, Result<[AppendResult], any Error>)? in
                let outcome = result.mapError { $0 as any Error }
                guard let waiter = state.waiters.removeValue(forKey: id), let continuation = waiter.continuation else {
                    state.results[id] = outcome
                    return nil
                }
                return (waiter, continuation, outcome)
            }
        }
        // Callers from other loops are resumed there, all of one loop's in one task: a task handed to another
        // thread's loop wakes it with a system call, which once per loop a batch is enough.
        let here = MultiThreadedEventLoopGroup.currentEventLoop
        var elsewhere: [ObjectIdentifier: (loop: any EventLoop, resumes: [(CheckedContinuation<[AppendResult], any Error>, Result<[AppendResult], any Error>)])] = [:]
        for (waiter, continuation, result) in ready {
            if let home = waiter.home, home !== here {
                elsewhere[ObjectIdentifier(home), default: (home, [])].resumes.append((continuation, result))
            } else {
                continuation.resume(with: result)
            }
        }
        for (loop, resumes) in elsewhere.values {
            loop.execute { for (continuation, result) in resumes { continuation.resume(with: result) } }
        }
    }

    /// A batch of single appends, or one unit of several written all or none.
    private func write(_ units: [[AppendRequest]]) async -> [Result<[AppendResult], EventLogError>] {
        if units.count == 1, units[0].count > 1 { return [await writeAll(units[0])] }
        return await write(units.map { unit in
            precondition(unit.count == 1, "a unit of several appends leaves alone")
            return unit[0]
        }).map { $0.map { [$0] } }
    }

    /// All of `requests` in a transaction of their own: the first refusal rolls the others back.
    private func writeAll(_ requests: [AppendRequest]) async -> Result<[AppendResult], EventLogError> {
        do {
            return .success(try await committed(requests, allOrNone: true).map { try $0.get() })
        } catch let refusal as EventLogError {
            return .failure(refusal)
        } catch let refused as StatementRefused {
            return .failure(Self.refusal(refused.error, stream: requests[0].stream.rawValue))
        } catch {
            logger.error("append of several streams failed in flight", metadata: ["error": "\(describe(error))", "appends": "\(requests.count)"])
            return .failure(EventLogError(.outcomeUnknown, "the database failed during the append; it may or may not have been written",
                                          stream: requests[0].stream.rawValue))
        }
    }

    /// One statement for the whole batch: one round trip for the appends, one transaction, one fsync.
    private func write(_ requests: [AppendRequest]) async -> [Result<AppendResult, EventLogError>] {
        guard !requests.isEmpty else { return [] }
        do {
            return try await committed(requests, allOrNone: false)
        } catch let refused as StatementRefused {
            // The server refused the statement, so nothing of the batch was committed. One bad append must not
            // fail its neighbours: when several shared the batch, each goes again alone.
            if requests.count > 1 {
                var results: [Result<AppendResult, EventLogError>] = []
                for request in requests { results += await write([request]) }
                return results
            }
            return [.failure(Self.refusal(refused.error, stream: requests[0].stream.rawValue))]
        } catch {
            logger.error("append batch failed in flight", metadata: ["error": "\(describe(error))", "appends": "\(requests.count)"])
            return requests.map { request in
                .failure(EventLogError(.outcomeUnknown, "the database failed during the append; retry with the same idempotency key",
                                       stream: request.stream.rawValue))
            }
        }
    }

    /// The batch through `append_events_committed`, whose outcomes come back only once its COMMIT has
    /// succeeded (an autocommit statement's rows arrive before its commit, which can still fail after them: a
    /// server shutting down, a deferred check). A refusal (the statement's or the commit's) is
    /// `StatementRefused`: nothing was written. The server going away (class 08, 57, 53) may come after the
    /// commit, so it comes out as it was, and whether anything was written is then unknown.
    private func committed(_ requests: [AppendRequest], allOrNone: Bool) async throws -> [Result<AppendResult, EventLogError>] {
        try await client.withConnection { connection in
            let results: [Result<AppendResult, EventLogError>]
            do {
                results = try await AppendStatement.Committed.run(requests, allOrNone: allOrNone, on: connection, logger: logger)
            } catch let error as PSQLError where error.serverInfo != nil && !isDatabaseUnavailable(error) {
                throw StatementRefused(error: error)
            }
            if allOrNone, case .failure(let refusal)? = results.first(where: { (try? $0.get()) == nil }) { throw refusal }
            return results
        }
    }

    private struct StatementRefused: Error {
        let error: PSQLError
    }

    private static func refusal(_ error: PSQLError, stream: String) -> EventLogError {
        let sqlState = error.serverInfo?[.sqlState]
        let constraint = error.serverInfo?[.constraintName] ?? ""
        if sqlState == "23505", constraint.contains("event_id") {
            return EventLogError(.duplicateEventID, "an event with this id is already in the log", stream: stream)
        }
        return EventLogError(.storageFailure, "the database refused the append (\(sqlState ?? "?")): \(error.serverInfo?[.message] ?? "")",
                             stream: stream)
    }
}
