import CanopyTesting
@testable import Core
import Foundation
import PostgresNIO
import Synchronization
import Testing

/// Invariant 4: no reader ever skips a committed event, whichever process wrote it.
@Suite struct NoSkipTests {
    static let environment = ProcessInfo.processInfo.environment
    /// Committed events per round (CANOPY_NO_SKIP_EVENTS, default 50,000).
    static let target = environment["CANOPY_NO_SKIP_EVENTS"].flatMap(Int.init) ?? 50_000
    /// Rounds in a row (CANOPY_NO_SKIP_ROUNDS, default 1; run with 10 before calling a change to the log done).
    static let rounds = environment["CANOPY_NO_SKIP_ROUNDS"].flatMap(Int.init) ?? 1
    static let writers = 8

    struct WriterReport: Sendable {
        var committed: [UUID] = []
        var rolledBack: [UUID] = []
        /// Of `committed`, those of `keptType` (the even writers write it, the odd ones another type).
        var committedKept: [UUID] = []
    }

    /// What the reader of some types asks for (the identity view reads the log this way).
    static let keptType = "shared.touched"

    @Test func aTailingReaderSeesEveryCommittedEventExactlyOnceInLogOrder() async throws {
        for round in 1...Self.rounds {
            try await withEventStore { store, database in
                let seen = Collected()
                let kept = Collected()
                let committedSoFar = Counter()
                let reports = try await withThrowingTaskGroup(of: WriterReport?.self) { group in
                    group.addTask {
                        for try await event in store.tail(after: 0, pageSize: 300) {
                            seen.append(event)
                        }
                        return nil
                    }
                    group.addTask {
                        // Reads only `keptType` and moves past the rest by the head of the same snapshot.
                        var position: Int64 = 0
                        while !Task.isCancelled {
                            let (page, through) = try await store.read(types: [Self.keptType], after: position, limit: 300)
                            for event in page { kept.append(event) }
                            position = page.count < 300 ? through : page[page.count - 1].position
                            if page.count < 300 { try await Task.sleep(for: .milliseconds(5)) }
                        }
                        return nil
                    }
                    for writer in 0..<Self.writers {
                        group.addTask { try await Self.write(writer: writer, database: database, committedSoFar: committedSoFar) }
                    }
                    var reports: [WriterReport] = []
                    while reports.count < Self.writers {
                        if let report = try await group.next() ?? nil { reports.append(report) }
                    }
                    // Every writer has committed: give the reader a bounded time to reach the end, then stop it.
                    let expected = reports.reduce(0) { $0 + $1.committed.count }
                    let deadline = ContinuousClock.now + .seconds(60)
                    let expectedKept = reports.reduce(0) { $0 + $1.committedKept.count }
                    while seen.count < expected || kept.count < expectedKept, ContinuousClock.now < deadline {
                        try await Task.sleep(for: .milliseconds(20))
                    }
                    try await Task.sleep(for: .milliseconds(200))  // time enough to show a duplicate, were there one
                    group.cancelAll()
                    return reports
                }

                let events = seen.events
                let committed = reports.flatMap(\.committed)
                let rolledBack = Set(reports.flatMap(\.rolledBack))
                #expect(committed.count >= Self.target, "round \(round)")
                #expect(!rolledBack.isEmpty, "round \(round): some transactions must have rolled back")
                #expect(events.count == committed.count, "round \(round): seen \(events.count) of \(committed.count)")
                // Gapless and in order: the n-th event seen is at position n.
                let firstOutOfPlace = events.enumerated().first { $0.offset + 1 != Int($0.element.position) }
                #expect(firstOutOfPlace == nil, "round \(round): first out of place \(String(describing: firstOutOfPlace.map { ($0.offset, $0.element.position) }))")
                #expect(Set(events.map(\.id)) == Set(committed), "round \(round): the reader saw exactly the committed events")
                #expect(events.allSatisfy { !rolledBack.contains($0.id) })
                // The reader of one type saw exactly its committed events, once each, in log order.
                let keptEvents = kept.events
                #expect(keptEvents.map(\.id) == events.filter { $0.type == Self.keptType }.map(\.id), "round \(round): the reader of one type")
                #expect(Set(keptEvents.map(\.id)) == Set(reports.flatMap(\.committedKept)))
                // And that order is the log's own.
                #expect(try await database.count("events") == committed.count)
                let last = try await store.readAll(after: Int64(committed.count - 1))
                #expect(last.map(\.id) == [events.last?.id].compactMap { $0 })
            }
        }
    }

    /// One writer on its own connection, bypassing group commit, as a separate gateway process would be.
    /// Transactions of random size with random pauses, some rolled back, appends to fresh and shared streams.
    static func write(writer: Int, database: TestDatabase, committedSoFar: Counter) async throws -> WriterReport {
        try await database.withRawConnection { connection in
            var random = SystemRandomNumberGenerator()
            let account = UUID(uuidString: "0190f0c2-6d1e-7a3b-9c4d-00000000000\(writer % 8)")!
            let shared = (0..<4).map { try! StreamName(category: "shared", id: UUID(uuidString: "0190f0c2-6d1e-7a3b-9c4d-5e6f7a8b9c0\(writer % 8)")!.offset($0)) }
            var report = WriterReport()
            while committedSoFar.value < target {
                let appends = (0..<Int.random(in: 1...4, using: &random)).map { _ in
                    AppendRequest(
                        stream: Bool.random(using: &random) ? shared.randomElement(using: &random)! : newStream(),
                        accountID: account,
                        events: (0..<Int.random(in: 1...6, using: &random)).map { _ in
                            event(writer % 2 == 0 ? keptType : "other.touched", #"{"writer":\#(writer)}"#)
                        }
                    )
                }
                try await connection.query("BEGIN", logger: TestServers.logger)
                if Int.random(in: 0..<4, using: &random) == 0 { try await Task.sleep(for: .microseconds(Int.random(in: 50...1_500, using: &random))) }
                let results = try await AppendStatement.run(appends, on: connection, logger: TestServers.logger)
                guard results.allSatisfy({ (try? $0.get()) != nil }) else {
                    Issue.record("an append with expected version any was refused: \(results)")
                    try await connection.query("ROLLBACK", logger: TestServers.logger)
                    continue
                }
                // Pausing here holds the log head: other writers and the reader must cope with it.
                if Int.random(in: 0..<5, using: &random) == 0 { try await Task.sleep(for: .microseconds(Int.random(in: 50...2_000, using: &random))) }
                let ids = appends.flatMap { $0.events.map(\.id) }
                if Int.random(in: 0..<10, using: &random) == 0 {
                    try await connection.query("ROLLBACK", logger: TestServers.logger)
                    report.rolledBack += ids
                } else {
                    try await connection.query("COMMIT", logger: TestServers.logger)
                    report.committed += ids
                    if writer % 2 == 0 { report.committedKept += ids }
                    committedSoFar.add(ids.count)
                }
            }
            return report
        }
    }
}

extension UUID {
    /// The same UUID with its last byte moved on by `offset`: a few fixed stream ids per writer.
    func offset(_ offset: Int) -> UUID {
        var bytes = uuid
        bytes.15 = bytes.15 &+ UInt8(offset * 16)
        return UUID(uuid: bytes)
    }
}

/// Events committed by all writers so far, so that each knows when the round's target is reached.
final class Counter: Sendable {
    private let count = Atomic<Int>(0)
    var value: Int { count.load(ordering: .relaxed) }
    func add(_ amount: Int) { count.add(amount, ordering: .relaxed) }
}

/// What the tailing reader has seen, shared with the test that checks it.
final class Collected: Sendable {
    private let seen = Mutex<[RecordedEvent]>([])
    var events: [RecordedEvent] { seen.withLock { $0 } }
    var count: Int { seen.withLock { $0.count } }
    func append(_ event: RecordedEvent) { seen.withLock { $0.append(event) } }
}
