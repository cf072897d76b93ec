import ArgumentParser
import Core

/// `canopy bench NAME`: each benchmark runs Canopy beside a physical reference in one run and prints ratios.
/// `ops/bench NAME` starts private servers, builds in release mode and runs this.
struct Bench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Benchmarks, each beside a physical reference.",
        subcommands: [AppendBench.self]
    )
}

struct AppendBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "append",
        abstract: "The append path against pgbench inserting the same rows, at each concurrency."
    )

    @OptionGroup var options: ServerOptions

    @Option(help: "Seconds each side runs at each concurrency.")
    var seconds: Int = 10

    @Option(help: "Concurrent clients; repeat for several.")
    var concurrency: [Int] = [1, 64]

    @Option(help: "Append batches in flight at once (the event store's maxInFlightBatches).")
    var inFlight: Int = EventStore.Configuration().maxInFlightBatches

    @Option(help: "The pgbench binary.")
    var pgbench: String = "/usr/lib/postgresql/15/bin/pgbench"

    func run() async throws {
        try await CommandFailure.reporting { try await measure() }
    }

    private func measure() async throws {
        let settings = try await Settings.resolve(options, defaultLogLevel: .warning)
        let logger = Logs.bootstrap(level: settings.logLevel)
        let benchmark = AppendBenchmark(server: settings.database, duration: .seconds(seconds), pgbench: pgbench, inFlight: inFlight, logger: logger)
        try await benchmark.prepare()
        for clients in concurrency {
            let reference = try await benchmark.pgbenchTPS(clients: clients)
            let canopy = try await benchmark.canopyEventsPerSecond(clients: clients)
            print("append c=\(clients): canopy \(Int(canopy)) ev/s, pgbench \(Int(reference)) tps, ratio \(String(format: "%.2f", canopy / reference))")
        }
    }
}
