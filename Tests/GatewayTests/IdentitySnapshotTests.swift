import CanopyTesting
import Core
import Foundation
import Projections
import Testing

/// A view started from a snapshot holds exactly what a view folding the whole log holds (invariant 1: the
/// snapshot is a cache of the log); a snapshot of another build, or one that does not decode, is passed over.
@Suite struct IdentitySnapshotTests {
    static let build = "test-build"

    /// Runs a fresh view over the gateway's log until it holds the log's head, then hands it to `body`.
    func withView<T: Sendable>(
        _ gateway: GatewayHarness, build: String?, every: Int64 = 100_000, _ body: @Sendable (IdentityView) async throws -> T
    ) async throws -> T {
        let snapshots = build.map {
            var snapshots = IdentitySnapshots(client: gateway.database.client, build: $0, logger: TestServers.logger)
            snapshots.every = every
            return snapshots
        }
        let view = IdentityView(store: gateway.store, logger: TestServers.logger, snapshots: snapshots)
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await view.run() }
            defer { group.cancelAll() }
            #expect(try await view.catchUp(timeout: .seconds(20)))
            return try await body(view)
        }
    }

    func snapshotPositions(_ gateway: GatewayHarness, build: String) async throws -> [Int64] {
        try await gateway.database.client.checkedQuery(
            "SELECT position FROM identity_view_snapshots WHERE build = \(build) ORDER BY position", logger: TestServers.logger
        ) { rows in
            var positions: [Int64] = []
            for try await position in rows.decode(Int64.self) { positions.append(position) }
            return positions
        }
    }

    /// Accounts with tenants, users, groups renamed, sessions started and refreshed: a bit of everything.
    func write(_ gateway: GatewayHarness, round: Int) async throws {
        let admin = try await gateway.login()
        _ = try await gateway.call(.post, "/api/v1/auth/refresh", body: #"{"refresh_token": "\#(admin.refresh)"}"#)
        let client = try await gateway.client(domain: "client\(round).test", ownerEmail: "owner\(round)@client.test")
        let group = gateway.view.read { $0.groupsOfAccount[client]!.first! }
        let renamed = try await gateway.call(.patch, "/api/v1/accounts/\(client.lowercasedString)/groups/\(group.lowercasedString)",
                                             token: admin.access, body: #"{"name": "Round \#(round)"}"#)
        #expect(renamed.status == .ok, "\(renamed.text)")
    }

    @Test func aViewStartedFromASnapshotHoldsWhatTheWholeLogFolds() async throws {
        try await withGateway { gateway in
            try await write(gateway, round: 1)
            // A caught-up view writes a snapshot once it has folded `every` events.
            let written = try await withView(gateway, build: Self.build, every: 1) { view in
                let deadline = ContinuousClock.now + .seconds(10)
                while try await snapshotPositions(gateway, build: Self.build).isEmpty, ContinuousClock.now < deadline {
                    try await Task.sleep(for: .milliseconds(20))
                }
                return try await snapshotPositions(gateway, build: Self.build)
            }
            let snapshot = try #require(written.last)
            try await write(gateway, round: 2)

            // The log folded whole by a view without snapshots. (Not the gateway's own view: it folded its
            // appends as decided, with times finer than the log's milliseconds.)
            let folded = try await withView(gateway, build: nil) { view in view.read { $0 } }
            #expect(folded.position > snapshot)
            let restored = try await withView(gateway, build: Self.build) { view in (view.restoredPosition, view.read { $0 }) }
            #expect(restored.0 == snapshot)
            #expect(restored.1 == folded, "the view started from the snapshot differs from the log folded whole")

            // Another build folds the log itself.
            let other = try await withView(gateway, build: "another-build") { view in (view.restoredPosition, view.read { $0 }) }
            #expect(other.0 == nil && other.1 == folded)
        }
    }

    @Test func aSnapshotThatDoesNotDecodeIsPassedOver() async throws {
        try await withGateway { gateway in
            try await write(gateway, round: 1)
            let folded = try await withView(gateway, build: nil) { view in view.read { $0 } }
            try await gateway.database.client.checkedQuery(
                "INSERT INTO identity_view_snapshots (build, position, state) VALUES (\(Self.build), \(folded.position), '\\x7b7d'::bytea)",
                logger: TestServers.logger
            ) { _ in }
            let started = try await withView(gateway, build: Self.build) { view in (view.restoredPosition, view.read { $0 }) }
            #expect(started.0 == nil && started.1 == folded)
        }
    }
}
