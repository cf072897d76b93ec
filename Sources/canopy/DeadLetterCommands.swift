import ArgumentParser
import Core
import Foundation

/// `canopy dlq list|replay CONSUMER`: the events a consumer parked, and putting them back.
struct DeadLetterCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dlq",
        abstract: "Parked events per consumer (projections are consumers named projection.NAME).",
        subcommands: [List.self, Replay.self]
    )

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show a consumer's parked events with the error that parked them.")

        @OptionGroup var options: ServerOptions
        @Argument(help: "The consumer, e.g. projection.event_catalog.") var consumer: String
        @Option(help: "Show at most this many.") var limit: Int = 100

        func run() async throws {
            try await CommandFailure.running(options) { settings, logger in
                let parked = try await DeadLetters(consumer: consumer, amqp: settings.amqp, topology: settings.topology, logger: logger).list(limit: limit)
                for letter in parked { print(DeadLetterCommand.line(letter)) }
                print("\(parked.count) parked in \(consumer)")
            }
        }
    }

    struct Replay: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Move parked events back into the consumer's queue, with fresh attempts.")

        @OptionGroup var options: ServerOptions
        @Argument(help: "The consumer, e.g. projection.event_catalog.") var consumer: String
        @Option(help: "Only this event (its id).") var event: String?

        func run() async throws {
            try await CommandFailure.running(options) { settings, logger in
                let replayed = try await DeadLetters(consumer: consumer, amqp: settings.amqp, topology: settings.topology, logger: logger).replay(eventID: event)
                for letter in replayed { print("replayed \(DeadLetterCommand.line(letter))") }
                print("\(replayed.count) replayed into \(consumer)")
            }
        }
    }

    static func line(_ letter: DeadLetters.Parked) -> String {
        let when = letter.failedAt.map { RFC3339.string(from: $0) } ?? "?"
        return "\(letter.eventID)  position \(letter.position.map(String.init) ?? "?")  \(letter.type ?? "?")  account \(letter.accountID ?? "?")  attempts \(letter.attempts)  at \(when)  error: \(letter.error)"
    }
}
