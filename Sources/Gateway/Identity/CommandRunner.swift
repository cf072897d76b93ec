public import Core
import Foundation
public import Logging
public import Projections

/// The one write path of identity commands: decide on the identity view, append each stream's events
/// expecting exactly the version the decision saw (all streams of a command or none), and answer once the
/// view holds them (it folds them as they commit, or after reading another process's events that came
/// between), so the caller's next read here sees its write. A version conflict means the view was behind
/// the log: it catches up and the command is decided again. So does a stream found bound to another account:
/// a claim (of a domain, a phone number) the view had not seen yet, made by another account's command.
public struct CommandRunner: Sendable {
    let store: EventStore
    let view: IdentityView
    let logger: Logger

    public init(store: EventStore, view: IdentityView, logger: Logger) {
        self.store = store
        self.view = view
        self.logger = logger
    }

    /// The log position of the last event appended, or the view's position when nothing needed appending.
    public func run(_ metadata: EventMetadata, _ decide: (IdentityState) throws -> [IdentityEvent]) async throws -> Int64 {
        var attempt = 0
        while true {
            attempt += 1
            // Decided under the view's lock, with the versions it saw; encoded after, so the lock is short.
            let decided: [(IdentityEvent, ExpectedVersion)]
            do {
                decided = try view.read { state in try decide(state).map { ($0, state.expectedVersion(of: $0.placement.stream)) } }
            } catch let error as IdentityError {
                throw APIError(error)
            }
            let appends = try Self.appends(for: decided, metadata: metadata)
            if appends.isEmpty { return view.position }
            do {
                let results = try await store.appendAll(appends.map(\.0)) { [view] results in
                    for ((_, events), appended) in zip(appends, results) {
                        view.applyAppended(events, firstPosition: appended.firstPosition, lastPosition: appended.lastPosition)
                    }
                }
                let last = results.map(\.lastPosition).max() ?? view.position
                _ = await view.waitUntilApplied(last, timeout: .seconds(5))
                return last
            } catch let error as EventLogError where error.code.meansTheViewWasBehind && attempt < 4 {
                logger.debug("identity view behind the log; deciding again", metadata: ["stream": "\(error.stream ?? "")"])
                _ = try await view.catchUp(timeout: .seconds(5))
            } catch let error as EventLogError where error.code == .versionConflict {
                throw APIError(.conflict, code: "command.conflict", message: "the resource changed meanwhile; try again")
            }
        }
    }

    /// Consecutive events of one stream go in one append, expecting the version the decision saw for it (a
    /// stream the command comes back to, the version its earlier events of this command leave); each append
    /// comes with the events it holds, for the view to fold once it is written.
    static func appends(for decided: [(event: IdentityEvent, expected: ExpectedVersion)], metadata: EventMetadata) throws -> [(AppendRequest, [IdentityEvent])] {
        var requests: [(AppendRequest, [IdentityEvent])] = []
        var written: [StreamName: Int64] = [:]
        for (event, expected) in decided {
            let (stream, account) = event.placement
            let new = try event.newEvent(metadata: metadata)
            defer { written[stream, default: 0] += 1 }
            if requests.last?.0.stream == stream {
                requests[requests.count - 1].0.events.append(new)
                requests[requests.count - 1].1.append(event)
            } else {
                let expected = written[stream].map { count in expected.after(count) } ?? expected
                requests.append((AppendRequest(stream: stream, accountID: account, expectedVersion: expected, events: [new]), [event]))
            }
        }
        return requests
    }
}

extension EventLogError.Code {
    fileprivate var meansTheViewWasBehind: Bool { self == .versionConflict || self == .streamAccountMismatch }
}

extension APIError {
    /// Identity refusals, with the status their code calls for.
    init(_ error: IdentityError) {
        let status: HTTPResponse.Status = switch error.code {
        case .accountNotFound, .userNotFound, .groupNotFound, .tenantNotFound, .sessionNotFound, .impersonationNotFound, .apiKeyNotFound, .domainNotFound: .notFound
        case .invalidInput: .badRequest
        case .alreadyExists, .emailTaken, .phoneTaken, .domainTaken, .accountSuspended, .accountNotSuspended: .conflict
        case .invalidRefreshToken, .invalidCode: .unauthorized
        case .fieldNotDelegated: .forbidden
        default: .unprocessableContent
        }
        self.init(status, code: error.code.rawValue, message: status == .notFound ? "not found" : error.message, fields: error.fields)
    }
}

import HTTPTypes
