@testable import Core
import Foundation
@testable import Gateway
import Testing

/// How a decided command becomes appends (no server: the appends are only built here; that they are written
/// all or none is `EventStoreTests.appendsMadeTogetherAreWrittenAllOrNone`).
@Suite struct CommandRunnerTests {
    let account = UUID.v7()
    let other = UUID.v7()

    func renamed(_ account: UUID, _ name: String) -> IdentityEvent {
        .groupRenamed(GroupRenamed(groupID: .v7(), accountID: account, name: name))
    }

    @Test func consecutiveEventsOfAStreamShareAnAppendAndAStreamComeBackToExpectsItsOwnEarlierEvents() throws {
        let decided: [(event: IdentityEvent, expected: ExpectedVersion)] = [
            (renamed(account, "a"), .exactly(4)), (renamed(account, "b"), .exactly(4)),
            (renamed(other, "c"), .noStream),
            (renamed(account, "d"), .exactly(4)),
            (renamed(other, "e"), .noStream), (renamed(other, "f"), .noStream),
        ]
        let appends = try CommandRunner.appends(for: decided, metadata: EventMetadata(actor: "system:test"))
        #expect(appends.map(\.0.stream) == [IdentityStreams.account(account), IdentityStreams.account(other),
                                            IdentityStreams.account(account), IdentityStreams.account(other)])
        #expect(appends.map(\.0.events.count) == [2, 1, 1, 2])
        // Each append after the first of its stream expects the version the earlier ones of this command leave.
        #expect(appends.map(\.0.expectedVersion) == [.exactly(4), .noStream, .exactly(6), .exactly(1)])
        #expect(appends.map(\.1.count) == [2, 1, 1, 2])
    }

    @Test func anExpectationMovesOnByTheEventsWritten() {
        #expect(ExpectedVersion.noStream.after(0) == .noStream)
        #expect(ExpectedVersion.noStream.after(2) == .exactly(2))
        #expect(ExpectedVersion.exactly(3).after(2) == .exactly(5))
        #expect(ExpectedVersion.any.after(9) == .any)
    }
}
