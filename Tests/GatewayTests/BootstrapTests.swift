import CanopyTesting
import Core
import Foundation
import Gateway
import Projections
import Testing

@Suite struct BootstrapTests {
    /// Two processes (each with its identity view) bootstrap one empty log at once, with different masters,
    /// platform domains and admins: one master is made, the other bootstrap is refused and writes nothing.
    /// Before the platform's stream, nothing of the two overlapped and both made a root.
    @Test func twoRacingBootstrapsMakeOneMaster() async throws {
        try await withEventStore { store, _ in
            let logger = TestServers.logger
            let views = [IdentityView(store: store, logger: logger), IdentityView(store: store, logger: logger)]
            try await withThrowingTaskGroup(of: Void.self) { group in
                for view in views { group.addTask { try await view.run() } }
                defer { group.cancelAll() }
                for view in views { #expect(try await view.catchUp(timeout: .seconds(10))) }
                let refusals = await withTaskGroup(of: String?.self) { race in
                    for (index, view) in views.enumerated() {
                        race.addTask {
                            do {
                                _ = try await CommandRunner(store: store, view: view, logger: logger).run(EventMetadata(actor: "system:bootstrap")) {
                                    try AccountCommands.bootstrap($0, accountID: .v7(), name: "Master \(index)", platformDomain: "platform\(index).test",
                                                                  owner: .init(email: "admin\(index)@platform.test", name: "Admin", passwordHash: nil))
                                }
                                return nil
                            } catch let error as APIError {
                                return error.code
                            } catch {
                                return "\(error)"
                            }
                        }
                    }
                    return await race.reduce(into: [String?]()) { $0.append($1) }
                }
                #expect(refusals.compactMap { $0 } == ["account.already_exists"], "\(refusals)")
                let created = try await store.readAll(after: 0).filter { $0.type == AccountCreated.type }
                #expect(try created.map { try $0.decodeData(as: AccountCreated.self) }.filter { $0.parentID == nil }.count == 1)
                #expect(try await store.readAll(after: 0).filter { $0.type == TenantCreated.type }.count == 1)
            }
        }
    }
}
