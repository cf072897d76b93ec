@testable import Core
import Foundation
import Testing

/// A bootstrapped platform to state rules against: given these events, when this command, then these
/// events or this error.
struct IdentityFixture {
    let master = UUID.v7()
    let rootEmail = "root@crontech.example"
    var rootUser: UUID { IdentityState.userID(forEmail: rootEmail) }
    var platformTenant: UUID { IdentityState.tenantID(forDomain: "crontech.example") }
    var events: [IdentityEvent] = []

    init() {
        events = try! AccountCommands.bootstrap(
            IdentityState(), accountID: master, name: "crontech", platformDomain: "crontech.example",
            owner: .init(email: rootEmail, name: "Root", passwordHash: "$2b$04$hash")
        )
    }

    var state: IdentityState { IdentityState(events) }

    /// Runs a command on the current state and folds what it decides into the fixture.
    @discardableResult
    mutating func when(_ command: (IdentityState) throws -> [IdentityEvent]) throws -> [IdentityEvent] {
        let decided = try command(state)
        events += decided
        return decided
    }

    /// A sub-account made through the real command; returns its id.
    mutating func account(under parent: UUID? = nil, roles: Set<AccountRole>, ownerEmail: String? = nil, tenant: UUID? = nil) throws -> UUID {
        let id = UUID.v7()
        let email = ownerEmail ?? "\(id.lowercasedString)@example.com"
        let parent = parent ?? master
        try when { state in
            try AccountCommands.createSubAccount(state, parent: parent, accountID: id, name: "account", roles: roles, tenantID: tenant,
                                                 owner: .init(email: email, name: "Owner", passwordHash: nil))
        }
        return id
    }

    func group(_ predefined: String, of account: UUID) -> UUID {
        state.groupsOfAccount[account]!.first { state.groups[$0]?.predefined == predefined }!
    }
}

/// The code a command refuses with; nil when it decides (or fails with something that is not an IdentityError).
func refusal(_ body: () throws -> [IdentityEvent]) -> IdentityError.Code? {
    do {
        _ = try body()
        return nil
    } catch { return (error as? IdentityError)?.code }
}
