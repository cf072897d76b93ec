import ArgumentParser
import Core
import Foundation
import Logging
import Projections

struct Rebuild: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Rebuild a projection from the event log into fresh tables, then swap them in.",
        discussion: "The live tables keep serving until the swap. Projections: \(KnownProjections.all.map(\.name).joined(separator: ", "))."
    )

    @OptionGroup var options: ServerOptions

    @Argument(help: "The projection's name.")
    var name: String

    @Option(help: "Events read and applied per batch.")
    var batchSize: Int = 10_000

    func run() async throws {
        try await CommandFailure.running(options) { settings, logger in try await rebuild(settings, logger) }
    }

    private func rebuild(_ settings: Settings, _ logger: Logger) async throws {
        guard let projection = KnownProjections.named(name) else {
            throw ValidationError("no projection named \(name); known: \(KnownProjections.all.map(\.name).joined(separator: ", "))")
        }
        let result = try await settings.withClient(logger: logger) { client in
            var rebuilder = ProjectionRebuilder(projection: projection, store: EventStore(client: client, logger: logger), client: client, logger: logger)
            rebuilder.batchSize = batchSize
            let bar = ProgressLine(interactive: isatty(STDOUT_FILENO) != 0)
            return try await rebuilder.rebuild { bar.show($0) }
        }
        print("rebuilt \(name): \(result.events) events in \(String(format: "%.2f", result.elapsed.seconds)) s, \(Int(result.eventsPerSecond)) ev/s (generation \(result.generation), through position \(result.position))")
    }
}

/// Rebuild progress: a bar redrawn in place on a terminal; otherwise a plain line every tenth of the way.
final class ProgressLine: Sendable {
    let interactive: Bool
    private let lastTenth = Mutex(-1)

    init(interactive: Bool) { self.interactive = interactive }

    func show(_ progress: ProjectionRebuilder.Progress) {
        let fraction = progress.head > 0 ? min(Double(progress.position) / Double(progress.head), 1) : 1
        let seconds = progress.elapsed.seconds
        let rate = seconds > 0 ? Int(Double(progress.applied) / seconds) : 0
        let summary = "\(progress.position)/\(progress.head) events, \(rate) ev/s"
        if interactive {
            let width = 30, filled = Int(fraction * Double(width))
            let bar = String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled)
            FileHandle.standardOutput.write(Data("\r[\(bar)] \(String(format: "%3d", Int(fraction * 100)))% \(summary)\(fraction >= 1 ? "\n" : "")".utf8))
        } else {
            let tenth = Int(fraction * 10)
            let due = lastTenth.withLock { last -> Bool in
                guard tenth > last else { return false }
                last = tenth
                return true
            }
            if due { print("rebuild: \(tenth * 10)% \(summary)") }
        }
    }
}

import Synchronization
