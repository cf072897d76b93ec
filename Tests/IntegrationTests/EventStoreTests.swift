import CanopyTesting
@testable import Core
import Foundation
import PostgresNIO
import Synchronization
import Testing

@Suite struct EventStoreTests {
    let account = UUID.v7()

    @Test func appendedEventsReadBackWithEveryFieldAndGaplessPositions() async throws {
        try await withEventStore { store, _ in
            let stream = newStream()
            let first = event("account.created", #"{"name":"Acme","tier":1}"#)
            let result = try await store.append(AppendRequest(stream: stream, accountID: account, expectedVersion: .noStream,
                                                              events: [first, event()]))
            #expect(result.firstPosition == 1 && result.lastPosition == 2 && result.streamVersion == 2 && !result.isReplay)
            let other = try await store.append(AppendRequest(stream: newStream("run"), accountID: account, events: [event("run.started", "{}")]))
            #expect(other.firstPosition == 3)

            let read = try await store.readStream(stream)
            #expect(read.map(\.streamVersion) == [1, 2])
            #expect(read[0].id == first.id && read[0].type == "account.created" && read[0].accountID == account)
            #expect(try JSONSerialization.jsonObject(with: Data(read[0].data.utf8)) as? NSDictionary == ["name": "Acme", "tier": 1])
            #expect(read[0].metadata == first.metadata)
            #expect(try await store.readAll(after: 0).map(\.position) == [1, 2, 3])
            #expect(try await store.readAll(after: 2).map(\.stream) == [other.stream])
            #expect(try await store.headPosition() == 3)
        }
    }

    /// A reader of some kinds of events gets only those, with the fields it leaves out gone, and the position
    /// the log had reached, past the events of other kinds: an empty log, a log of other kinds only, and a page.
    @Test func readingSomeTypesSkipsTheOthersAndLeavesOutWhatItIsAskedTo() async throws {
        try await withEventStore { store, _ in
            #expect(try await store.read(types: ["a.kept"], after: 0).through == 0)
            _ = try await store.append(AppendRequest(stream: newStream(), accountID: account, events: [event("b.other", "{}"), event("b.other", "{}")]))
            let none = try await store.read(types: ["a.kept"], after: 0)
            #expect(none.events.isEmpty && none.through == 2)
            _ = try await store.append(AppendRequest(stream: newStream(), accountID: account, events: [
                event("a.kept", #"{"n":1,"big":"xxxx"}"#), event("b.other", "{}"), event("a.kept", #"{"n":2}"#), event("c.also", #"{"big":"y","n":3}"#),
            ]))
            let read = try await store.read(types: ["a.kept", "c.also"], after: 0, without: ["a.kept": "big"])
            #expect(read.events.map(\.position) == [3, 5, 6] && read.through == 6)
            let data = try read.events.map { try JSONSerialization.jsonObject(with: Data($0.data.utf8)) as? NSDictionary }
            #expect(data == [["n": 1], ["n": 2], ["big": "y", "n": 3]])
            // A full page says how far it got by its last event; `through` is still the head.
            let page = try await store.read(types: ["a.kept", "c.also"], after: 3, limit: 1)
            #expect(page.events.map(\.position) == [5] && page.through == 6)
        }
    }

    @Test func aWrongExpectedVersionIsATypedConflictAndAppendsNothing() async throws {
        try await withEventStore { store, database in
            let stream = newStream()
            _ = try await store.append(AppendRequest(stream: stream, accountID: account, expectedVersion: .noStream, events: [event()]))
            let before = try await database.count("events")

            for expected in [ExpectedVersion.noStream, .exactly(2), .exactly(7)] {
                do {
                    _ = try await store.append(AppendRequest(stream: stream, accountID: account, expectedVersion: expected, events: [event()]))
                    Issue.record("expected \(expected) should conflict")
                } catch let error as EventLogError {
                    #expect(error.code == .versionConflict)
                    #expect(error.currentVersion == 1)
                    #expect(error.stream == stream.rawValue)
                }
            }
            let missing = await eventLogErrorCode {
                _ = try await store.append(AppendRequest(stream: newStream(), accountID: account, expectedVersion: .exactly(1), events: [event()]))
            }
            #expect(missing == .versionConflict)
            #expect(try await database.count("events") == before)
            #expect(try await store.append(AppendRequest(stream: stream, accountID: account, expectedVersion: .exactly(1), events: [event()])).streamVersion == 2)
        }
    }

    @Test func appendsMadeTogetherAreWrittenAllOrNone() async throws {
        try await withEventStore { store, database in
            let existing = newStream()
            _ = try await store.append(AppendRequest(stream: existing, accountID: account, events: [event()]))
            let before = try await database.count("events")
            let (first, second) = (newStream("user"), newStream("tenant"))
            // The third append's expectation is wrong: the two before it must not be written either.
            let refused = [
                AppendRequest(stream: first, accountID: account, expectedVersion: .noStream, events: [event(), event()]),
                AppendRequest(stream: second, accountID: account, expectedVersion: .noStream, events: [event()]),
                AppendRequest(stream: existing, accountID: account, expectedVersion: .exactly(5), events: [event()]),
            ]
            let told = Mutex(0)
            do {
                _ = try await store.appendAll(refused) { _ in told.withLock { $0 += 1 } }
                Issue.record("a wrong expectation among them should refuse them all")
            } catch let error as EventLogError {
                #expect(error.code == .versionConflict && error.stream == existing.rawValue && error.currentVersion == 1)
            }
            #expect(try await database.count("events") == before)
            #expect(try await database.count("event_streams") == 1)
            #expect(try await store.headPosition() == 1)
            #expect(told.withLock { $0 } == 0)

            // Put right, they are written together, in order, with gapless positions, and told once.
            var accepted = refused
            accepted[2].expectedVersion = .exactly(1)
            let results = try await store.appendAll(accepted) { results in told.withLock { $0 += results.count } }
            #expect(results.map(\.firstPosition) == [2, 4, 5] && results.map(\.lastPosition) == [3, 4, 5])
            #expect(results.map(\.streamVersion) == [2, 1, 2])
            #expect(told.withLock { $0 } == 3)
            let written = try await store.readAll(after: 1).map(\.stream)
            #expect(written == [first, first, second, existing])
        }
    }

    @Test func appendsMadeTogetherTakeNoIdempotencyKeysAndLeaveTheirBatchAlone() async throws {
        try await withEventStore { store, database in
            let keyed = [AppendRequest(stream: newStream(), accountID: account, idempotencyKey: "k-1", events: [event()]),
                         AppendRequest(stream: newStream(), accountID: account, events: [event()])]
            #expect(await eventLogErrorCode { _ = try await store.appendAll(keyed) } == .invalidIdempotencyKey)
            #expect(try await database.count("events") == 0)

            // Among many single appends sharing batches, a refused unit writes nothing and harms nobody.
            let outcomes = await withTaskGroup(of: EventLogError.Code?.self) { group in
                for n in 0..<30 {
                    group.addTask { await eventLogErrorCode { _ = try await store.append(AppendRequest(stream: newStream(), accountID: account, events: [event()])) } }
                    if n % 10 == 0 {
                        group.addTask { await eventLogErrorCode { _ = try await store.appendAll([
                            AppendRequest(stream: newStream(), accountID: account, events: [event()]),
                            AppendRequest(stream: newStream(), accountID: account, expectedVersion: .exactly(3), events: [event()]),
                        ]) } }
                        group.addTask { await eventLogErrorCode { _ = try await store.appendAll([
                            AppendRequest(stream: newStream(), accountID: account, events: [event()]),
                            AppendRequest(stream: newStream(), accountID: account, events: [event(), event()]),
                        ]) } }
                    }
                }
                return await group.reduce(into: []) { $0.append($1) }
            }
            #expect(outcomes.filter { $0 == .versionConflict }.count == 3)
            #expect(outcomes.filter { $0 == nil }.count == 33)
            let positions = try await store.readAll(after: 0).map(\.position)
            #expect(positions == Array(1...39), "30 single appends and 3 units of 3 events, gapless")
        }
    }

    /// An append is answered only once its commit is: the rows of an autocommit statement arrive before its
    /// commit, which can still fail (here a deferred check; in ServerRestartTests a server shutting down,
    /// where this was seen: two appends answered as written were not in the log).
    @Test func anAppendWhoseCommitFailsIsNotAnsweredAsWritten() async throws {
        try await withEventStore { store, database in
            try await database.client.query("""
                CREATE FUNCTION refuse_at_commit() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN RAISE EXCEPTION 'refused at commit' USING ERRCODE = '23514'; END $$
                """, logger: TestServers.logger)
            try await database.client.query("""
                CREATE CONSTRAINT TRIGGER refuse_at_commit AFTER INSERT ON events DEFERRABLE INITIALLY DEFERRED
                FOR EACH ROW WHEN (NEW.type = 'probe.refused_at_commit') EXECUTE FUNCTION refuse_at_commit()
                """, logger: TestServers.logger)
            let refused = AppendRequest(stream: newStream(), accountID: account, events: [event("probe.refused_at_commit", "{}")])
            #expect(await eventLogErrorCode { _ = try await store.append(refused) } != nil)
            #expect(await eventLogErrorCode { _ = try await store.appendAll([refused, AppendRequest(stream: newStream(), accountID: account, events: [event()])]) } != nil)
            #expect(try await database.count("events") == 0)
            #expect(try await store.headPosition() == 0)
            // Its neighbours' appends still go through.
            #expect(try await store.append(AppendRequest(stream: newStream(), accountID: account, events: [event()])).lastPosition == 1)
        }
    }

    @Test func concurrentWritersWithTheSameExpectationHaveExactlyOneWinner() async throws {
        try await withEventStore { store, database in
            let stream = newStream()
            _ = try await store.append(AppendRequest(stream: stream, accountID: account, events: [event()]))
            let outcomes = await withTaskGroup(of: EventLogError.Code?.self) { group in
                for _ in 0..<20 {
                    group.addTask {
                        await eventLogErrorCode {
                            _ = try await store.append(AppendRequest(stream: stream, accountID: account, expectedVersion: .exactly(1), events: [event()]))
                        }
                    }
                }
                return await group.reduce(into: []) { $0.append($1) }
            }
            #expect(outcomes.filter { $0 == nil }.count == 1)
            #expect(outcomes.filter { $0 == .versionConflict }.count == 19)
            #expect(try await database.count("events") == 2)
        }
    }

    @Test func aRetryWithTheSameIdempotencyKeyReturnsTheFirstResultAndAppendsNothing() async throws {
        try await withEventStore { store, database in
            let stream = newStream()
            let request = AppendRequest(stream: stream, accountID: account, expectedVersion: .noStream, idempotencyKey: "create-acme",
                                        events: [event("account.created", #"{"name":"Acme"}"#)])
            let first = try await store.append(request)
            // A retry carries new event ids and metadata, as a client's second attempt would.
            var retry = request
            retry.events = [event("account.created", #"{ "name" : "Acme" }"#)]
            let second = try await store.append(retry)
            #expect(second.isReplay && second.firstPosition == first.firstPosition && second.streamVersion == first.streamVersion)
            #expect(try await database.count("events") == 1)

            // Another account may use the same key for its own request.
            let elsewhere = try await store.append(AppendRequest(stream: newStream(), accountID: UUID.v7(), idempotencyKey: "create-acme", events: [event()]))
            #expect(!elsewhere.isReplay)
        }
    }

    @Test func anIdempotencyKeyReusedForADifferentRequestIsRefused() async throws {
        try await withEventStore { store, database in
            let stream = newStream()
            _ = try await store.append(AppendRequest(stream: stream, accountID: account, idempotencyKey: "k1", events: [event("account.renamed", #"{"name":"A"}"#)]))
            let before = try await database.count("events")
            let code = await eventLogErrorCode {
                _ = try await store.append(AppendRequest(stream: stream, accountID: account, idempotencyKey: "k1", events: [event("account.renamed", #"{"name":"B"}"#)]))
            }
            #expect(code == .idempotencyKeyReused)
            #expect(try await database.count("events") == before)
        }
    }

    @Test func aRefusedAppendDoesNotConsumeItsIdempotencyKey() async throws {
        try await withEventStore { store, _ in
            let stream = newStream()
            _ = try await store.append(AppendRequest(stream: stream, accountID: account, events: [event()]))
            let request = AppendRequest(stream: stream, accountID: account, expectedVersion: .noStream, idempotencyKey: "retry-me", events: [event()])
            #expect(await eventLogErrorCode { _ = try await store.append(request) } == .versionConflict)
            var fixed = request
            fixed.expectedVersion = .exactly(1)
            let result = try await store.append(fixed)
            #expect(!result.isReplay && result.streamVersion == 2)
        }
    }

    @Test func concurrentRetriesOfOneKeyAppendOnce() async throws {
        try await withEventStore { store, database in
            let request = AppendRequest(stream: newStream(), accountID: account, idempotencyKey: "burst", events: [event("account.created", "{}")])
            let results = try await withThrowingTaskGroup(of: AppendResult.self) { group in
                for _ in 0..<25 { group.addTask { try await store.append(request) } }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(Set(results.map(\.firstPosition)).count == 1)
            #expect(results.filter { !$0.isReplay }.count == 1)
            #expect(try await database.count("events") == 1)
        }
    }

    @Test func aStreamBelongsToOneAccount() async throws {
        try await withEventStore { store, database in
            let stream = newStream()
            _ = try await store.append(AppendRequest(stream: stream, accountID: account, events: [event()]))
            let code = await eventLogErrorCode {
                _ = try await store.append(AppendRequest(stream: stream, accountID: UUID.v7(), events: [event()]))
            }
            #expect(code == .streamAccountMismatch)
            #expect(try await database.count("events") == 1)
        }
    }

    @Test func badInputIsRefusedWithATypedErrorAndTheLogIsUnchanged() async throws {
        try await withEventStore { store, database in
            _ = try await store.append(AppendRequest(stream: newStream(), accountID: account, events: [event()]))
            let before = try await database.count("events")
            let big = "{\"blob\":\"" + String(repeating: "x", count: 1 << 20) + "\"}"
            let cases: [(EventLogError.Code, AppendRequest)] = [
                (.invalidJSON, AppendRequest(stream: newStream(), accountID: account, events: [event("account.created", "{not json")])),
                (.invalidJSON, AppendRequest(stream: newStream(), accountID: account, events: [event("account.created", "[1]")])),
                (.payloadTooLarge, AppendRequest(stream: newStream(), accountID: account, events: [event("account.created", big)])),
                (.invalidEventType, AppendRequest(stream: newStream(), accountID: account, events: [event("AccountCreated", "{}")])),
                (.emptyAppend, AppendRequest(stream: newStream(), accountID: account, events: [])),
                (.invalidIdempotencyKey, AppendRequest(stream: newStream(), accountID: account, idempotencyKey: "", events: [event()])),
                (.invalidExpectedVersion, AppendRequest(stream: newStream(), accountID: account, expectedVersion: .exactly(-3), events: [event()])),
            ]
            for (expected, request) in cases {
                #expect(await eventLogErrorCode { _ = try await store.append(request) } == expected)
            }
            #expect(throws: EventLogError.self) { try StreamName(parsing: "accounts/42") }
            #expect(try await database.count("events") == before)
            #expect(try await database.count("event_streams") == 1)
            #expect(try await store.headPosition() == 1)
        }
    }

    @Test func anEventIDAlreadyInTheLogIsRefusedWithoutHarmingItsNeighbours() async throws {
        try await withEventStore { store, database in
            let id = UUID.v7()
            _ = try await store.append(AppendRequest(stream: newStream(), accountID: account, events: [event(id: id)]))
            // Many concurrent appends share batches with the bad one; only it is refused.
            let outcomes = await withTaskGroup(of: EventLogError.Code?.self) { group in
                group.addTask { await eventLogErrorCode { _ = try await store.append(AppendRequest(stream: newStream(), accountID: account, events: [event(id: id)])) } }
                for _ in 0..<30 {
                    group.addTask { await eventLogErrorCode { _ = try await store.append(AppendRequest(stream: newStream(), accountID: account, events: [event()])) } }
                }
                return await group.reduce(into: []) { $0.append($1) }
            }
            #expect(outcomes.filter { $0 == .duplicateEventID }.count == 1)
            #expect(outcomes.filter { $0 == nil }.count == 30)
            #expect(try await database.count("events") == 31)
        }
    }

    @Test func theDatabaseItselfRefusesMalformedEventsFromAnyWriter() async throws {
        try await TestDatabase.with { database in try await database.withRawConnection { (connection: PostgresConnection) async throws in
            // Skips the Swift validation, as a writer that bypassed it would.
            let request = AppendRequest(stream: newStream(), accountID: account, events: [event("NotAType", "{}")])
            await #expect(throws: PSQLError.self) { _ = try await AppendStatement.run([request], on: connection, logger: TestServers.logger) }
            let array = AppendRequest(stream: newStream(), accountID: account, events: [event("account.created", "[1,2]")])
            await #expect(throws: PSQLError.self) { _ = try await AppendStatement.run([array], on: connection, logger: TestServers.logger) }
            #expect(try await database.count("events") == 0)
            #expect(try await database.count("event_streams") == 0)
        } }
    }

    /// The identity view, woken by the log's NOTIFY of a batch of its own process, waits for that batch to
    /// land rather than read its own events back: the wait must not end before the batch's appenders were
    /// told (`whenAppended`), which is where the view folds them.
    @Test func waitingForBatchesInFlightEndsOnlyOnceTheirAppendersWereTold() async throws {
        try await withABatchHeldInFlight { store, told, release in
            async let toldWhenWaitEnded: Bool = { await store.waitForOwnAppendsInFlight(); return told.isRaised }()
            try await Task.sleep(for: .milliseconds(200))
            #expect(!told.isRaised)
            let appended = try await release()
            #expect(await toldWhenWaitEnded)
            #expect(appended.firstPosition == 1)
            // Nothing in flight: no wait at all.
            await store.waitForOwnAppendsInFlight()
        }
    }

    /// A reader shutting down stops waiting for batches in flight at once, while the batch itself goes on.
    @Test func aCancelledWaitForBatchesInFlightEndsWhileTheBatchIsHeld() async throws {
        try await withABatchHeldInFlight { store, told, release in
            let ended = Flag()
            let waiting = Task {
                await store.waitForOwnAppendsInFlight()
                ended.raise()
            }
            try await Task.sleep(for: .milliseconds(100))
            #expect(!ended.isRaised)
            waiting.cancel()
            #expect(try await eventually(timeout: .seconds(5)) { ended.isRaised })
            #expect(!told.isRaised)
            #expect(try await release().firstPosition == 1)
            #expect(told.isRaised)
            await waiting.value
        }
    }

    /// Runs `body` while one append's batch is held inside PostgreSQL (another transaction holds the log
    /// head); `told` is raised when its appender is told, and `release` lets the batch commit and returns it.
    private func withABatchHeldInFlight(
        _ body: @Sendable (EventStore, _ told: Flag, _ release: () async throws -> AppendResult) async throws -> Void
    ) async throws {
        try await withEventStore { store, database in
            try await database.withRawConnection { (blocker: PostgresConnection) async throws in
                try await blocker.query("BEGIN", logger: TestServers.logger)
                try await blocker.query("SELECT position FROM event_log_head FOR UPDATE", logger: TestServers.logger)
                let told = Flag()
                let appending = Task { try await store.append(AppendRequest(stream: newStream(), accountID: account, events: [event()])) { _ in told.raise() } }
                #expect(try await eventually { try await database.waitingForLocks() > 0 })
                try await body(store, told) {
                    try await blocker.query("COMMIT", logger: TestServers.logger)
                    return try await appending.value
                }
            }
        }
    }

    /// Two batches over the same streams, listed in opposite orders, both held up on the middle stream's row
    /// lock: each takes its streams' locks in name order, whatever the order it was given, so once the lock
    /// is let go they finish one after the other. Locks taken in the order given would deadlock here, and
    /// PostgreSQL would abort one of them.
    @Test func batchesOverTheSameStreamsLockThemInOneOrder() async throws {
        try await TestDatabase.with { database in
            let streams = (0..<12).map { _ in newStream() }.sorted { $0.rawValue < $1.rawValue }
            try await database.withRawConnection { (connection: PostgresConnection) async throws in
                _ = try await AppendStatement.run(streams.map { AppendRequest(stream: $0, accountID: account, events: [event()]) },
                                                  on: connection, logger: TestServers.logger)
            }
            try await database.withRawConnection { (blocker: PostgresConnection) async throws in
                try await blocker.query("BEGIN", logger: TestServers.logger)
                try await blocker.query("SELECT version FROM event_streams WHERE stream = \(streams[6].rawValue) FOR UPDATE", logger: TestServers.logger)
                async let forwards = appendOnce(to: streams, in: database)
                async let backwards = appendOnce(to: streams.reversed(), in: database)
                #expect(try await eventually { try await database.waitingForLocks() >= 2 })
                try await blocker.query("COMMIT", logger: TestServers.logger)
                let outcomes = try await [forwards, backwards]
                #expect(outcomes.allSatisfy { $0.count == streams.count && $0.allSatisfy { (try? $0.get()) != nil } })
            }
            #expect(try await database.count("events") == 3 * streams.count)
        }
    }

    /// One event on each stream, in one batch, on a connection of its own.
    private func appendOnce(to streams: [StreamName], in database: TestDatabase) async throws -> [Result<AppendResult, EventLogError>] {
        try await database.withRawConnection { (connection: PostgresConnection) async throws in
            try await AppendStatement.run(streams.map { AppendRequest(stream: $0, accountID: account, events: [event()]) },
                                          on: connection, logger: TestServers.logger)
        }
    }

    @Test func oneBatchDecidesEachAppendOnItsOwn() async throws {
        try await TestDatabase.with { database in try await database.withRawConnection { (connection: PostgresConnection) async throws in
            let taken = newStream()
            _ = try await AppendStatement.run([AppendRequest(stream: taken, accountID: account, events: [event()])], on: connection, logger: TestServers.logger)
            let shared = newStream()
            let results = try await AppendStatement.run([
                AppendRequest(stream: shared, accountID: account, expectedVersion: .noStream, events: [event(), event()]),
                AppendRequest(stream: taken, accountID: account, expectedVersion: .noStream, events: [event()]),
                AppendRequest(stream: shared, accountID: account, expectedVersion: .exactly(2), events: [event()]),
                AppendRequest(stream: taken, accountID: UUID.v7(), events: [event()]),
            ], on: connection, logger: TestServers.logger)
            #expect(try results[0].get().streamVersion == 2)
            #expect(results[1].failureCode == .versionConflict)
            #expect(try results[2].get().streamVersion == 3)
            #expect(results[3].failureCode == .streamAccountMismatch)
            let positions = try await database.client.query("SELECT position, stream_version FROM events WHERE stream = \(shared.rawValue) ORDER BY position", logger: TestServers.logger)
            var rows: [[Int64]] = []
            for try await (position, version) in positions.decode((Int64, Int64).self) { rows.append([position, version]) }
            #expect(rows == [[2, 1], [3, 2], [4, 3]])
        } }
    }
}

extension TestDatabase {
    /// Lock requests not granted yet in this database.
    func waitingForLocks() async throws -> Int {
        try await client.checkedQuery("""
            SELECT count(*)::int8 FROM pg_locks
            WHERE NOT granted AND pid IN (SELECT pid FROM pg_stat_activity WHERE datname = current_database())
            """, logger: TestServers.logger) { rows in
            for try await count in rows.decode(Int.self) { return count }
            return 0
        }
    }
}

extension Result where Failure == EventLogError {
    var failureCode: EventLogError.Code? {
        if case .failure(let error) = self { return error.code }
        return nil
    }
}
