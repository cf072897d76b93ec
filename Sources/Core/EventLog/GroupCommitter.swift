import Foundation
import Logging
import PostgresNIO
import Synchronization

/// Runs concurrent appends through `append_events` in shared batches, each append keeping its own version
/// check and outcome. The batching decisions are `GroupCommitStateMachine`'s; this type only does the I/O.
final class GroupCommitter: Sendable {
    private typealias Machine = GroupCommitStateMachine<Int>

    private struct Waiter {
        var request: AppendRequest
        var continuation: CheckedContinuation<AppendResult, any Error>
    }

    private struct State {
        var machine: Machine
        var waiters: [Int: Waiter] = [:]
        var nextID = 0
    }

    private let client: PostgresClient
    private let logger: Logger
    private let state: Mutex<State>
    private let batches: AsyncStream<[Int]>
    private let batchSink: AsyncStream<[Int]>.Continuation
    /// Called with the last position of every batch that appended, before its callers resume.
    private let onAppended: @Sendable (Int64) -> Void

    init(client: PostgresClient, maxInFlight: Int, maxBatchEvents: Int, logger: Logger, onAppended: @escaping @Sendable (Int64) -> Void) {
        self.client = client
        self.logger = logger
        self.onAppended = onAppended
        self.state = Mutex(State(machine: Machine(maxInFlight: maxInFlight, maxBatchEvents: maxBatchEvents)))
        (self.batches, self.batchSink) = AsyncStream.makeStream(of: [Int].self)
    }

    /// Executes batches until `shutdown()` was called and everything queued has been written.
    func run() async {
        await withDiscardingTaskGroup { group in
            for await batch in batches {
                group.addTask { await self.execute(batch) }
            }
        }
        // Cancelled rather than shut down: whoever still waits learns that nothing was appended.
        let stranded = state.withLock { state in
            _ = state.machine.shutdown()
            defer { state.waiters.removeAll() }
            return Array(state.waiters.values)
        }
        for waiter in stranded {
            waiter.continuation.resume(throwing: EventLogError(.shuttingDown, "the event log stopped; nothing was appended"))
        }
    }

    func shutdown() {
        perform(state.withLock { $0.machine.shutdown() })
    }

    func append(_ request: AppendRequest) async throws -> AppendResult {
        let id = state.withLock { state in
            state.nextID += 1
            return state.nextID
        }
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<AppendResult, any Error>) in
                let action = state.withLock { state -> Machine.Action in
                    let scope = request.idempotencyKey.map { "\(request.accountID)/\($0)" }
                    let action = state.machine.enqueue(.init(id: id, eventCount: request.events.count, idempotencyScope: scope))
                    if action != .reject { state.waiters[id] = Waiter(request: request, continuation: continuation) }
                    return action
                }
                if action == .reject {
                    continuation.resume(throwing: EventLogError(.shuttingDown, "the event log is shutting down; nothing was appended"))
                } else {
                    perform(action)
                }
            }
        } onCancel: {
            // Only an append that has not left yet can be withdrawn; one in flight finishes and answers.
            let waiter = state.withLock { state in state.machine.cancel(id) ? state.waiters.removeValue(forKey: id) : nil }
            waiter?.continuation.resume(throwing: CancellationError())
        }
    }

    private func perform(_ action: Machine.Action) {
        switch action {
        case .flush(let batch): batchSink.yield(batch)
        case .shutdownComplete: batchSink.finish()
        case .none, .reject: break
        }
    }

    private func execute(_ batch: [Int]) async {
        let waiters = state.withLock { state in batch.compactMap { state.waiters.removeValue(forKey: $0) } }
        let results = await write(waiters.map(\.request))
        if let last = results.compactMap({ try? $0.get().lastPosition }).max() { onAppended(last) }
        perform(state.withLock { $0.machine.batchFinished() })
        for (waiter, result) in zip(waiters, results) { waiter.continuation.resume(with: result) }
    }

    /// One statement in autocommit mode: a single round trip, one transaction, one fsync for the batch.
    private func write(_ requests: [AppendRequest]) async -> [Result<AppendResult, EventLogError>] {
        guard !requests.isEmpty else { return [] }
        do {
            let rows = try await client.query(AppendStatement.query(requests), logger: logger)
            return try await AppendStatement.outcomes(of: rows, for: requests)
        } catch let error as PSQLError where error.serverInfo != nil {
            // The server refused the statement, so nothing of the batch was committed. One bad append must not
            // fail its neighbours: when several shared the batch, each goes again alone.
            if requests.count > 1 {
                var results: [Result<AppendResult, EventLogError>] = []
                for request in requests { results += await write([request]) }
                return results
            }
            return [.failure(Self.refusal(error, stream: requests[0].stream.rawValue))]
        } catch {
            logger.error("append batch failed in flight", metadata: ["error": "\(String(reflecting: error))", "appends": "\(requests.count)"])
            return requests.map { request in
                .failure(EventLogError(.outcomeUnknown, "the database failed during the append; retry with the same idempotency key",
                                       stream: request.stream.rawValue))
            }
        }
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
