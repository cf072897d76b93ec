import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Runs a program to completion with a clean signal state.
///
/// Foundation's `Process` passes on this process's signal mask, in which the Swift runtime and NIO block
/// SIGALRM among others; pgbench's `-T` relies on SIGALRM and then never stops. So: posix_spawn with an
/// empty mask and default dispositions, reaped on a thread of its own, killed if it overstays.
package enum ChildProcess {
    package struct Outcome: Sendable {
        package var exitCode: Int32
        package var output: String
    }

    package struct Failure: Error, CustomStringConvertible {
        package var description: String
    }

    package static func run(_ path: String, _ arguments: [String], environment: [String: String], timeout: Duration) async throws -> Outcome {
        let outputFile = FileManager.default.temporaryDirectory.appendingPathComponent("canopy-child-\(getpid())-\(UUID().uuidString).out")
        defer { try? FileManager.default.removeItem(at: outputFile) }
        let pid = try spawn(path, arguments, environment: environment, outputPath: outputFile.path)
        let status = await withTaskGroup(of: Int32?.self) { group in
            group.addTask { await reap(pid) }
            group.addTask {
                try? await Task.sleep(for: timeout)
                if !Task.isCancelled { kill(pid, SIGKILL) }
                return nil
            }
            var status: Int32 = -1
            while let next = await group.next() {
                if let next { status = next; group.cancelAll() }
            }
            return status
        }
        let output = (try? String(contentsOf: outputFile, encoding: .utf8)) ?? ""
        let exitCode = (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
        return Outcome(exitCode: exitCode, output: output)
    }

    private static func spawn(_ path: String, _ arguments: [String], environment: [String: String], outputPath: String) throws -> pid_t {
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var none = sigset_t()
        sigemptyset(&none)
        posix_spawnattr_setsigmask(&attributes, &none)
        var all = sigset_t()
        sigfillset(&all)
        posix_spawnattr_setsigdefault(&attributes, &all)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 1, outputPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)

        let argv = ([path] + arguments).map { strdup($0) } + [nil]
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        var pid = pid_t()
        let result = posix_spawn(&pid, path, &actions, &attributes, argv, envp)
        guard result == 0 else { throw Failure(description: "cannot start \(path): \(String(cString: strerror(result)))") }
        return pid
    }

    /// waitpid blocks, so it runs on a thread of its own rather than on Swift's cooperative pool.
    private static func reap(_ pid: pid_t) async -> Int32 {
        await withCheckedContinuation { continuation in
            let thread = Thread {
                var status: Int32 = 0
                while waitpid(pid, &status, 0) == -1, errno == EINTR {}
                continuation.resume(returning: status)
            }
            thread.name = "canopy-reap-\(pid)"
            thread.start()
        }
    }
}
