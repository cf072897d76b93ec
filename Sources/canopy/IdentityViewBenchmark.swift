import Core
import Foundation
import Gateway
import Logging
import PostgresNIO
import Projections

/// A gateway's start: the identity view folding a log of sessions (every login starts one, every refresh
/// rotates it, so they are most of what an identity log holds), beside the same pages read from the log and
/// not folded: what the fold adds to reading.
struct IdentityViewBenchmark {
    let server: DatabaseURL
    let sessions: Int
    let refreshes: Int
    let logger: Logger

    struct Result {
        var events: Int
        var fold: Duration
        var read: Duration
        /// Resident memory the folded view added, in bytes (the process's, measured around the fold).
        var resident: Int
        /// A start from a snapshot of the same log: reading and decoding it, and the snapshot's size in bytes.
        var fromSnapshot: Duration
        var snapshotBytes: Int
    }

    func run() async throws -> Result {
        let database = try await BenchEnvironment.freshDatabase("canopy_bench_view", on: server, logger: logger)
        return try await BenchEnvironment.withStore(database, logger: logger) { client, store in
            let events = try await seed(store)
            try await client.query("VACUUM ANALYZE events", logger: logger)

            // This machine has slow spells: each side twice, in turns, the faster of each kept.
            var read: Duration = .seconds(3_600), fold: Duration = .seconds(3_600), resident = 0
            for round in 1...2 {
                let started = ContinuousClock.now
                let count = try await readAll(store)
                read = min(read, .now - started)
                guard count == events else { throw BenchmarkFailure(description: "read \(count) identity events, not \(events)") }
                let (took, added) = try await foldAll(store)
                fold = min(fold, took)
                if round == 1 { resident = added }  // a second view reuses what the first left to the allocator
            }
            let (fromSnapshot, snapshotBytes) = try await startFromSnapshot(store, client: client)
            return Result(events: events, fold: fold, read: read, resident: resident, fromSnapshot: fromSnapshot, snapshotBytes: snapshotBytes)
        }
    }

    /// A fresh view, running until it holds the log's head, then handed to `body`.
    private func withView<T: Sendable>(
        _ store: EventStore, snapshots: IdentitySnapshots? = nil, _ body: @Sendable (IdentityView) async throws -> T
    ) async throws -> T {
        let head = try await store.headPosition()
        let view = IdentityView(store: store, logger: logger, snapshots: snapshots)
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await view.run() }
            defer { group.cancelAll() }
            guard await view.waitUntilApplied(head, timeout: .seconds(3_600)) else {
                throw BenchmarkFailure(description: "the view did not reach position \(head)")
            }
            return try await body(view)
        }
    }

    /// A caught-up view writes a snapshot of the log; a fresh one starts from it. How long that start took,
    /// and the snapshot's size.
    private func startFromSnapshot(_ store: EventStore, client: PostgresClient) async throws -> (Duration, Int) {
        var snapshots = IdentitySnapshots(client: client, build: "bench", logger: logger)
        snapshots.every = 1
        let head = try await store.headPosition()
        let bytes = try await withView(store, snapshots: snapshots) { _ in
            while true {
                let size = try await client.checkedQuery(
                    "SELECT octet_length(state) FROM identity_view_snapshots WHERE build = 'bench' AND position = \(head)", logger: logger
                ) { try await $0.collect().first?.decode(Int.self) }
                if let size { return size }
                try await Task.sleep(for: .milliseconds(50))
            }
        }
        let started = ContinuousClock.now
        let restored = try await withView(store, snapshots: snapshots) { $0.restoredPosition }
        guard restored == head else { throw BenchmarkFailure(description: "the view did not start from the snapshot at \(head)") }
        return (.now - started, bytes)
    }

    /// A fresh view folding the log up to its head: how long it took, and the resident memory it added.
    private func foldAll(_ store: EventStore) async throws -> (Duration, Int) {
        let before = Self.residentBytes()
        let started = ContinuousClock.now
        let sessionsHeld = try await withView(store) { $0.read { $0.sessions.count } }
        let took = ContinuousClock.now - started
        guard sessionsHeld == sessions + 1 else { throw BenchmarkFailure(description: "the view holds \(sessionsHeld) sessions, not \(sessions + 1)") }
        return (took, Self.residentBytes() - before)
    }

    /// Every identity event, in the view's pages, read and not folded. Returns how many.
    private func readAll(_ store: EventStore) async throws -> Int {
        var position: Int64 = 0, read = 0
        while true {
            let page = try await store.read(types: IdentityEvent.types, after: position, limit: IdentityView.pageSize, without: IdentityView.leftOut).events
            read += page.count
            // A short page is the end of the log.
            guard page.count == IdentityView.pageSize, let last = page.last else { return read }
            position = last.position
        }
    }

    /// A platform with one user, then `sessions` sessions of that user, each refreshed `refreshes` times
    /// (four writers, a session's events in as few appends as the log allows). Returns the identity events in the log.
    private func seed(_ store: EventStore) async throws -> Int {
        let view = IdentityView(store: store, logger: logger)
        let runner = CommandRunner(store: store, view: view, logger: logger)
        let system = EventMetadata(actor: "system:bench")
        let master = UUID.v7(), user = IdentityState.userID(forEmail: "admin@bench.test"), domain = "bench.canopy.test"
        let tenant = IdentityState.tenantID(forDomain: domain)
        let before = try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await view.run() }
            defer { group.cancelAll() }
            _ = try await runner.run(system) {
                try AccountCommands.bootstrap($0, accountID: master, name: "Bench", platformDomain: domain,
                                              owner: .init(email: "admin@bench.test", name: "Admin", passwordHash: nil))
            }
            _ = try await runner.run(system) {
                try SessionCommands.start($0, sessionID: .v7(), user: user, account: master, tenant: tenant, tokenHash: Self.hash(0, 0),
                                          method: "password", now: Date(), lifetimes: .init())
            }
            return try await store.headPosition()
        }
        let writers = 4
        try await withThrowingTaskGroup(of: Void.self) { group in
            for writer in 0..<writers {
                group.addTask {
                    for index in stride(from: writer, to: sessions, by: writers) {
                        // Decided as the gateway decides them, on a state of their own (each session is its own stream).
                        var state = IdentityState(), events: [IdentityEvent] = []
                        let id = UUID.v7(), now = Date()
                        func take(_ decided: [IdentityEvent]) {
                            for event in decided { state.apply(event) }
                            events += decided
                        }
                        take(try SessionCommands.start(state, sessionID: id, user: user, account: master, tenant: tenant,
                                                       tokenHash: Self.hash(index, 0), method: "password", now: now, lifetimes: .init()))
                        for generation in 0..<refreshes {
                            guard case .rotated(let rotated) = try SessionCommands.refresh(
                                state, sessionID: id, presentedHash: Self.hash(index, generation), newHash: Self.hash(index, generation + 1),
                                now: now, lifetimes: .init()
                            ) else { throw BenchmarkFailure(description: "a fresh token counted as reused") }
                            take(rotated)
                        }
                        // In appends of at most 1,000 events (the log's limit), the stream's versions in a row.
                        let (stream, account) = events[0].placement
                        for start in stride(from: 0, to: events.count, by: 1_000) {
                            _ = try await store.append(AppendRequest(
                                stream: stream, accountID: account, expectedVersion: start == 0 ? .noStream : .exactly(Int64(start)),
                                events: try events[start..<min(start + 1_000, events.count)].map { try $0.newEvent(metadata: system) }
                            ))
                        }
                    }
                }
            }
            try await group.waitForAll()
        }
        return Int(before) + sessions * (1 + refreshes)
    }

    /// A refresh token's hash as the gateway stores it: 64 hex digits.
    private static func hash(_ session: Int, _ generation: Int) -> String {
        String(repeating: "0", count: 48) + String(format: "%08x%08x", session, generation)
    }

    private static func residentBytes() -> Int {
        guard let statm = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8),
              let pages = statm.split(separator: " ").dropFirst().first.flatMap({ Int($0) }) else { return 0 }
        return pages * Int(sysconf(Int32(_SC_PAGESIZE)))
    }
}
