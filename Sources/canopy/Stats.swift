import ArgumentParser
import Core
import Foundation
import Logging
import Projections

struct Stats: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "The event catalog: events per account and type, and last positions.")

    @OptionGroup var options: ServerOptions

    @Option(help: "Only this account.")
    var accountID: String?

    func run() async throws {
        try await CommandFailure.running(options) { settings, logger in try await show(settings, logger) }
    }

    private func show(_ settings: Settings, _ logger: Logger) async throws {
        let account = try accountID.map { text in
            guard let id = UUID(hyphenated: text) else { throw ValidationError("--account-id is not a UUID") }
            return id
        }
        let entries = try await settings.withClient(logger: logger) { client in
            try await EventCatalog.read(accountID: account, on: client, logger: logger)
        }
        let header = ["account_id", "event_type", "events", "last_position"]
        let rows = entries.map { [$0.accountID.lowercasedString, $0.eventType, "\($0.eventCount)", "\($0.lastPosition)"] }
        let widths = header.indices.map { column in ([header] + rows).map { $0[column].count }.max() ?? 0 }
        for row in [header] + rows {
            print(row.indices.map { row[$0].padding(toLength: widths[$0], withPad: " ", startingAt: 0) }.joined(separator: "  "))
        }
        print("\(entries.reduce(0) { $0 + $1.eventCount }) events, \(Set(entries.map(\.accountID)).count) accounts, \(Set(entries.map(\.eventType)).count) types")
    }
}
