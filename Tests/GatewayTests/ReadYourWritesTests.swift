import CanopyTesting
import Core
import Foundation
import Gateway
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Projections
import Testing

/// Invariant 8 across gateways: a write answered by one gateway is read at its position from another, whose
/// identity view waits for it, answers 503 while still behind, and 422 for a position the log never reached.
@Suite struct ReadYourWritesTests {
    @Test func aSecondGatewayReadsAtTheWritersPosition() async throws {
        try await withGateway { gateway in
            let token = try await gateway.login().access
            let master = gateway.master.lowercasedString
            let group = gateway.view.read { state in state.groupsOfAccount[gateway.master]!.first { state.groups[$0]?.predefined == "agent" }! }

            // The second gateway: the same log and signing keys, its own identity view.
            let store = EventStore(client: gateway.database.client, logger: TestServers.logger)
            let view = IdentityView(store: store, logger: TestServers.logger)
            let runner = CommandRunner(store: store, view: view, logger: TestServers.logger)
            let identity = IdentityAPI(view: view, runner: runner, tokens: gateway.tokens, hasher: PasswordHasher(cost: 4),
                                       limits: RateLimits(client: gateway.database.client, logger: TestServers.logger))
            let api = Gateway.API(view: view, tokens: gateway.tokens, identity: identity,
                                  idempotency: IdempotencyStore(client: gateway.database.client, logger: TestServers.logger))
            let router = Gateway.router(health: HealthRoutes(checks: [], readiness: Readiness()), api: api).router
            try await withThrowingTaskGroup(of: Void.self) { services in
                services.addTask { try await store.run() }
                services.addTask { try await view.run() }
                defer { services.cancelAll() }
                #expect(try await view.catchUp(timeout: .seconds(10)))
                try await Application(router: router).test(.live) { client in
                    try await TestClient.withClient(host: "localhost", port: client.port!) { http in
                        func read(_ query: String) async throws -> (HTTPResponse.Status, String) {
                            let request = TestClient.Request("/api/v1/accounts/\(master)/groups?\(query)", method: .get, authority: GatewayHarness.platformDomain,
                                                             headers: [.authorization: "Bearer \(token)"])
                            let response = try await http.execute(request)
                            return (response.status, response.body.map { String(buffer: $0) } ?? "")
                        }
                        // Written through the first gateway, read at once through the second, at the answered position.
                        for name in ["Closers", "Openers", "Finishers"] {
                            let renamed = try await gateway.call(.patch, "/api/v1/accounts/\(master)/groups/\(group.lowercasedString)", token: token,
                                                                 body: #"{"name": "\#(name)"}"#)
                            let position = try #require(renamed.int("position"))
                            let (status, body) = try await read("min_position=\(position)&wait_ms=5000")
                            #expect(status == .ok && body.contains(name), "\(status) \(body)")
                        }
                        let (beyond, text) = try await read("min_position=\(view.position + 1000)&wait_ms=100")
                        #expect(beyond == .unprocessableContent && text.contains("request.position_unknown"))
                    }
                }
            }
        }
    }

    @Test func aReadModelStillBehindIsA503AndAPositionBeyondTheLogA422() async throws {
        let behind = MinimumPosition(position: 10, wait: .milliseconds(1))
        let late = await #expect(throws: APIError.self) { try await behind.await({ _, _ in false }, head: { 10 }) }
        #expect(late?.code == "projection.behind" && late?.status == .serviceUnavailable)
        let unknown = await #expect(throws: APIError.self) { try await behind.await({ _, _ in false }, head: { 9 }) }
        #expect(unknown?.code == "request.position_unknown" && unknown?.status == .unprocessableContent)
        try await behind.await({ _, _ in true }, head: { 0 })  // reached: no error, whatever the head
    }

    /// Commands fold their own events into the view as they append them; the view must still be exactly what
    /// folding the log gives, whatever the interleaving.
    @Test func theViewAfterConcurrentCommandsEqualsTheLogFoldedAfresh() async throws {
        try await withGateway { gateway in
            let master = gateway.master
            try await withThrowingTaskGroup(of: Void.self) { group in
                for index in 0..<24 {
                    group.addTask {
                        try await gateway.command {
                            try AccountCommands.createSubAccount($0, parent: master, accountID: .v7(), name: "Concurrent \(index)", roles: [.userAdmin], tenantID: nil,
                                                                 owner: .init(email: "c\(index)@fold.test", name: "Owner", passwordHash: nil))
                        }
                    }
                }
                try await group.waitForAll()
            }
            let store = EventStore(client: gateway.database.client, logger: TestServers.logger)
            let fresh = IdentityView(store: store, logger: TestServers.logger)
            try await withThrowingTaskGroup(of: Void.self) { services in
                services.addTask { try await store.run() }
                services.addTask { try await fresh.run() }
                defer { services.cancelAll() }
                let caughtUp = try await fresh.catchUp(timeout: .seconds(10))
                #expect(caughtUp)
                let live = gateway.view.read { ($0.versions, $0.position, $0.directory.accounts.count, $0.grants) }
                let folded = fresh.read { ($0.versions, $0.position, $0.directory.accounts.count, $0.grants) }
                #expect(live.0 == folded.0 && live.1 == folded.1 && live.2 == folded.2 && live.3 == folded.3)
                #expect(folded.2 == 25)
            }
        }
    }

    /// Two processes writing at once: each view folds its own appends as they commit and the other's from the
    /// log, so its own runs often wait for a gap to fill. Both must end exactly where folding the log ends.
    @Test func twoWritingProcessesLeaveBothViewsEqualToTheLogFoldedAfresh() async throws {
        try await withGateway { gateway in
            let master = gateway.master
            let store = EventStore(client: gateway.database.client, logger: TestServers.logger)
            let other = IdentityView(store: store, logger: TestServers.logger)
            let otherRunner = CommandRunner(store: store, view: other, logger: TestServers.logger)
            try await withThrowingTaskGroup(of: Void.self) { services in
                services.addTask { try await store.run() }
                services.addTask { try await other.run() }
                defer { services.cancelAll() }
                #expect(try await other.catchUp(timeout: .seconds(10)))
                try await withThrowingTaskGroup(of: Void.self) { group in
                    for index in 0..<40 {
                        group.addTask {
                            let decide = { (state: IdentityState) in
                                try AccountCommands.createSubAccount(state, parent: master, accountID: .v7(), name: "Interleaved \(index)", roles: [.userAdmin], tenantID: nil,
                                                                     owner: .init(email: "i\(index)@fold.test", name: "Owner", passwordHash: nil))
                            }
                            if index.isMultiple(of: 2) {
                                try await gateway.command(decide)
                            } else {
                                _ = try await otherRunner.run(EventMetadata(actor: "system:test"), decide)
                            }
                        }
                    }
                    try await group.waitForAll()
                }
                let fresh = IdentityView(store: store, logger: TestServers.logger)
                services.addTask { try await fresh.run() }
                let head = try await store.headPosition()
                for view in [gateway.view, other, fresh] { #expect(await view.waitUntilApplied(head, timeout: .seconds(10))) }
                let folded = fresh.read { ($0.versions, $0.position, $0.directory.accounts.count, $0.grants) }
                #expect(folded.2 == 41)
                for view in [gateway.view, other] {
                    let live = view.read { ($0.versions, $0.position, $0.directory.accounts.count, $0.grants) }
                    #expect(live.0 == folded.0 && live.1 == folded.1 && live.2 == folded.2 && live.3 == folded.3)
                }
            }
        }
    }
}
