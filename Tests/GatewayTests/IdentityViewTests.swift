import CanopyTesting
import Core
import Foundation
import Projections
import Testing

/// The identity view reads only identity events from the log, without the fields it has no use for.
@Suite struct IdentityViewTests {
    let account = UUID.v7()

    func append(_ store: EventStore, _ stream: StreamName, _ type: String, _ data: String) async throws -> Int64 {
        try await store.append(AppendRequest(stream: stream, accountID: account, events: [NewEvent(type: type, data: data, metadata: .init(actor: "system:test"))])).lastPosition
    }

    @Test func itMovesPastOtherEventsAndNeverReadsALogosBytes() async throws {
        try await withEventStore { store, _ in
            let tenant = UUID.v7()
            // Bytes that are not even base64: decoding them would stop the view (an identity event that does not
            // decode is a bug it refuses to fold past). Left out of its reads, they are never decoded.
            let upload = #"{"tenant_id": "\#(tenant.lowercasedString)", "owner_account_id": "\#(account.lowercasedString)", "#
                + #""logo": {"sha256": "\#(String(repeating: "a", count: 64))", "content_type": "image/png", "size": 3}, "bytes": "not base64!"}"#
            _ = try await append(store, IdentityStreams.tenant(tenant), TenantLogoUploaded.type, upload)
            // Events of other kinds after it, last in the log: the view's position still reaches them.
            var last: Int64 = 0
            for _ in 0..<3 { last = try await append(store, try StreamName(category: "bench", id: .v7()), "bench.appended", "{}") }

            let view = IdentityView(store: store, logger: TestServers.logger)
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await view.run() }
                defer { group.cancelAll() }
                #expect(await view.waitUntilApplied(last, timeout: .seconds(10)))
                // And later ones, read while it tails the log.
                let later = try await append(store, try StreamName(category: "bench", id: .v7()), "bench.appended", "{}")
                #expect(await view.waitUntilApplied(later, timeout: .seconds(10)))
            }
        }
    }

    /// Sessions expired for longer than the margin are forgotten once the view is caught up; the others stay.
    @Test func aCaughtUpViewForgetsSessionsLongExpired() async throws {
        try await withEventStore { store, _ in
            let user = UUID.v7(), tenant = UUID.v7(), now = Date()
            var lifetimes = SessionCommands.Lifetimes()
            lifetimes.sliding = .seconds(3600)
            // Expired two days ago; expired an hour ago (inside the margin of a day); live.
            let sessions = [(UUID.v7(), now.addingTimeInterval(-3 * 86_400)), (UUID.v7(), now.addingTimeInterval(-7200)), (UUID.v7(), now)]
            var last: Int64 = 0
            for (id, started) in sessions {
                let events = try SessionCommands.start(IdentityState(), sessionID: id, user: user, account: account, tenant: tenant,
                                                       tokenHash: "h-\(id)", method: "password", now: started, lifetimes: lifetimes)
                let (stream, bound) = events[0].placement
                last = try await store.append(AppendRequest(
                    stream: stream, accountID: bound, events: try events.map { try $0.newEvent(metadata: .init(actor: "system:test")) }
                )).lastPosition
            }
            var retention = IdentityView.SessionRetention()
            retention.sweepEvery = .zero
            let view = IdentityView(store: store, logger: TestServers.logger, sessionRetention: retention)
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await view.run() }
                defer { group.cancelAll() }
                #expect(await view.waitUntilApplied(last, timeout: .seconds(10)))
                let deadline = ContinuousClock.now + .seconds(10)
                while view.read({ $0.sessions[sessions[0].0] != nil }), ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(10)) }
            }
            let (held, ofUser) = view.read { ($0.sessions, $0.sessionsOfUser[user]) }
            #expect(Set(held.keys) == [sessions[1].0, sessions[2].0])
            #expect(ofUser == [sessions[1].0, sessions[2].0])
        }
    }

    /// A start reads the log in pages and decodes chunks of each at once: what it holds must be the log folded
    /// in the order it was written (a refresh folded before its session started would be lost).
    @Test func aLongLogFoldsAsItWasWritten() async throws {
        try await withEventStore { store, _ in
            // 12,000 identity events: more than two pages, dozens of chunks; other events among them.
            let sessions = 120, refreshes = 99
            // Whole seconds: the log keeps times to the microsecond, and the states are compared exactly.
            let user = UUID.v7(), tenant = UUID.v7(), now = Date(timeIntervalSince1970: Date().timeIntervalSince1970.rounded(.down))
            var written = IdentityState(), last: Int64 = 0
            for session in 0..<sessions {
                let id = UUID.v7()
                var events = try SessionCommands.start(written, sessionID: id, user: user, account: account, tenant: tenant,
                                                       tokenHash: "s\(session)g0", method: "password", now: now, lifetimes: .init())
                for event in events { written.apply(event) }
                for generation in 0..<refreshes {
                    guard case .rotated(let rotated) = try SessionCommands.refresh(
                        written, sessionID: id, presentedHash: "s\(session)g\(generation)", newHash: "s\(session)g\(generation + 1)",
                        now: now, lifetimes: .init()
                    ) else { Issue.record("a fresh token counted as reused"); return }
                    for event in rotated { written.apply(event) }
                    events += rotated
                }
                let (stream, bound) = events[0].placement
                last = try await store.append(AppendRequest(
                    stream: stream, accountID: bound, events: try events.map { try $0.newEvent(metadata: .init(actor: "system:test")) }
                )).lastPosition
                if session % 10 == 0 { last = try await append(store, try StreamName(category: "bench", id: .v7()), "bench.appended", "{}") }
            }

            let view = IdentityView(store: store, logger: TestServers.logger)
            await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await view.run() }
                defer { group.cancelAll() }
                #expect(await view.waitUntilApplied(last, timeout: .seconds(60)))
            }
            let folded = view.read { $0.sessions }
            #expect(folded.count == sessions)
            #expect(folded.values.allSatisfy { $0.usedHashes.count == refreshes })
            let differing = written.sessions.filter { id, session in folded[id] != session }.keys
            #expect(differing.isEmpty, "\(differing.count) sessions differ from the log folded in order, e.g. \(String(describing: differing.first))")
        }
    }
}
