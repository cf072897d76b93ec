import CanopyTesting
import Core
import Foundation

/// A `canopy` process of the built binary, started as a deployment would start it, stopped by its PID.
final class CanopyProcess: @unchecked Sendable {
    static var binary: URL {
        URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent().appendingPathComponent("canopy")
    }

    let process = Process()
    private let output = Pipe()

    /// Starts `canopy ARGUMENTS`; its standard output is kept (read it with `waitForOutput()`), its
    /// standard error goes to the test's.
    init(_ arguments: [String], environment: [String: String] = [:]) throws {
        process.executableURL = Self.binary
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(
            ["CANOPY_SCHEMAS_DIR": TestServers.migrationsDirectory.deletingLastPathComponent().path].merging(environment) { _, new in new }
        ) { _, new in new }
        process.standardOutput = output
        try process.run()
    }

    /// `canopy serve` with the given components, on the pipeline's database and topology.
    static func serve(_ components: [String], _ pipeline: Pipeline, port: Int? = nil) throws -> CanopyProcess {
        try CanopyProcess(["serve"] + components.flatMap { ["--component", $0] } + [
            "--database-url", pipeline.database.url.urlString, "--amqp-url", try TestServers.amqpURL(),
            "--amqp-namespace", pipeline.topology.queuePrefix, "--port", "\(try port ?? TestServers.freePort())", "--log-level", "error",
        ])
    }

    var pid: Int32 { process.processIdentifier }

    /// kill -9, then waits for it to be gone.
    func kill9() async {
        kill(pid, SIGKILL)
        await waitForExit(within: .seconds(10))
    }

    /// SIGTERM, then up to 20 s to exit (SIGKILL after that); the exit status, or nil if it had to be killed.
    func stop() async -> Int32? {
        kill(pid, SIGTERM)
        if await waitForExit(within: .seconds(20)) {
            return process.terminationReason == .exit ? process.terminationStatus : nil
        }
        kill(pid, SIGKILL)
        await waitForExit(within: .seconds(10))
        return nil
    }

    /// Waits for the process to end by itself; its exit status and everything it printed.
    func waitForOutput(within limit: Duration = .seconds(120)) async throws -> (status: Int32?, output: String) {
        let text = Task.detached { [output] in String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self) }
        guard await waitForExit(within: limit) else {
            kill(pid, SIGKILL)
            await waitForExit(within: .seconds(10))
            return (nil, await text.value)
        }
        return (process.terminationReason == .exit ? process.terminationStatus : nil, await text.value)
    }

    @discardableResult
    private func waitForExit(within limit: Duration) async -> Bool {
        let deadline = ContinuousClock.now + limit
        while process.isRunning, ContinuousClock.now < deadline { try? await Task.sleep(for: .milliseconds(20)) }
        return !process.isRunning
    }
}
